// One request to the gateway's web surface, and who answers it. Handlers are tried in order and
// the first that returns a response wins: the visitor portal and the admin's HTTP→HTTPS redirect
// are put in front of the block page, the landing page and the fallback. Everything a handler
// needs is in the request (the network and device behind the source address, the Host, the
// form), so handlers are pure apart from what their own dependencies do.
import type { ClientInfo } from '../clients/directory.ts';

export interface SurfaceRequest {
  method: string;
  /** The Host header: lower case, no port, no trailing dot, IPv6 without brackets. */
  host: string;
  path: string;
  /** The socket's source address (IPv4-mapped IPv6 made plain IPv4). */
  source: string;
  /** The school network (and device) behind the source, or undefined for an outsider. */
  client: ClientInfo | undefined;
  /** A POSTed form's fields (the first value of each). */
  form?: Readonly<Record<string, string>>;
  /**
   * Where the browser says the request was made (Sec-Fetch-Site, Origin), read by formOriginOf: a
   * POST from another site is refused before any handler sees it (cross-site.ts).
   */
  fetchSite?: string;
  origin?: string;
  now: number;
}

export interface SurfaceResponse {
  status: number;
  html: string;
  headers?: Readonly<Record<string, string>>;
}

export interface SurfaceHandler {
  /** For logs and tests: which handler answered. */
  readonly name: string;
  handle(request: SurfaceRequest): SurfaceResponse | undefined | Promise<SurfaceResponse | undefined>;
}

export interface Dispatched {
  handler: string;
  response: SurfaceResponse;
}

export async function dispatch(handlers: readonly SurfaceHandler[], request: SurfaceRequest): Promise<Dispatched> {
  for (const handler of handlers) {
    const response = await handler.handle(request);
    if (response) return { handler: handler.name, response };
  }
  return { handler: 'none', response: { status: 404, html: 'Not found\n', headers: { 'content-type': 'text/plain; charset=utf-8' } } };
}

/** The Host header as dispatch compares it. */
export function normaliseHost(header: string | undefined): string {
  if (!header) return '';
  let host = header.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(1, end) : '';
  }
  const colon = host.indexOf(':');
  // One colon: a port; more: a bare IPv6 address, which a valid Host never carries, kept whole.
  if (colon >= 0 && host.indexOf(':', colon + 1) < 0) host = host.slice(0, colon);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

export function plainSource(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}
