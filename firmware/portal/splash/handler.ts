// The AUP splash on the gateway's port-80 surface: a device on a splash network that has not
// accepted the current version gets the splash for every plain-HTTP request nftables sends here
// (its OS's captive-portal probe included, so the sign-in sheet opens by itself), and the RFC 8908
// document says captive. Once accepted: the probes' success answers (the sheet closes) and the
// document says not captive; everything else goes on to the block and landing pages. Put after
// the visitor portal's handler, which owns guest networks (where the splash is never on).
import type { Config } from '../../config/schema.ts';
import { CAPTIVE_CONTENT_TYPE, type CaptiveDocument } from '../captive/api.ts';
import { probeFor } from '../captive/probes.ts';
import type { SurfaceHandler, SurfaceRequest, SurfaceResponse } from '../dispatcher.ts';
import { decideSplash, splashSettingsFor } from './decide.ts';
import { acceptedPage, ACCEPT_PATH, noLeasePage, splashPage, voiceFor } from './page.ts';

/** RFC 8908's API path, as the visitor portal serves it. */
export const SPLASH_CAPTIVE_API_PATH = '/api/captive-portal';

export interface SplashHandlerDeps {
  config: () => Readonly<Config>;
  hasAccepted: (mac: string, networkId: string, version: string) => boolean;
  /** Records the acceptance and lets the device through (state.db, then the firewall's set). */
  accept: (input: { mac: string; networkId: string; iface: string; version: string; address: string; at: Date }) => Promise<void>;
}

function captiveJson(captive: boolean, portalUrl: string): SurfaceResponse {
  // No seconds-remaining: an acceptance lasts until the next version, not for a time.
  const doc: CaptiveDocument = { 'captive': captive, 'user-portal-url': portalUrl };
  return { status: 200, html: JSON.stringify(doc), headers: { 'content-type': CAPTIVE_CONTENT_TYPE, 'cache-control': 'private, no-store' } };
}

export function splashHandler(deps: SplashHandlerDeps): SurfaceHandler {
  return {
    name: 'aup-splash',
    async handle(request: SurfaceRequest): Promise<SurfaceResponse | undefined> {
      const client = request.client;
      if (!client) return undefined;
      const config = deps.config();
      const decision = decideSplash(config, { network: client.network, mac: client.device?.id, hasAccepted: deps.hasAccepted });
      if (decision.kind === 'off') return undefined;
      const gateway = client.network.gateway.ipv4 ?? request.host;
      const portalUrl = `http://${gateway}${ACCEPT_PATH}`;
      const isApi = request.method !== 'POST' && request.path === SPLASH_CAPTIVE_API_PATH;
      if (isApi) return captiveJson(decision.kind !== 'accepted', portalUrl);
      const voice = voiceFor(client.network.kind);
      const siteName = config.site.name;
      if (decision.kind === 'accepted') {
        const probe = probeFor(request.host, request.path);
        if (probe) return { status: probe.status, html: probe.body, headers: { 'content-type': probe.contentType ?? 'text/plain' } };
        if (request.path === ACCEPT_PATH) return { status: 200, html: acceptedPage({ voice, siteName, version: decision.version }) };
        return undefined;
      }
      if (decision.kind === 'no-lease') return { status: 403, html: noLeasePage({ voice, siteName }) };
      const aup = splashSettingsFor(config, client.network)!;
      const ask = (status: number, message?: string): SurfaceResponse => ({
        status, html: splashPage({ aup, voice, siteName, networkName: client.network.name, ...(message ? { message } : {}) }),
      });
      if (request.method === 'POST' && request.path === ACCEPT_PATH) {
        // The version the page showed: a page left open across a new version is not an acceptance of it.
        if (request.form?.version !== decision.version) {
          return ask(400, voice === 'pupil' ? 'The rules have changed. Please read them again, then press the button.' : 'The policy has changed since this page was opened: read this version, then accept it.');
        }
        await deps.accept({ mac: decision.mac, networkId: client.network.id, iface: client.network.interface, version: decision.version, address: request.source, at: new Date(request.now) });
        return { status: 200, html: acceptedPage({ voice, siteName, version: decision.version }) };
      }
      // 511 Network Authentication Required (RFC 6585): what a captive portal answers in place of a site.
      return ask(511);
    },
  };
}
