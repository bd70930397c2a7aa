// The lab's namespaces and links. Every veth is created with both ends already inside lab
// namespaces, so nothing of the lab ever exists in the host namespace, and `wan` has no default
// route: the only place a packet can go is another lab namespace.
//
//   tethered ── hotspot ─┐
//   staff ───────────────┤ ap (one bridge per network) ══ trunk (802.1Q) or one veth per network ══ gw ── wan
//   pupil, guest ────────┘
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CLIENT_INTERFACE, CLIENTS, GW_WAN_INTERFACE, HOTSPOT_SHARE_INTERFACE, INTERNET, INTERNET_ADDRESSES, NAMESPACES,
  SCHOOL_NETWORKS, SECOND_GUEST, TETHER, WAN_LINK, gatewayInterface, schoolNetwork, type LabNs,
} from './addresses.ts';
import { check, exec } from './exec.ts';

export type ClientAddressing = 'static' | 'none';

export interface TopologyOptions {
  /** Real namespace name for each logical one. */
  names: Readonly<Record<LabNs, string>>;
  dir: string;
  /** 'static' gives every client its fixed address and default route; 'none' leaves them for DHCP. */
  clients: ClientAddressing;
  /** Force the per-network veth layout even where 802.1Q works. */
  vlans?: 'auto' | 'off';
  /** Add guest2 beside guest, with client isolation on the AP and proxy ARP on gw (see guestIsolation()). */
  guestIsolation?: boolean;
}

export interface Topology {
  /** True when the school networks reach gw as VLAN sub-interfaces of one trunk. */
  vlans: boolean;
}

const WAN_SIDE = 'gw0';
const TRUNK = 'trunk';

let vlanSupport: boolean | undefined;

/** Whether this kernel has 802.1Q, probed once per process on a link inside the lab's own gw. */
async function probeVlans(gwNs: string): Promise<boolean> {
  if (vlanSupport !== undefined) return vlanSupport;
  const r = await exec(['ip', '-n', gwNs, 'link', 'add', 'link', GW_WAN_INTERFACE, 'name', 'vlanprobe', 'type', 'vlan', 'id', '4000']);
  vlanSupport = r.code === 0;
  if (vlanSupport) check(await exec(['ip', '-n', gwNs, 'link', 'del', 'vlanprobe']));
  return vlanSupport;
}

async function batch(lines: readonly string[], ns?: string): Promise<void> {
  const argv = ns ? ['ip', '-n', ns, '-batch', '-'] : ['ip', '-batch', '-'];
  check(await exec(argv, { input: lines.join('\n') + '\n' }));
}

function veth(a: string, aNs: string, b: string, bNs: string, mac?: string): string {
  return `link add name ${a}${mac ? ` address ${mac}` : ''} netns ${aNs} type veth peer name ${b} netns ${bNs}`;
}

/** Resolver settings each namespace's programs see (ip netns exec bind-mounts them over /etc/resolv.conf). */
function resolverFor(ns: LabNs): string {
  const client = [...CLIENTS, SECOND_GUEST].find((c) => c.ns === ns);
  if (client) return SCHOOL_NETWORKS.find((n) => n.id === client.network)!.gateway;
  if (ns === 'tethered') return TETHER.hotspot;
  return INTERNET.resolver;
}

async function writeResolvConfs(names: Readonly<Record<LabNs, string>>, built: readonly LabNs[]): Promise<void> {
  await Promise.all(built.map(async (ns) => {
    const dir = join('/etc/netns', names[ns]);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'resolv.conf'), `# netlab ${ns}\nnameserver ${resolverFor(ns)}\noptions timeout:1 attempts:1\n`);
  }));
}

/** Runs a shell snippet (sysctls) then an ip batch, inside one namespace. */
async function configure(ns: string, sysctls: Record<string, string>, lines: string[], extra = ''): Promise<void> {
  const sets = Object.entries(sysctls).map(([k, v]) => `echo ${v} > /proc/sys/${k.replaceAll('.', '/')}`);
  const script = [...sets, 'ip -batch -', extra].filter(Boolean).join(' && ');
  check(await exec(['ip', 'netns', 'exec', ns, 'sh', '-ec', script], { input: lines.join('\n') + '\n' }));
}

/** The namespaces a lab with these options has. */
export function labNamespaces(guestIsolation: boolean): LabNs[] {
  return guestIsolation ? [...NAMESPACES, SECOND_GUEST.ns] : [...NAMESPACES];
}

export async function buildTopology(o: TopologyOptions): Promise<Topology> {
  const n = o.names;
  const built = labNamespaces(o.guestIsolation === true);
  const resolvConfs = writeResolvConfs(n, built);

  await batch([
    ...built.map((ns) => `netns add ${n[ns]}`),
    veth(GW_WAN_INTERFACE, n.gw, WAN_SIDE, n.wan),
    ...CLIENTS.map((c) => veth(CLIENT_INTERFACE, n[c.ns], `c-${c.ns}`, n.ap, c.mac)),
    veth(CLIENT_INTERFACE, n.tethered, HOTSPOT_SHARE_INTERFACE, n.hotspot, TETHER.tetheredMac),
    ...(o.guestIsolation ? [veth(CLIENT_INTERFACE, n.guest2, `c-${SECOND_GUEST.ns}`, n.ap, SECOND_GUEST.mac)] : []),
  ]);
  const vlans = o.vlans === 'off' ? false : await probeVlans(n.gw);
  await batch(vlans
    ? [veth(TRUNK, n.gw, TRUNK, n.ap)]
    : SCHOOL_NETWORKS.map((net) => veth(gatewayInterface(net, false), n.gw, `gw-${net.id}`, n.ap)));

  const gwLines = ['link set lo up', `link set ${GW_WAN_INTERFACE} up`, `address add ${WAN_LINK.gw}/${WAN_LINK.prefixLength} dev ${GW_WAN_INTERFACE}`];
  const apLines = ['link set lo up'];
  if (vlans) {
    gwLines.push(`link set ${TRUNK} up`);
    apLines.push(`link set ${TRUNK} up`);
  }
  for (const net of SCHOOL_NETWORKS) {
    const gwIf = gatewayInterface(net, vlans);
    const apPort = vlans ? `${TRUNK}.${net.vlan}` : `gw-${net.id}`;
    if (vlans) {
      gwLines.push(`link add link ${TRUNK} name ${gwIf} type vlan id ${net.vlan}`);
      apLines.push(`link add link ${TRUNK} name ${apPort} type vlan id ${net.vlan}`);
    }
    gwLines.push(`link set ${gwIf} up`, `address add ${net.gateway}/${net.prefixLength} dev ${gwIf}`);
    // No STP: ports forward at once, as an access point's bridge does.
    apLines.push(`link add br-${net.id} type bridge stp_state 0`, `link set br-${net.id} up`,
      `link set ${apPort} master br-${net.id}`, `link set ${apPort} up`);
  }
  gwLines.push(`route add default via ${WAN_LINK.wan}`,
    // School-side addresses that no network holds go nowhere, rather than bouncing to wan and back.
    'route add unreachable 10.0.0.0/8');
  for (const c of o.guestIsolation ? [...CLIENTS, SECOND_GUEST] : CLIENTS) apLines.push(`link set c-${c.ns} master br-${c.network}`, `link set c-${c.ns} up`);

  const wanLines = ['link set lo up', ...INTERNET_ADDRESSES.map((a) => `address add ${a}/32 dev lo`),
    `link set ${WAN_SIDE} up`, `address add ${WAN_LINK.wan}/${WAN_LINK.prefixLength} dev ${WAN_SIDE}`,
    // The way back to each school network, and nothing more: no default route, and no route to
    // the rest of 10/8, where the host's own resolver lives.
    ...SCHOOL_NETWORKS.map((net) => `route add ${net.subnet} via ${WAN_LINK.gw}`)];

  const clientLines = (ns: LabNs): string[] => {
    const c = [...CLIENTS, SECOND_GUEST].find((x) => x.ns === ns)!;
    const net = SCHOOL_NETWORKS.find((x) => x.id === c.network)!;
    const lines = ['link set lo up', `link set ${CLIENT_INTERFACE} up`];
    if (o.clients === 'static') lines.push(`address add ${c.staticAddress}/${net.prefixLength} dev ${CLIENT_INTERFACE}`, `route add default via ${net.gateway}`);
    return lines;
  };

  // The phone: shares its pupil-network connection with masquerade, as Android tethering does.
  const nftFile = join(o.dir, 'hotspot.nft');
  await writeFile(nftFile, [
    'table ip netlab_tether {',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    ip saddr ${TETHER.subnet} oifname "${CLIENT_INTERFACE}" masquerade`,
    '  }',
    '}',
  ].join('\n') + '\n');
  const hotspotLines = [...clientLines('hotspot'), `link set ${HOTSPOT_SHARE_INTERFACE} up`,
    `address add ${TETHER.hotspot}/${TETHER.prefixLength} dev ${HOTSPOT_SHARE_INTERFACE}`];
  const tetheredLines = ['link set lo up', `link set ${CLIENT_INTERFACE} up`,
    `address add ${TETHER.tethered}/${TETHER.prefixLength} dev ${CLIENT_INTERFACE}`, `route add default via ${TETHER.hotspot}`];

  await resolvConfs;
  await Promise.all([
    configure(n.gw, { 'net.ipv4.ip_forward': '1' }, gwLines),
    // The access points are layer 2 only: no IPv6 chatter of their own on the school networks.
    configure(n.ap, { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' }, apLines),
    batch(wanLines, n.wan),
    batch(clientLines('staff'), n.staff),
    batch(clientLines('pupil'), n.pupil),
    batch(clientLines('guest'), n.guest),
    configure(n.hotspot, { 'net.ipv4.ip_forward': '1' }, hotspotLines, `nft -f ${nftFile}`),
    batch(tetheredLines, n.tethered),
    ...(o.guestIsolation ? [batch(clientLines(SECOND_GUEST.ns), n.guest2)] : []),
  ]);
  if (o.guestIsolation) await guestIsolation(n, vlans);
  return { vlans };
}

/**
 * Guest Wi-Fi as a real site runs it: the access point isolates its clients (a bridge port
 * flagged isolated forwards only to ports that are not, here the uplink to gw), so guest and
 * guest2 never see each other's frames, not even ARP. gw answers ARP for the whole subnet back
 * out of the interface it came in on (proxy_arp_pvlan, as for a private VLAN), so traffic
 * between two guests is sent to the gateway, whose forward chain decides. No proxy delay (an ARP
 * answer would otherwise wait up to 0.8 s), and no ICMP redirects telling a guest to go direct.
 */
async function guestIsolation(n: Readonly<Record<LabNs, string>>, vlans: boolean): Promise<void> {
  const gwIf = gatewayInterface(schoolNetwork('guest'), vlans);
  const conf = `/proc/sys/net/ipv4/conf/${gwIf}`;
  const script = [`echo 1 > ${conf}/proxy_arp_pvlan`, `echo 0 > ${conf}/send_redirects`, 'echo 0 > /proc/sys/net/ipv4/conf/all/send_redirects',
    `echo 0 > /proc/sys/net/ipv4/neigh/${gwIf}/proxy_delay`].join(' && ');
  await Promise.all([
    configure(n.gw, {}, [], script),
    batch(['guest', SECOND_GUEST.ns].map((c) => `link set dev c-${c} type bridge_slave isolated on`), n.ap),
  ]);
}
