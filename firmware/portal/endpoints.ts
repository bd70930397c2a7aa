// Where the web surface listens: port 80 on every enabled network's gateway address (IPv4, and
// IPv6 where configured), because that is where a blocked name's DNS answer sends the browser;
// plus web.blockPage and web.portal when set. Loopback gateways (the demo's networks) are left
// out: port 80 there needs root, and the demo reaches the surface through web.blockPage instead.
import type { Config, Endpoint } from '../config/schema.ts';

export const SURFACE_PORT = 80;

const isLoopback = (address: string): boolean => address.startsWith('127.') || address === '::1';

export function surfaceEndpoints(config: Readonly<Config>): Endpoint[] {
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  const add = (e: Endpoint): void => {
    const key = `${e.address}|${e.port}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(e);
    }
  };
  for (const n of config.networks) {
    if (!n.enabled) continue;
    for (const address of [n.gateway.ipv4, n.gateway.ipv6]) {
      if (address && !isLoopback(address)) add({ address, port: SURFACE_PORT });
    }
  }
  if (config.web.blockPage) add(config.web.blockPage);
  // A wildcard on port 80 would only clash with the gateway addresses' own listeners above.
  const portal = config.web.portal;
  if (portal && !(portal.port === SURFACE_PORT && (portal.address === '0.0.0.0' || portal.address === '::'))) add(portal);
  return out;
}
