// The DHCP rules the schema cannot express: pools and reservations checked against the networks'
// subnets, the gateway's own address and each other. Pure; semantic.ts calls it with the sections
// that passed the schema, so a malformed document still gets every issue that can be found safely.
import { pointer, type ConfigIssue } from '../config/issues.ts';
import type { Config, Network } from '../config/schema.ts';
import { MacAddressError, normaliseMac } from '../state/mac.ts';
import { formatIPv4, parseIPv4, parseIPv4Subnet, subnetContains, type Ipv4Subnet } from './ipv4.ts';

export type DhcpSections = Partial<Pick<Config, 'networks' | 'reservations' | 'deviceGroups'>>;

/** The IPv4 subnet DHCP serves on a network: the one holding the gateway's IPv4 address. */
export function dhcpSubnet(network: Network): { subnet: Ipv4Subnet; gateway: number } | undefined {
  const gateway = network.gateway.ipv4 === undefined ? undefined : parseIPv4(network.gateway.ipv4);
  if (gateway === undefined) return undefined;
  for (const text of network.subnets) {
    const subnet = parseIPv4Subnet(text);
    if (subnet && subnetContains(subnet, gateway)) return { subnet, gateway };
  }
  return undefined;
}

interface PlacedPool { first: number; last: number; path: string }

export function dhcpConfigIssues(doc: DhcpSections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string): void => { issues.push({ path, message }); };
  const placed: PlacedPool[] = [];
  doc.networks?.forEach((net, n) => {
    if (net.dhcp === undefined) return;
    const at = (...rest: (string | number)[]): string => pointer('networks', n, 'dhcp', ...rest);
    const home = dhcpSubnet(net);
    if (home === undefined) {
      // A gateway outside every subnet, or an unreadable subnet, is already reported by the
      // network checks; saying again that DHCP has nothing to serve would only repeat it.
      if (net.gateway.ipv4 === undefined) {
        add(at(), "DHCP needs the gateway's IPv4 address on this network (gateway.ipv4): it is the router, DNS server and server identifier");
      }
      return;
    }
    if (net.dhcp.captivePortal !== undefined && net.kind !== 'guest') {
      add(at('captivePortal'), `option 114 (captive portal) is for guest networks only; this network is "${net.kind}"`);
    }
    if (net.dhcp.enabled && net.dhcp.pools.length === 0) add(at('pools'), 'an enabled DHCP server needs at least one pool');
    net.dhcp.pools.forEach((range, p) => {
      const path = at('pools', p);
      const first = checkPoolEnd(range.first, home.subnet, `${path}/first`, add);
      const last = checkPoolEnd(range.last, home.subnet, `${path}/last`, add);
      if (first === undefined || last === undefined) return;
      if (first > last) {
        add(`${path}/last`, `the range ends (${range.last}) before it starts (${range.first})`);
        return;
      }
      if (first <= home.gateway && home.gateway <= last) {
        add(path, `${range.first}-${range.last} contains the gateway's own address ${formatIPv4(home.gateway)}`);
      }
      const clash = placed.find((other) => other.first <= last && first <= other.last);
      if (clash) add(path, `${range.first}-${range.last} overlaps the pool at ${clash.path} (${formatIPv4(clash.first)}-${formatIPv4(clash.last)})`);
      placed.push({ first, last, path });
    });
  });
  if (doc.reservations) checkReservations(doc, add);
  return issues;
}

function checkPoolEnd(text: string, subnet: Ipv4Subnet, path: string, add: (path: string, message: string) => void): number | undefined {
  const value = parseIPv4(text);
  if (value === undefined) {
    add(path, `"${text}" is not an IPv4 address`);
    return undefined;
  }
  const problem = hostProblem(value, subnet);
  if (problem !== undefined) {
    add(path, `${text} ${problem}`);
    return undefined;
  }
  return value;
}

/** Why an address cannot be a DHCP client's, or undefined when it can. */
function hostProblem(value: number, subnet: Ipv4Subnet): string | undefined {
  const shown = `${formatIPv4(subnet.network)}/${subnet.length}`;
  if (!subnetContains(subnet, value)) return `is outside this network's subnet ${shown}`;
  // /31 and /32 have no network or broadcast address (RFC 3021), but neither is a DHCP pool.
  if (subnet.length <= 30 && value === subnet.network) return `is the network address of ${shown}`;
  if (subnet.length <= 30 && value === subnet.broadcast) return `is the broadcast address of ${shown}`;
  return undefined;
}

function checkReservations(doc: DhcpSections, add: (path: string, message: string) => void): void {
  const served = (doc.networks ?? []).flatMap((net) => {
    const home = net.dhcp === undefined ? undefined : dhcpSubnet(net);
    return home === undefined ? [] : [{ net, ...home }];
  });
  const groups = doc.deviceGroups === undefined ? undefined : new Set(doc.deviceGroups.map((g) => g.id));
  const byAddress = new Map<number, number>();
  const byMac = new Map<string, number>();
  doc.reservations?.forEach((r, i) => {
    const at = (field: string): string => pointer('reservations', i, field);
    try {
      const mac = normaliseMac(r.mac);
      const earlier = byMac.get(mac);
      if (earlier !== undefined) add(at('mac'), `${mac} already has a reservation (${pointer('reservations', earlier)})`);
      else byMac.set(mac, i);
    } catch (error) {
      if (!(error instanceof MacAddressError)) throw error;
      add(at('mac'), error.message);
    }
    if (r.group !== undefined && groups !== undefined && !groups.has(r.group)) {
      const known = [...groups].map((g) => `"${g}"`).join(', ') || 'none defined';
      add(at('group'), `device group "${r.group}" does not exist (known: ${known})`);
    }
    const value = parseIPv4(r.address);
    if (value === undefined) {
      add(at('address'), `"${r.address}" is not an IPv4 address`);
      return;
    }
    const homes = served.filter((s) => subnetContains(s.subnet, value));
    if (homes.length !== 1) {
      add(at('address'), homes.length === 0
        ? `${r.address} is not inside the subnet of any network with DHCP (${served.map((s) => `${s.net.id} ${formatIPv4(s.subnet.network)}/${s.subnet.length}`).join(', ') || 'none'})`
        : `${r.address} is inside the subnets of several DHCP networks (${homes.map((h) => h.net.id).join(', ')})`);
      return;
    }
    const home = homes[0]!;
    if (r.network !== undefined && r.network !== home.net.id) {
      add(at('network'), `${r.address} belongs to network "${home.net.id}", not "${r.network}"`);
    }
    if (value === home.gateway) add(at('address'), `${r.address} is the gateway's own address on network "${home.net.id}"`);
    const problem = hostProblem(value, home.subnet);
    if (problem !== undefined) add(at('address'), `${r.address} ${problem}`);
    const earlier = byAddress.get(value);
    if (earlier !== undefined) add(at('address'), `${r.address} is already reserved (${pointer('reservations', earlier)})`);
    else byAddress.set(value, i);
  });
}
