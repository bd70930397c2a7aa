// The configuration (and the few live facts it cannot know) → the text of Schoolgate's one
// nftables table, `inet schoolgate`, for `nft -f`. Pure: no files, no processes.
//
// Shape, and why:
// - One table of our own, replaced whole in one transaction (add, delete, define): other tables
//   (the image's base rules, a technician's own) are never touched, and there is never a moment
//   with half a ruleset. nft 1.0.6 has no `destroy`; `add table` first makes the delete safe on
//   the first apply.
// - Base chains only classify; each network gets its own regular chains (`fwd_<id>`, `in_<id>`).
//   Later features add rules or set elements at fixed places (the portal's `authorised_guests`,
//   `suspended`, `bypass_*`, `tethering_suspects`, a change request's exception, a class view)
//   instead of rewriting the structure.
// - Named sets are declared here even while nothing fills them, so the daemon can add and
//   delete elements live without ever reloading the ruleset.
// - Client networks end in `reject`, not a silent drop: a phone or laptop gives up at once
//   instead of waiting for timeouts.
// - Guests fail closed when the daemon stops (a crash, a kill, a hang): their forwarding needs
//   their network's interface in `guests_served`, which only the running daemon renews
//   (heartbeat.ts). Staff, pupil and the other kinds keep the table's rules as they are.
import type { Endpoint, Firewall, Network } from '../config/schema.ts';
import { GUEST_TCP_PORTS, KIND_REACH, adminKinds } from './reach.ts';
import { addressSet, isV6, quote } from './nft-text.ts';
import { attemptSets, p2pJumps, refusalChains } from './p2p-rules.ts';
import { SURFACE_PORT } from '../portal/endpoints.ts';

export const TABLE_FAMILY = 'inet';
export const TABLE_NAME = 'schoolgate';

/** Everything the ruleset depends on: the configuration's sections and live facts. */
export interface RulesetInput {
  networks: readonly Network[];
  firewall: Firewall;
  /** The DNS listeners (dns.listen): interception sends port 53 to the one on each gateway address. */
  dnsListen: readonly Endpoint[];
  admin: Endpoint;
  /** The admin UI's HTTPS port (web.https), opened beside the admin listener where that is. */
  adminHttpsPort?: number;
  portal?: Endpoint;
  /** Networks showing the AUP splash (config.aup.splashOn): their devices' port 80 goes to the gateway until accepted. */
  aupSplash?: readonly string[];
}

/** Devices that accepted the AUP version in force on a splash network: its interface and the MAC. */
export const AUP_SET = 'aup_accepted';

const SSH_PORT = 22;
const DOT_PORT = 853;
const HTTPS_PORT = 443;
const DHCP_SERVER_PORT = 67;

/** Timeouts a set element gets when the adder names none (the adder usually does). */
const SET_TIMEOUTS = { authorised: '8h', suspended: '1d', bypass: '1h', tethering: '1h' } as const;

/** The longest and shortest a learned bypass address stays in bypass_v4/bypass_v6. */
export const BYPASS_TIMEOUT_BOUNDS_S = { min: 3600, max: 86_400 } as const;

/** How long a tethering suspect stays in its set after its last new connection (SET_TIMEOUTS.tethering). */
export const TETHERING_WINDOW_MS = 3_600_000;

/**
 * The TTL (IPv4) and hop limit (IPv6) of a packet that one client routed: the common defaults
 * (64 for Android, iOS, macOS and Linux; 128 for Windows) less one.
 */
export const ROUTED_ONCE = [63, 127] as const;

/** firewall.tetheringSuspendMinutes when absent. */
export const DEFAULT_TETHERING_SUSPEND_MINUTES = 60;

/** firewall.heartbeatSeconds when absent. */
export const DEFAULT_HEARTBEAT_SECONDS = 10;

/** The set the running daemon keeps its guest networks' interfaces in. */
export const HEARTBEAT_SET = 'guests_served';

/** How often the daemon renews its guest networks' entries in HEARTBEAT_SET. */
export function heartbeatSeconds(firewall: Firewall): number {
  return firewall.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS;
}

/**
 * How long an entry lasts without renewal: three beats, so one late or failed renewal (a busy
 * box, an nft that took long) never signs every guest out, while a dead daemon does within this.
 */
export function heartbeatTimeoutSeconds(firewall: Firewall): number {
  return 3 * heartbeatSeconds(firewall);
}

/** The enabled guest networks, whose forwarding depends on the heartbeat. */
export function guestNetworks(networks: readonly Network[]): Network[] {
  return networks.filter((n) => n.enabled && n.kind === 'guest');
}

const chainId = (id: string): string => id.replace(/-/g, '_');

function v4(list: readonly string[]): string[] { return list.filter((s) => !isV6(s)); }
function v6(list: readonly string[]): string[] { return list.filter(isV6); }

/** The DNS listener a network's clients are sent to: one on its gateway address, or a wildcard. */
export function dnsListenerFor(network: Network, listen: readonly Endpoint[], family: 4 | 6): Endpoint | undefined {
  const own = family === 4 ? network.gateway.ipv4 : network.gateway.ipv6;
  if (!own) return undefined;
  const exact = listen.find((e) => e.address === own);
  if (exact) return exact;
  const wildcard = listen.find((e) => e.address === (family === 4 ? '0.0.0.0' : '::'));
  return wildcard ? { address: own, port: wildcard.port } : undefined;
}

/**
 * Where a guest network's portal answers: the web surface on port 80 of the network's own gateway
 * address (web.portal only turns the portal on; its endpoint is one more listener of the surface).
 */
function portalFor(network: Network, portal: Endpoint | undefined): Endpoint | undefined {
  if (!portal || !network.gateway.ipv4) return undefined;
  return { address: network.gateway.ipv4, port: SURFACE_PORT };
}

/** Matches a packet that arrived from this network: its interface and a source in its subnets. */
function fromNetwork(network: Network, family: 4 | 6): string | undefined {
  const subnets = family === 4 ? v4(network.subnets) : v6(network.subnets);
  if (subnets.length === 0) return undefined;
  return `iifname ${quote(network.interface)} ${family === 4 ? 'ip' : 'ip6'} saddr ${addressSet(subnets)}`;
}

function toNetwork(network: Network, family: 4 | 6): string | undefined {
  const subnets = family === 4 ? v4(network.subnets) : v6(network.subnets);
  if (subnets.length === 0) return undefined;
  return `oifname ${quote(network.interface)} ${family === 4 ? 'ip' : 'ip6'} daddr ${addressSet(subnets)}`;
}

function sets(firewall: Firewall): string[] {
  return [
    '  # Filled by the visitor portal: a guest device (address and MAC together, so a copied',
    '  # address alone gets nowhere) that may use the internet until its entry times out.',
    '  set authorised_guests {',
    '    type ipv4_addr . ether_addr',
    `    flags timeout; timeout ${SET_TIMEOUTS.authorised}`,
    '  }',
    '  # Devices cut off (schoolgate devices suspend): DNS and the gateway only, until the entry lapses.',
    '  set suspended {',
    '    type ether_addr',
    `    flags timeout; timeout ${SET_TIMEOUTS.suspended}`,
    '  }',
    '  # Addresses of DoH, VPN and proxy providers, learned as the bypass category\'s names resolve.',
    '  set bypass_v4 {',
    '    type ipv4_addr',
    `    flags timeout; timeout ${SET_TIMEOUTS.bypass}`,
    '  }',
    '  set bypass_v6 {',
    '    type ipv6_addr',
    `    flags timeout; timeout ${SET_TIMEOUTS.bypass}`,
    '  }',
    '  # Devices whose packets arrive with a TTL saying a client routed them (a phone\'s hotspot):',
    '  # filled by prerouting, read by the daemon.',
    '  set tethering_suspects {',
    '    type ether_addr',
    `    flags dynamic, timeout; timeout ${SET_TIMEOUTS.tethering}`,
    '  }',
    ...attemptSets(),
    '  # Filled by the AUP splash: a device (by MAC, on its network\'s interface) that has accepted',
    '  # the version in force. No timeout: a new version empties it (the daemon reloads it).',
    `  set ${AUP_SET} {`,
    '    type ifname . ether_addr',
    '  }',
    '  # The guest networks\' interfaces the running daemon serves, renewed every heartbeat: when it',
    '  # stops, each entry lapses and that network\'s guests are back to the portal only.',
    `  set ${HEARTBEAT_SET} {`,
    '    type ifname',
    `    flags timeout; timeout ${heartbeatTimeoutSeconds(firewall)}s`,
    '  }',
  ];
}

/**
 * Anti-spoofing, before NAT: a packet on a network's interface must come from that network's
 * subnets (or be a DHCP client that has no address yet, or IPv6 link-local/unspecified for
 * neighbour discovery). Networks sharing an interface share the allowed sources. A disabled
 * network's interface gets nothing through.
 */
function prerouting(networks: readonly Network[]): string[] {
  const lines = ['  chain prerouting {', '    type filter hook prerouting priority -160; policy accept;'];
  const byInterface = new Map<string, Network[]>();
  for (const n of networks) byInterface.set(n.interface, [...(byInterface.get(n.interface) ?? []), n]);
  for (const [iface, group] of byInterface) {
    const enabled = group.filter((n) => n.enabled);
    const q = quote(iface);
    if (enabled.length === 0) {
      lines.push(`    iifname ${q} drop comment "network ${group.map((n) => n.id).join(', ')} is switched off"`);
      continue;
    }
    for (const off of group.filter((n) => !n.enabled)) {
      for (const family of [4, 6] as const) {
        const from = fromNetwork(off, family);
        if (from) lines.push(`    ${from} drop comment "network ${off.id} is switched off"`);
      }
    }
    lines.push(`    iifname ${q} ip saddr 0.0.0.0 udp sport 68 udp dport ${DHCP_SERVER_PORT} accept`);
    const four = enabled.flatMap((n) => v4(n.subnets));
    lines.push(four.length > 0 ? `    iifname ${q} ip saddr != ${addressSet(four)} drop` : `    iifname ${q} meta nfproto ipv4 drop`);
    lines.push(`    iifname ${q} ip6 saddr != ${addressSet(['::/128', 'fe80::/10', ...enabled.flatMap((n) => v6(n.subnets))])} drop`);
  }
  lines.push(...tethering(networks), '  }');
  return lines;
}

/**
 * Tethering: here, before routing, the TTL is still the one the packet arrived with (forwarding
 * lowers it before the forward hook). Only a connection's first packet is looked at, and each
 * refreshes the suspect's timeout, so the set holds who tethered within the last hour.
 */
function tethering(networks: readonly Network[]): string[] {
  const ttls = `{ ${ROUTED_ONCE.join(', ')} }`;
  return networks.filter((n) => n.enabled && (n.tethering ?? 'monitor') !== 'off').flatMap((n) => {
    const lines: string[] = [];
    const four = fromNetwork(n, 4);
    const six = fromNetwork(n, 6);
    if (four) lines.push(`    ${four} ip ttl ${ttls} ct state new update @tethering_suspects { ether saddr } comment "${n.id}: routed once by a client (tethering)"`);
    if (six) lines.push(`    ${six} ip6 hoplimit ${ttls} ct state new update @tethering_suspects { ether saddr } comment "${n.id}: routed once by a client (tethering)"`);
    return lines;
  });
}

/** DNS interception: port 53 to any other resolver goes to the gateway's own DNS listener. */
function natPrerouting(input: RulesetInput): string[] {
  const lines = ['  chain nat_prerouting {', '    type nat hook prerouting priority dstnat; policy accept;'];
  for (const n of input.networks.filter((x) => x.enabled)) {
    for (const family of [4, 6] as const) {
      const from = fromNetwork(n, family);
      const listener = dnsListenerFor(n, input.dnsListen, family);
      if (!from) continue;
      if (!listener) {
        lines.push(`    # ${n.id}: no DNS listener on its IPv${family} gateway address, so port 53 is not intercepted`);
        continue;
      }
      const to = family === 4 ? `${listener.address}:${listener.port}` : `[${listener.address}]:${listener.port}`;
      lines.push(`    ${from} meta l4proto { tcp, udp } th dport 53 dnat ${family === 4 ? 'ip' : 'ip6'} to ${to}`);
    }
    const portal = n.kind === 'guest' ? portalFor(n, input.portal) : undefined;
    const from = fromNetwork(n, 4);
    if (portal && from) {
      // With the daemon gone every guest is unauthorised again, its web requests included.
      lines.push(`    ${from} iifname != @${HEARTBEAT_SET} tcp dport 80 dnat ip to ${portal.address}:${portal.port} comment "${n.id}: Schoolgate is not running"`);
      // An unauthorised guest's web request lands on the portal: the phone's captive-portal
      // probe sees it and opens the sign-in page.
      lines.push(`    ${from} ip saddr . ether saddr != @authorised_guests tcp dport 80 dnat ip to ${portal.address}:${portal.port}`);
    }
    // The AUP splash: plain HTTP (and so the OS's captive-portal probe) from a device that has not
    // accepted goes to the gateway's web surface. HTTPS and everything else is left alone.
    if (n.kind !== 'guest' && n.gateway.ipv4 && from && (input.aupSplash ?? []).includes(n.id)) {
      lines.push(`    ${from} iifname . ether saddr != @${AUP_SET} tcp dport ${SURFACE_PORT} dnat ip to ${n.gateway.ipv4}:${SURFACE_PORT} comment "${n.id}: AUP not accepted yet"`);
    }
  }
  lines.push('  }');
  return lines;
}

function forwardChain(n: Network, input: RulesetInput): string[] {
  const reach = KIND_REACH[n.kind];
  const wan = quote(input.firewall.wanInterface);
  const lines = [`  chain fwd_${chainId(n.id)} {`];
  if (!(input.firewall.ipv6Forward ?? []).includes(n.id)) {
    lines.push('    meta nfproto ipv6 reject with icmpx admin-prohibited comment "no IPv6 path out of this network"');
  }
  if (reach.internetAll) {
    lines.push(`    oifname ${wan} accept`);
  } else {
    lines.push(`    oifname ${wan} tcp dport { ${GUEST_TCP_PORTS.join(', ')} } accept`);
    if (input.firewall.guestUdp443) lines.push(`    oifname ${wan} udp dport 443 accept`);
  }
  for (const other of input.networks.filter((x) => x.enabled && x.id !== n.id && reach.kinds.includes(x.kind))) {
    for (const family of [4, 6] as const) {
      const to = toNetwork(other, family);
      if (to) lines.push(`    ${to} accept comment "to ${other.id}"`);
    }
  }
  // Everything else, other clients of the same network through the gateway included, is
  // refused. Stopping clients of one access point from talking directly (layer 2) is the APs'
  // client isolation: those frames never reach the gateway.
  lines.push('    reject with icmpx admin-prohibited', '  }');
  return lines;
}

function inputChain(n: Network, input: RulesetInput): string[] {
  const lines = [`  chain in_${chainId(n.id)} {`];
  lines.push(`    udp dport ${DHCP_SERVER_PORT} accept comment "DHCP renewals"`);
  const dnsPorts = new Set<number>([53]);
  for (const family of [4, 6] as const) {
    const l = dnsListenerFor(n, input.dnsListen, family);
    if (l) dnsPorts.add(l.port);
  }
  lines.push(`    meta l4proto { tcp, udp } th dport { ${[...dnsPorts].sort((a, b) => a - b).join(', ')} } accept comment "DNS"`);
  lines.push('    icmp type echo-request accept', '    icmpv6 type { echo-request, nd-neighbor-solicit, nd-router-solicit } accept');
  // Before the suspension's refusal: a suspended device keeps DNS and the block page, which is
  // where every blocked name sends it.
  lines.push(`    tcp dport ${SURFACE_PORT} accept comment "block page"`);
  if (!adminKinds(input.firewall).includes(n.kind) && input.portal?.port !== HTTPS_PORT) {
    // A blocked name is answered with this address, and HTTPS to it cannot show the block page
    // without a certificate warning: refused at once, so the browser gives up instead of waiting.
    // A portal served on 443 answers there instead (its certificate is the gateway's own).
    lines.push(`    tcp dport ${HTTPS_PORT} reject with tcp reset comment "HTTPS to a blocked name"`);
    lines.push(`    udp dport ${HTTPS_PORT} reject with icmpx port-unreachable comment "QUIC to a blocked name"`);
  }
  lines.push('    ether saddr @suspended reject with icmpx admin-prohibited');
  // The portal is on port 80 with the block page; web.portal's own port is one more way in.
  if (input.portal && input.portal.port !== SURFACE_PORT) lines.push(`    tcp dport ${input.portal.port} accept comment "visitor portal"`);
  if (adminKinds(input.firewall).includes(n.kind)) {
    lines.push(`    tcp dport { ${[SSH_PORT, input.admin.port, ...(input.adminHttpsPort !== undefined ? [input.adminHttpsPort] : [])].sort((a, b) => a - b).join(', ')} } accept comment "admin listener and SSH"`);
  }
  lines.push('    reject with icmpx admin-prohibited', '  }');
  return lines;
}

function baseChains(input: RulesetInput): string[] {
  const enabled = input.networks.filter((n) => n.enabled);
  const dispatch = (prefix: 'fwd' | 'in'): string[] => enabled.flatMap((n) =>
    ([4, 6] as const).map((f) => fromNetwork(n, f)).filter((m): m is string => m !== undefined)
      .map((m) => `    ${m} jump ${prefix}_${chainId(n.id)}`));
  const clientIfaces = [...new Set(input.networks.map((n) => n.interface))];
  const lines = [
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    '    ct state invalid drop',
    // Who may send at all comes before connection tracking's shortcut, so a suspension or an
    // expired guest authorisation also ends the connections already open.
    `    iifname ${addressSetOfNames(clientIfaces)} ether saddr @suspended reject with icmpx admin-prohibited comment "suspended device"`,
    ...failClosedGuests(input),
    ...unauthorisedGuests(input),
    ...enabled.flatMap((n) => p2pJumps(n, ([4, 6] as const).map((f) => fromNetwork(n, f)).filter((m): m is string => m !== undefined))),
    '    ct state established,related accept',
    // Before any network's own rules, so no exception a later step adds can let these through;
    // bypass_refuse counts each attempt for its device, then refuses it.
    `    iifname ${addressSetOfNames(clientIfaces)} meta l4proto { tcp, udp } th dport ${DOT_PORT} goto bypass_refuse comment "DNS over TLS/QUIC"`,
    `    iifname ${addressSetOfNames(clientIfaces)} ip daddr @bypass_v4 meta l4proto { tcp, udp } th dport 443 goto bypass_refuse comment "filter bypass providers"`,
    `    iifname ${addressSetOfNames(clientIfaces)} ip6 daddr @bypass_v6 meta l4proto { tcp, udp } th dport 443 goto bypass_refuse comment "filter bypass providers"`,
    ...dispatch('fwd'),
    // Traffic from a school interface that matched no network (prerouting already dropped
    // spoofed sources; this is a switched-off network sharing an interface) goes nowhere.
    `    iifname ${addressSetOfNames(clientIfaces)} drop`,
    '  }',
    '  chain input {',
    // Accept, not drop: the uplink and the box's own interfaces belong to the image's base rules.
    '    type filter hook input priority filter; policy accept;',
    '    ct state established,related accept',
    // A DHCP client has no address yet, and IPv6 neighbour discovery uses link-local ones:
    // neither matches a network's subnets.
    `    iifname ${addressSetOfNames(clientIfaces)} udp sport 68 udp dport ${DHCP_SERVER_PORT} accept`,
    `    iifname ${addressSetOfNames(clientIfaces)} icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } accept`,
    ...dispatch('in'),
    `    iifname ${addressSetOfNames(clientIfaces)} drop`,
    '  }',
  ];
  if (input.firewall.nat !== false) {
    const sources = enabled.flatMap((n) => v4(n.subnets));
    lines.push('  chain nat_postrouting {', '    type nat hook postrouting priority srcnat; policy accept;');
    if (sources.length > 0) lines.push(`    oifname ${quote(input.firewall.wanInterface)} ip saddr ${addressSet(sources)} masquerade`);
    lines.push('  }');
  }
  return lines;
}

/**
 * A guest network whose entry in the heartbeat set has lapsed (the daemon stopped renewing it)
 * forwards nothing, authorised guests included, and connections already open end too (this is
 * before the established shortcut). Only the portal's redirect (nat_prerouting) is left.
 */
function failClosedGuests(input: RulesetInput): string[] {
  return guestNetworks(input.networks).flatMap((n) => ([4, 6] as const).map((f) => fromNetwork(n, f))
    .filter((m): m is string => m !== undefined)
    .map((m) => `    ${m} iifname != @${HEARTBEAT_SET} reject with icmpx admin-prohibited comment "${n.id}: Schoolgate is not running (guests fail closed)"`));
}

/**
 * With a portal, a guest device goes nowhere until the portal authorises it (its HTTP was sent
 * to the portal in nat_prerouting); the rest is refused at once so the phone shows its sign-in
 * page quickly. Without a portal, guest networks are open to what their kind allows.
 */
function unauthorisedGuests(input: RulesetInput): string[] {
  if (!input.portal) return [];
  return input.networks.filter((n) => n.enabled && n.kind === 'guest').flatMap((n) => {
    const from = fromNetwork(n, 4);
    return from ? [`    ${from} ip saddr . ether saddr != @authorised_guests reject with icmpx admin-prohibited comment "not authorised by the portal"`] : [];
  });
}

function addressSetOfNames(names: readonly string[]): string {
  return names.length === 1 ? quote(names[0]!) : `{ ${names.map(quote).join(', ')} }`;
}

/** The whole transaction for `nft -f -`. */
export function renderRuleset(input: RulesetInput): string {
  const enabled = input.networks.filter((n) => n.enabled);
  const body = [
    ...sets(input.firewall),
    ...prerouting(input.networks),
    ...natPrerouting(input),
    ...baseChains(input),
    ...refusalChains(input.networks),
    ...enabled.flatMap((n) => forwardChain(n, input)),
    ...enabled.flatMap((n) => inputChain(n, input)),
  ];
  return [
    '#!/usr/sbin/nft -f',
    '# Schoolgate\'s own table, generated from the configuration: edits here are lost at the next apply.',
    `add table ${TABLE_FAMILY} ${TABLE_NAME}`,
    `delete table ${TABLE_FAMILY} ${TABLE_NAME}`,
    `table ${TABLE_FAMILY} ${TABLE_NAME} {`,
    ...body,
    '}',
    '',
  ].join('\n');
}

