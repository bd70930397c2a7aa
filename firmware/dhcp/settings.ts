// One network's DHCP settings resolved from the configuration: addresses as numbers, defaults
// filled in (domain, option 114, rate limits), reservations indexed both ways. Pure; the service
// builds these on start and on every reload.
import type { Config, Network, NetworkKind } from '../config/schema.ts';
import { DHCP_RATE_LIMIT_DEFAULTS } from '../config/schema.ts';
import { normaliseMac } from '../state/mac.ts';
import { dhcpSubnet } from './config-check.ts';
import { formatIPv4, parseIPv4, subnetContains, type Ipv4Subnet } from './ipv4.ts';

export interface DhcpReservation {
  address: number;
  name?: string | undefined;
  groupId?: string | undefined;
}

export interface DhcpNetwork {
  id: string;
  kind: NetworkKind;
  interfaceName: string;
  /** The gateway's address on the network: server identifier, router and DNS server. */
  serverAddress: number;
  subnet: Ipv4Subnet;
  domain: string;
  leaseSeconds: number;
  /** T1 and T2 (RFC 2131 4.4.5): half and seven eighths of the lease. */
  renewSeconds: number;
  rebindSeconds: number;
  pools: readonly { first: number; last: number }[];
  poolSize: number;
  /** Option 114 (guest networks only), or null. */
  captivePortal: string | null;
  perMacPerMinute: number;
  perNetworkPerMinute: number;
  /** By canonical MAC. */
  reservations: ReadonlyMap<string, DhcpReservation>;
  /** Reserved address -> the MAC it is for. */
  reservedFor: ReadonlyMap<number, string>;
}

/**
 * Every enabled network with an enabled DHCP server. Takes a validated configuration (the checks
 * in config-check.ts have run), so anything unreadable here is a programming error.
 */
export function dhcpNetworks(config: Config): DhcpNetwork[] {
  return config.networks.filter((n) => n.enabled && n.dhcp?.enabled).map((n) => resolveNetwork(n, config));
}

export function resolveNetwork(network: Network, config: Config): DhcpNetwork {
  const dhcp = network.dhcp;
  const home = dhcpSubnet(network);
  if (dhcp === undefined || home === undefined) throw new Error(`network ${network.id} has no DHCP settings to resolve (validate the configuration first)`);
  const pools = dhcp.pools.map((r) => ({ first: parseIPv4(r.first)!, last: parseIPv4(r.last)! }));
  const reservations = new Map<string, DhcpReservation>();
  const reservedFor = new Map<number, string>();
  for (const r of config.reservations ?? []) {
    const address = parseIPv4(r.address);
    if (address === undefined || !subnetContains(home.subnet, address)) continue;
    const mac = normaliseMac(r.mac);
    reservations.set(mac, { address, name: r.name, groupId: r.group });
    reservedFor.set(address, mac);
  }
  const leaseSeconds = dhcp.leaseSeconds;
  return {
    id: network.id,
    kind: network.kind,
    interfaceName: network.interface,
    serverAddress: home.gateway,
    subnet: home.subnet,
    domain: dhcp.domain ?? config.dns.localDomain,
    leaseSeconds,
    renewSeconds: Math.floor(leaseSeconds / 2),
    rebindSeconds: Math.floor((leaseSeconds * 7) / 8),
    pools,
    poolSize: pools.reduce((sum, p) => sum + (p.last - p.first + 1), 0),
    captivePortal: network.kind === 'guest' ? (dhcp.captivePortal ?? defaultCaptivePortal(home.gateway, config)) : null,
    perMacPerMinute: dhcp.rateLimit?.perMacPerMinute ?? DHCP_RATE_LIMIT_DEFAULTS.perMacPerMinute,
    perNetworkPerMinute: dhcp.rateLimit?.perNetworkPerMinute ?? DHCP_RATE_LIMIT_DEFAULTS.perNetworkPerMinute,
    reservations,
    reservedFor,
  };
}

/**
 * The RFC 8908 API on the guest gateway, where the web surface serves the portal. RFC 8910 requires
 * an https URI, so the default is one (port 443); the surface answers plain HTTP only, and 443 to
 * a guest gateway is reset at once, so devices drop the API quickly and find the portal by their
 * HTTP probes (which nftables redirects). No certificate a guest's phone trusts could be had for
 * the gateway's address: that is why the API is not served over TLS.
 */
export function defaultCaptivePortal(gateway: number, config: Config): string | null {
  if (config.web.portal === undefined) return null;
  return `https://${formatIPv4(gateway)}/api/captive-portal`;
}

export function inPools(network: DhcpNetwork, address: number): boolean {
  for (const p of network.pools) if (address >= p.first && address <= p.last) return true;
  return false;
}
