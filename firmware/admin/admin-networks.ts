// Which of the school's networks the admin UI belongs to: the kinds firewall.adminFrom names
// (staff and management unless it says otherwise), the same list the ruleset opens the admin
// port to. Pure: setup's address check and the HTTPS listeners both read it from the config.
import type { Config } from '../config/schema.ts';
import { parseIPv4, parseIPv4Subnet, subnetContains } from '../dhcp/ipv4.ts';
import { DEFAULT_ADMIN_FROM } from '../net/reach.ts';
import { isLoopback } from './guard.ts';

export function adminNetworks(config: Pick<Config, 'networks' | 'firewall'>): Config['networks'] {
  const kinds = config.firewall?.adminFrom ?? DEFAULT_ADMIN_FROM;
  return config.networks.filter((n) => n.enabled && kinds.includes(n.kind));
}

/** The gateway's own IPv4 address on each admin network: where HTTPS answers. */
export function adminAddresses(config: Pick<Config, 'networks' | 'firewall'>): string[] {
  return adminNetworks(config).flatMap((n) => (n.gateway.ipv4 ? [n.gateway.ipv4] : []));
}

/** First-run setup and the like: the gateway itself, or a device on an admin network. */
export function fromAdminSide(config: Pick<Config, 'networks' | 'firewall'>, address: string): boolean {
  if (isLoopback(address)) return true;
  const ip = parseIPv4(address.startsWith('::ffff:') ? address.slice(7) : address);
  if (ip === undefined) return false;
  return adminNetworks(config).some((n) => n.subnets.some((s) => {
    const subnet = parseIPv4Subnet(s);
    return subnet !== undefined && subnetContains(subnet, ip);
  }));
}
