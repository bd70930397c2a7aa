// IP addresses and prefixes as numbers, so subnet membership is arithmetic rather than string work.
// Shared by config validation (overlaps, gateway inside its subnet) and client lookup on the hot path.
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface ParsedAddress {
  family: Family;
  /** IPv4 in the low 32 bits; IPv6 as a 128-bit value. */
  value: bigint;
}

export interface Prefix {
  family: Family;
  network: bigint;
  length: number;
  /** The prefix as written canonically, e.g. 10.20.0.0/16. */
  text: string;
}

export function parseIPv4(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  const p = text.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

function parseIPv6(text: string): bigint | undefined {
  if (!isIPv6(text)) return undefined;
  let t = text;
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hextets.
  const lastColon = t.lastIndexOf(':');
  const tail = t.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIPv4(tail);
    if (v4 === undefined) return undefined;
    t = `${t.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = t.split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  const groups = halves.length > 1 ? [...head, ...Array<string>(missing).fill('0'), ...rest] : head;
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  return value;
}

export function parseAddress(text: string): ParsedAddress | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, value: BigInt(v4) };
  const v6 = parseIPv6(text);
  if (v6 !== undefined) {
    // IPv4-mapped IPv6 (how a dual-stack socket reports IPv4 peers) is the IPv4 address.
    if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
    return { family: 6, value: v6 };
  }
  return undefined;
}

const bits = (family: Family): number => (family === 4 ? 32 : 128);

function mask(family: Family, length: number): bigint {
  const total = bits(family);
  return ((1n << BigInt(total)) - 1n) ^ ((1n << BigInt(total - length)) - 1n);
}

export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) {
    const n = Number(value);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Collapse the longest run of zero groups, as RFC 5952 asks.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Parses "a.b.c.d/n" or "x::/n". Host bits must be zero: a typo there usually means a wrong length. */
export function parsePrefix(text: string): Prefix | { error: string } {
  const slash = text.indexOf('/');
  if (slash < 0) return { error: 'missing "/length"' };
  const addr = parseAddress(text.slice(0, slash));
  if (!addr || (addr.family === 4 && text.includes(':'))) return { error: 'not an IPv4 or IPv6 address before "/"' };
  const lenText = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(lenText)) return { error: 'prefix length is not a number' };
  const length = Number(lenText);
  if (length > bits(addr.family)) return { error: `prefix length ${length} is longer than ${bits(addr.family)}` };
  const network = addr.value & mask(addr.family, length);
  if (network !== addr.value) {
    return { error: `host bits are set; did you mean ${formatAddress(addr.family, network)}/${length}?` };
  }
  return { family: addr.family, network, length, text: `${formatAddress(addr.family, network)}/${length}` };
}

export function prefixContains(prefix: Prefix, address: ParsedAddress): boolean {
  return prefix.family === address.family && (address.value & mask(prefix.family, prefix.length)) === prefix.network;
}

export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  if (a.family !== b.family) return false;
  const shorter = Math.min(a.length, b.length);
  const m = mask(a.family, shorter);
  return (a.network & m) === (b.network & m);
}
