// What a printed voucher slip carries besides the code: the portal's address with the code
// filled in (a QR code a phone's camera opens), and the guest terms in one line. The QR code is
// an SVG made here, so the web UI's first load carries no QR encoder.
import QRCode from 'qrcode';
import type { Config } from '../../config/schema.ts';
import { TERMS_SUMMARY } from '../captive/settings.ts';
import { PORTAL_PATH } from '../captive/pages.ts';

export interface Slip {
  code: string;
  /** The portal with the code prefilled; null when no guest network is set up. */
  link: string | null;
  qrSvg: string | null;
}

/**
 * The portal as a guest device reaches it: port 80 of the first enabled guest network's gateway
 * (the web surface, where the visitor's phone is once it joins the guest Wi-Fi); web.portal only
 * when that gateway is on loopback (the demo, where port 80 needs root).
 */
export function portalAddress(config: Readonly<Config>): string | null {
  const gateway = config.networks.find((n) => n.enabled && n.kind === 'guest' && n.gateway.ipv4)?.gateway.ipv4;
  const own = config.web.portal;
  if (own && (gateway === undefined || gateway.startsWith('127.'))) {
    return `http://${own.address.includes(':') ? `[${own.address}]` : own.address}${own.port === 80 ? '' : `:${own.port}`}${PORTAL_PATH}`;
  }
  return gateway ? `http://${gateway}${PORTAL_PATH}` : null;
}

export function termsSummary(config: Readonly<Config>): string {
  const terms = config.portal?.terms;
  if (!terms) return TERMS_SUMMARY;
  return terms.summary ?? `Use is logged and monitored: the terms (version ${terms.version}) are shown on the sign-in page.`;
}

export async function slipFor(code: string, portal: string | null): Promise<Slip> {
  if (!portal) return { code, link: null, qrSvg: null };
  const link = `${portal}?code=${encodeURIComponent(code)}`;
  return { code, link, qrSvg: await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }) };
}
