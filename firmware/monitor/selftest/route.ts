// Where the self-test's questions for a network come from and go to. They come from the
// gateway's own address on that network: it lies inside the network's subnet, so the DNS server's
// client directory counts it as a device on that network (with no device group) exactly as it
// counts a pupil's tablet, and the same stages and policy answer it. No other address would be
// honest: an address of the subnet the gateway does not hold cannot receive the reply, and a
// source outside the subnet is refused as an outsider.
import { ClientDirectory } from '../../clients/directory.ts';
import type { Config, Endpoint, Network } from '../../config/schema.ts';

export interface Route {
  source: string;
  family: 4 | 6;
  server: Endpoint;
}

const isV6 = (address: string): boolean => address.includes(':');
const WILDCARD = new Set(['0.0.0.0', '::']);

/** The route for `network`, or why it cannot be tested from the gateway. */
export function routeFor(config: Readonly<Config>, network: Network): Route | { error: string } {
  const source = network.gateway.ipv4 ?? network.gateway.ipv6;
  if (source === undefined) return { error: 'the network has no gateway address to ask from' };
  const seen = new ClientDirectory(config.networks).lookup(source)?.network.id;
  if (seen !== network.id) {
    return { error: `the gateway's address ${source} is not inside the network's subnets (${network.subnets.join(', ')}), so DNS would not take a question from it for this network` };
  }
  const family = isV6(source) ? 6 : 4;
  const listeners = config.dns.listen.filter((l) => isV6(l.address) === (family === 6));
  // The network's own listener, as its devices use; else a wildcard one on that address; else any
  // listener of the family: the server decides the network by the source, not by where it listens.
  const own = listeners.find((l) => l.address === source);
  const wildcard = listeners.find((l) => WILDCARD.has(l.address));
  const server = own ?? (wildcard ? { address: source, port: wildcard.port } : listeners[0]);
  if (server === undefined) return { error: `DNS listens on no IPv${family} address (dns.listen), so nothing on this network can ask it` };
  return { source, family, server };
}

/**
 * The addresses the self-test asks from: each enabled network's gateway address. Its questions
 * reach the query log like a device's (that is the point), so a rule that alerts on what devices
 * ask (a canary, a DoH resolver) skips these sources rather than alert on the daily test.
 */
export function selftestSources(config: Readonly<Pick<Config, 'networks'>>): Set<string> {
  const sources = new Set<string>();
  for (const n of config.networks) {
    if (n.enabled === false) continue;
    const source = n.gateway.ipv4 ?? n.gateway.ipv6;
    if (source !== undefined) sources.add(source);
  }
  return sources;
}
