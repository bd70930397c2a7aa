// The system resolvers, used when the configuration names no upstreams. Parsing is pure; the
// file is read at the edge (service.ts). Our own listeners are skipped so the gateway never
// forwards to itself in a loop.
import { isIP } from 'node:net';
import type { Endpoint } from '../../config/schema.ts';
import { parseAddress } from '../../clients/ip.ts';

/** The `nameserver` addresses in resolv.conf text, in order; comments and junk ignored. */
export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)$/.exec(line);
    if (!m) continue;
    const address = m[1]!;
    if (isIP(address.split('%')[0]!) !== 0) out.push(address);
  }
  return out;
}

const isWildcard = (address: string): boolean => address === '0.0.0.0' || address === '::';

function isLoopback(address: string): boolean {
  const p = parseAddress(address);
  if (!p) return false;
  return p.family === 4 ? p.value >> 24n === 127n : p.value === 1n;
}

function sameAddress(a: string, b: string): boolean {
  const pa = parseAddress(a.split('%')[0]!);
  const pb = parseAddress(b.split('%')[0]!);
  return pa !== undefined && pb !== undefined && pa.family === pb.family && pa.value === pb.value;
}

/**
 * Nameservers (all on port 53) that are not one of our own listeners. A wildcard listener on
 * port 53 is every local address: loopback and the addresses in `localAddresses`.
 */
export function selectSystemResolvers(nameservers: readonly string[], listeners: readonly Endpoint[], localAddresses: readonly string[] = []): string[] {
  const on53 = listeners.filter((l) => l.port === 53);
  return nameservers.filter((ns) => !on53.some((l) => {
    if (sameAddress(l.address, ns)) return true;
    if (!isWildcard(l.address)) return false;
    return isLoopback(ns) || localAddresses.some((local) => sameAddress(local, ns));
  }));
}
