// Forms on the port-80 surface (the visitor portal's sign-in, registration, sponsor code and sign
// out; the block page's "report this" and "request access"; the AUP splash's "I agree") act for
// the device that sends them, found by its address. A page on any other site could make a pupil's
// or a visitor's browser post them (an acceptance recorded, a guest signed out), so a POST a
// browser marks as coming from elsewhere is refused. A POST with neither header (an old browser,
// curl) passes: the forms' tokens, versions and limits still apply to it.
import type { IncomingHttpHeaders } from 'node:http';
import { escapeHtml as e, page } from './html.ts';

/** What the browser said about where a request was made (absent when it said nothing). */
export interface FormOrigin {
  /** Sec-Fetch-Site: same-origin, same-site, cross-site or none. */
  fetchSite?: string;
  /** Origin as sent: a serialised origin, or "null" for an opaque one (a sandboxed frame, a data: URL). */
  origin?: string;
}

/** The one place the surface and the portal read these headers. */
export function formOriginOf(headers: IncomingHttpHeaders): FormOrigin {
  const site = headers['sec-fetch-site'];
  const origin = headers.origin;
  return {
    ...(typeof site === 'string' ? { fetchSite: site.trim().toLowerCase() } : {}),
    ...(typeof origin === 'string' ? { origin: origin.trim() } : {}),
  };
}

/** The surface's own origin: the Host it was asked on, or any of the gateway's own addresses and names. */
export interface OwnOrigin {
  /** The raw Host header of the request. */
  hostHeader: string | undefined;
  isGatewayHost: (host: string) => boolean;
}

/** `host[:port]` as URL.host writes it for http (port 80 left out), lower case. */
function hostKey(hostHeader: string | undefined): string {
  const host = (hostHeader ?? '').trim().toLowerCase();
  return host.endsWith(':80') ? host.slice(0, -3) : host;
}

/**
 * True when a POST must be refused: the browser says it came from another site, or names an
 * origin that is not this surface's. Sec-Fetch-Site "same-origin" (or "none": typed or bookmarked)
 * is the browser's own word and is believed as it stands; otherwise a present Origin must be the
 * surface's own, over plain HTTP ("null" is nobody's).
 */
export function refusedCrossSite(method: string, sent: FormOrigin, own: OwnOrigin): boolean {
  if (method !== 'POST') return false;
  if (sent.fetchSite === 'cross-site') return true;
  if (sent.fetchSite === 'same-origin' || sent.fetchSite === 'none') return false;
  if (sent.origin === undefined) return false;
  let url: URL;
  try {
    url = new URL(sent.origin);
  } catch {
    return true;
  }
  if (url.protocol !== 'http:') return true;
  if (url.host === hostKey(own.hostHeader)) return false;
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return !own.isGatewayHost(hostname);
}

/** The surface's refusal, in the block page's two voices: nothing was done, and what to do instead. */
export function crossSitePage(voice: 'pupil' | 'adult', siteName: string): string {
  const body = voice === 'pupil'
    ? `<h1>That did not work</h1>
<p>The button you pressed was on a different website, so nothing was sent.</p>
<p>If you need help, ask your teacher.</p>`
    : `<h1>Form refused</h1>
<p>This form was sent from another website, so the school's Wi-Fi did nothing with it and recorded nothing.</p>
<p class="muted">If you meant to send it, open the page on ${e(siteName)}'s Wi-Fi again and send it from there.</p>`;
  return page(voice === 'pupil' ? 'That did not work' : 'Form refused', siteName, body);
}
