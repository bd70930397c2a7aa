// Restricted lists supplied hashed (format 'sha256'): the set of SHA-256 digests of listed names,
// compact and searchable without ever holding a listed name.
//
// Layout: entries sorted by digest; the first 64 bits of each as two Uint32Arrays (hi, lo) for a
// binary search that allocates nothing, and the full 32-byte digests in one contiguous
// Uint8Array to confirm a hit. 1M entries take 40 MB.
import { createHash } from 'node:crypto';

const DIGEST = 32;

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function compareDigests(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): number {
  for (let i = 0; i < DIGEST; i++) {
    const d = a[aAt + i]! - b[bAt + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** A buffer for `matchName`, reused across questions: big enough for any name. */
export function createNameScratch(): Uint8Array {
  return new Uint8Array(256);
}

export class HashedSet {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly digests: Uint8Array;
  /** Digests given more than once, folded. */
  readonly duplicates: number;

  private constructor(hi: Uint32Array, lo: Uint32Array, digests: Uint8Array, duplicates: number) {
    this.hi = hi;
    this.lo = lo;
    this.digests = digests;
    this.duplicates = duplicates;
  }

  /**
   * Builds the set from 64-digit hex digests (as the 'sha256' parser emits them). A malformed one
   * is refused by its position, never quoted.
   */
  static fromHex(hexes: readonly string[]): HashedSet | { error: string; index: number } {
    const raw = new Uint8Array(hexes.length * DIGEST);
    for (const [index, hex] of hexes.entries()) {
      if (!/^[0-9a-f]{64}$/i.test(hex)) return { error: 'not a SHA-256 in hex (64 digits)', index };
      raw.set(Buffer.from(hex, 'hex'), index * DIGEST);
    }
    const order = Array.from({ length: hexes.length }, (_, i) => i);
    order.sort((a, b) => compareDigests(raw, a * DIGEST, raw, b * DIGEST));
    let kept = 0;
    const digests = new Uint8Array(raw.length);
    for (const i of order) {
      if (kept > 0 && compareDigests(raw, i * DIGEST, digests, (kept - 1) * DIGEST) === 0) continue;
      digests.set(raw.subarray(i * DIGEST, (i + 1) * DIGEST), kept * DIGEST);
      kept++;
    }
    const hi = new Uint32Array(kept);
    const lo = new Uint32Array(kept);
    for (let i = 0; i < kept; i++) {
      hi[i] = readU32(digests, i * DIGEST);
      lo[i] = readU32(digests, i * DIGEST + 4);
    }
    return new HashedSet(hi, lo, digests.slice(0, kept * DIGEST), hexes.length - kept);
  }

  get size(): number {
    return this.hi.length;
  }

  /** Whether the 32-byte digest is in the set. */
  has(digest: Uint8Array): boolean {
    if (digest.length !== DIGEST) return false;
    const h = readU32(digest, 0);
    const l = readU32(digest, 4);
    let low = 0;
    let high = this.hi.length;
    // Lower bound of (h, l); equal 64-bit prefixes sit next to each other after it.
    while (low < high) {
      const mid = (low + high) >>> 1;
      const mh = this.hi[mid]!;
      if (mh < h || (mh === h && this.lo[mid]! < l)) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < this.hi.length && this.hi[i] === h && this.lo[i] === l; i++) {
      if (compareDigests(this.digests, i * DIGEST, digest, 0) === 0) return true;
    }
    return false;
  }

  /**
   * Whether `name` (normalised, as the DNS reader gives it) or any parent of it is listed: one
   * SHA-256 per label, so "a.b.example.com" costs four hashes of at most 253 bytes, a few
   * microseconds in all. It runs only when a hashed list is configured. `scratch` holds the
   * name's bytes so each parent is hashed as a view, without making substrings.
   */
  matchName(name: string, scratch: Uint8Array): boolean {
    if (this.hi.length === 0 || name.length === 0) return false;
    const bytes = name.length <= scratch.length ? scratch : new Uint8Array(name.length);
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      // Listed names are ASCII (punycode); anything else cannot be on the list.
      if (c > 0x7f) return false;
      bytes[i] = c;
    }
    let start = 0;
    while (start < name.length) {
      const digest = createHash('sha256').update(bytes.subarray(start, name.length)).digest();
      if (this.has(digest)) return true;
      const dot = name.indexOf('.', start);
      if (dot < 0) break;
      start = dot + 1;
    }
    return false;
  }
}
