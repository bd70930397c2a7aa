// DNS rebinding protection: a public name must not resolve to an address inside the school (or on
// the gateway itself), or a web page from that name could script the printer, the router's admin
// page or anything else a browser can reach. Names that are ours to resolve privately (the local
// domain, single-label names, configured exceptions) may.

/** Addresses as the inspection collects them: 16 bytes a slot, IPv4 in the first 4. */
export interface AddressSet {
  readonly addressCount: number;
  /** 4 or 6 per slot. */
  readonly addressFamily: Uint8Array;
  readonly addressBytes: Uint8Array;
}

export interface RebindingOptions {
  readonly enabled: boolean;
  /** Lower-case names whose subdomains (and themselves) may resolve privately; "*.x" means only below x. */
  readonly allowedDomains: readonly string[];
  readonly localDomain: string;
}

export type RebindingVerdict = 'allowed' | 'refused';

/**
 * Is an IPv4 address (unsigned 32-bit) one a public name has no business resolving to? This
 * network, private, shared CGN, loopback, link-local, IETF protocol assignments, benchmarking,
 * multicast and reserved (which takes in the limited broadcast address).
 */
export function isPrivateV4(v: number): boolean {
  const a = v >>> 24;
  if (a === 0 || a === 10 || a === 127 || a >= 224) return true;
  const ab = v >>> 16;
  if (ab === 0xa9fe || ab === 0xc0a8) return true; // 169.254/16, 192.168/16
  if (v >>> 22 === 0x191) return true; // 100.64/10
  if (v >>> 20 === 0xac1) return true; // 172.16/12
  if (v >>> 8 === 0xc00000) return true; // 192.0.0/24
  return v >>> 17 === 0x6309; // 198.18/15
}

/** The same judgement for the 16 bytes at `offset`; out-of-range bytes read as private (fail closed). */
export function isPrivateV6(bytes: Uint8Array, offset = 0): boolean {
  if (offset < 0 || offset + 16 > bytes.length) return true;
  const b0 = bytes[offset]!;
  const b1 = bytes[offset + 1]!;
  if ((b0 & 0xfe) === 0xfc) return true; // fc00::/7 unique local
  if (b0 === 0xff) return true; // ff00::/8 multicast
  // fe80::/10 link-local and the deprecated fec0::/10 site-local (RFC 3879) that some stacks still route.
  if (b0 === 0xfe && (b1 & 0xc0) >= 0x80) return true;
  if (allZero(bytes, offset, 10)) {
    const b10 = bytes[offset + 10]!;
    const b11 = bytes[offset + 11]!;
    // ::ffff:a.b.c.d reaches the IPv4 host itself.
    if (b10 === 0xff && b11 === 0xff) return isPrivateV4(v4At(bytes, offset + 12));
    if (b10 === 0 && b11 === 0 && bytes[offset + 12] === 0 && bytes[offset + 13] === 0 && bytes[offset + 14] === 0) {
      const last = bytes[offset + 15]!;
      if (last === 0 || last === 1) return true; // :: and ::1
    }
    return false;
  }
  // 64:ff9b::/96, the NAT64 well-known prefix: the gateway's NAT64 would carry it to the embedded v4.
  if (b0 === 0 && b1 === 0x64 && bytes[offset + 2] === 0xff && bytes[offset + 3] === 0x9b && allZero(bytes, offset + 4, 8)) {
    return isPrivateV4(v4At(bytes, offset + 12));
  }
  return false;
}

/** isPrivateV4 or isPrivateV6 by family: IPv4 as a 32-bit number or 4 bytes, IPv6 as 16 bytes, at `offset`. */
export function isPrivateOrLocal(family: 4, address: number): boolean;
export function isPrivateOrLocal(family: 4 | 6, address: Uint8Array, offset?: number): boolean;
export function isPrivateOrLocal(family: 6, address: Uint8Array, offset?: number): boolean;
export function isPrivateOrLocal(family: 4 | 6, address: number | Uint8Array, offset = 0): boolean {
  if (family === 4) return typeof address === 'number' ? isPrivateV4(address >>> 0) : isPrivateV4(v4At(address, offset));
  return typeof address === 'number' ? true : isPrivateV6(address, offset);
}

/**
 * Whether `name` (lower-case presentation form, as the query reader writes it) may carry these
 * addresses. Refused only when protection is on, the name is a public one, and at least one
 * address is private or local.
 */
export function rebindingVerdict(name: string, addresses: AddressSet, options: RebindingOptions): RebindingVerdict {
  if (!options.enabled || !anyPrivate(addresses)) return 'allowed';
  if (isSingleLabel(name) || isUnder(name, options.localDomain)) return 'allowed';
  const allowed = options.allowedDomains;
  for (let i = 0; i < allowed.length; i++) {
    if (isUnder(name, allowed[i]!)) return 'allowed';
  }
  return 'refused';
}

/** No unescaped dot: a bare host name such as `printer`, never meant for the public DNS. */
function isSingleLabel(name: string): boolean {
  if (name === '.') return false;
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) {
    if (!escaped(name, i)) return false;
  }
  return true;
}

function anyPrivate(set: AddressSet): boolean {
  const bytes = set.addressBytes;
  const families = set.addressFamily;
  for (let i = 0; i < set.addressCount; i++) {
    const offset = i * 16;
    const family = families[i];
    if (family === 4 ? isPrivateV4(v4At(bytes, offset)) : isPrivateV6(bytes, offset)) return true;
  }
  return false;
}

/** `name` is `domain` or below it; "*.x" matches only below x. Compares in place, no allocation. */
export function isUnder(name: string, domain: string): boolean {
  let suffixStart = 0;
  let strict = false;
  if (domain.length > 1 && domain.charCodeAt(0) === 0x2a && domain.charCodeAt(1) === 0x2e) {
    suffixStart = 2;
    strict = true;
  }
  let end = domain.length;
  if (end > suffixStart && domain.charCodeAt(end - 1) === 0x2e) end--; // a trailing root dot
  const length = end - suffixStart;
  if (length <= 0) return false;
  if (name.length < length) return false;
  const offset = name.length - length;
  if (offset === 0) {
    if (strict) return false;
  } else if (name.charCodeAt(offset - 1) !== 0x2e || escaped(name, offset - 1)) {
    return false;
  }
  for (let i = 0; i < length; i++) {
    if (name.charCodeAt(offset + i) !== domain.charCodeAt(suffixStart + i)) return false;
  }
  return true;
}

/** Is the character at `at` escaped, i.e. preceded by an odd run of backslashes (`a\.b`)? */
function escaped(name: string, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= 0 && name.charCodeAt(i) === 0x5c; i--) n++;
  return (n & 1) === 1;
}

function allZero(bytes: Uint8Array, from: number, count: number): boolean {
  for (let i = from; i < from + count; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Four bytes as an unsigned number; bytes past the end read as 0xff so the result is private. */
function v4At(bytes: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 4 > bytes.length) return 0xffffffff;
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}
