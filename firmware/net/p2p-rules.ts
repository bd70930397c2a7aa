// Peer-to-peer file sharing as nftables payload matches, and the chains that count each device's
// refused attempts (P2P and filter bypass) in timed sets the daemon reads. Pure: text out.
//
// Why payload matches, and why only a connection's first packets: BitTorrent announces itself in
// its first bytes (the handshake, a DHT message, a uTP header, a tracker request), and looking
// only at the first packets of each connection costs nothing on the long flows that make up
// nearly all traffic. `@ih` is the transport payload (after the TCP or UDP header, options
// included). What this cannot see: BitTorrent's message stream encryption (MSE/PE) and trackers
// over HTTPS; a client set to "encryption required" gets through, which the README says.
import type { Network } from '../config/schema.ts';
import { p2pMode } from './reach.ts';

/** nft compares at most 128 bits in one payload expression: longer patterns are split. */
const MAX_MATCH_BYTES = 16;

/** `@ih` matches for `bytes` at `offset` bytes into the transport payload. */
export function payloadMatch(bytes: Uint8Array, offset = 0): string {
  const parts: string[] = [];
  for (let at = 0; at < bytes.length; at += MAX_MATCH_BYTES) {
    const chunk = bytes.subarray(at, Math.min(bytes.length, at + MAX_MATCH_BYTES));
    parts.push(`@ih,${(offset + at) * 8},${chunk.length * 8} 0x${Buffer.from(chunk).toString('hex')}`);
  }
  return parts.join(' ');
}

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

export interface P2pSignature {
  id: string;
  /** What it is, for the rule's comment and `net show`. */
  what: string;
  /** The nft match (protocol included), without a verdict. */
  match: string;
}

/** The first byte of a uTP (BEP 29) header: type 0-4 in the high nibble, version 1 in the low. */
const UTP_FIRST_BYTES = [0, 1, 2, 3, 4].map((type) => `0x${((type << 4) | 1).toString(16).padStart(2, '0')}`);
/** STUN (RFC 5389) carries this at offset 4; its binding responses start 0x01 0x01 like uTP data. */
const STUN_MAGIC_COOKIE = '0x2112a442';

export const P2P_SIGNATURES: readonly P2pSignature[] = [
  {
    id: 'bittorrent-handshake',
    what: 'BitTorrent handshake',
    // 19, then the protocol's name (BEP 3): the first message on every plain BitTorrent connection.
    match: `meta l4proto tcp ${payloadMatch(ascii('\x13BitTorrent protocol'))}`,
  },
  {
    id: 'tracker-announce',
    what: 'BitTorrent tracker announce over HTTP',
    // With the query every client sends first (BEP 3), so a site's /announcements page is not
    // mistaken for a tracker; trackers at other paths (announce.php, a passkey first) are not seen.
    match: `meta l4proto tcp ${payloadMatch(ascii('GET /announce?info_hash='))}`,
  },
  {
    id: 'dht-query',
    what: 'BitTorrent DHT query',
    // A KRPC message (BEP 5) is a bencoded dictionary whose keys are sorted: a query's "a"
    // (arguments) dictionary, a response's "r", each starting with the sender's 20-byte id.
    match: `meta l4proto udp ${payloadMatch(ascii('d1:ad2:id20:'))}`,
  },
  {
    id: 'dht-response',
    what: 'BitTorrent DHT response',
    match: `meta l4proto udp ${payloadMatch(ascii('d1:rd2:id20:'))}`,
  },
  {
    id: 'udp-tracker-connect',
    what: 'BitTorrent UDP tracker connect',
    // BEP 15: the 64-bit protocol id 0x41727101980, then action 0 (connect).
    match: `meta l4proto udp ${payloadMatch(Buffer.from('0000041727101980', 'hex'))} ${payloadMatch(new Uint8Array(4), 8)}`,
  },
  {
    id: 'utp',
    what: 'uTP (BitTorrent over UDP)',
    // A 20-byte header at least; the extension byte is 0, 1 or 2. Not UDP 443, where a QUIC
    // short header can start with the same byte, and not STUN, whose responses can too.
    match: `meta l4proto udp udp length >= 28 udp dport != 443 @ih,0,8 { ${UTP_FIRST_BYTES.join(', ')} } @ih,8,8 < 3 @ih,32,32 != ${STUN_MAGIC_COOKIE}`,
  },
];

/** A connection's packets looked at, in the original direction: enough for any handshake above. */
export const P2P_FIRST_PACKETS = 8;

/** Counting sets: each refused attempt updates its device's element (address . MAC) and counter. */
export const ATTEMPT_SETS = {
  bypass: { v4: 'bypass_attempts_v4', v6: 'bypass_attempts_v6' },
  p2p: { v4: 'p2p_attempts_v4', v6: 'p2p_attempts_v6' },
} as const;

/** How long a device's attempt count stays without a new attempt; the daemon reads it every minute. */
export const ATTEMPTS_TIMEOUT = '1h';

export function attemptSets(): string[] {
  const lines = [
    '  # Refused attempts per device (address . MAC, so clients behind a relay stay apart), with a',
    '  # packet counter: filled by the rules, read and reset by the daemon (net.bypass, net.p2p events).',
  ];
  for (const names of Object.values(ATTEMPT_SETS)) {
    for (const [family, name] of Object.entries(names)) {
      lines.push(
        `  set ${name} {`,
        `    type ${family === 'v4' ? 'ipv4_addr' : 'ipv6_addr'} . ether_addr`,
        `    flags dynamic, timeout; timeout ${ATTEMPTS_TIMEOUT}`,
        '    counter',
        '  }',
      );
    }
  }
  return lines;
}

/**
 * The chains that count and refuse: `bypass_refuse` (DoT, bypass providers' addresses) and, when
 * some network blocks P2P, `p2p` (the signatures) and `p2p_refuse`. Each `update` carries its
 * family's implicit dependency, so only one of the pair matches a packet.
 */
export function refusalChains(networks: readonly Network[]): string[] {
  const count = (sets: { v4: string; v6: string }): string[] => [
    `    update @${sets.v4} { ip saddr . ether saddr }`,
    `    update @${sets.v6} { ip6 saddr . ether saddr }`,
  ];
  const lines = [
    '  chain bypass_refuse {',
    ...count(ATTEMPT_SETS.bypass),
    '    reject with icmpx admin-prohibited',
    '  }',
  ];
  if (!networks.some((n) => n.enabled && p2pMode(n) === 'block')) return lines;
  lines.push(
    '  chain p2p {',
    ...P2P_SIGNATURES.map((s) => `    ${s.match} goto p2p_refuse comment "${s.what}"`),
    '  }',
    '  chain p2p_refuse {',
    ...count(ATTEMPT_SETS.p2p),
    // A reset ends the connection: a dropped handshake would be retransmitted until it came
    // after the first packets looked at, and then pass.
    '    meta l4proto tcp reject with tcp reset',
    '    drop',
    '  }',
  );
  return lines;
}

/**
 * The jumps from `forward` for a network that blocks P2P, given its source matches: before
 * connection tracking's shortcut, since the handshake travels on an established connection, and
 * only in a connection's first packets. A dropped UDP packet never confirms its connection, so a
 * DHT or uTP packet sent again is again a first packet and is looked at again. Loading a rule
 * that reads `ct original packets` switches conntrack accounting on (nf_conntrack_acct) itself.
 */
export function p2pJumps(network: Network, sources: readonly string[]): string[] {
  if (!network.enabled || p2pMode(network) !== 'block') return [];
  return sources.map((from) => `    ${from} ct original packets < ${P2P_FIRST_PACKETS} jump p2p comment "${network.id}: no peer-to-peer"`);
}
