// 64-bit hashes of a name and of every parent at once. The name is read right to left, so the
// state after the rightmost k labels is the hash of that suffix: `www.example.co.uk` costs one
// pass and yields `uk`, `co.uk`, `example.co.uk`, `www.example.co.uk`.
//
// Two independent 32-bit lanes (different multipliers; the second also folds its high bits down
// each step so low bits depend on the whole input) give the two halves. Each suffix is finalised
// with murmur3's fmix32, a bijection, so finalising adds no collisions but spreads the bits the
// table uses for its slot and tag. The hash is a pure function of (seed, text): the compiled
// table can be cached on disk and reloaded.

const DOT = 0x2e;
const BACKSLASH = 0x5c;
const LANE_A_PRIME = 0x01000193; // FNV-1a's
const LANE_B_PRIME = 0x5bd1e995; // murmur2's
const LANE_A_BASIS = 0x811c9dc5;
const LANE_B_BASIS = 0x9747b28c;
const GOLDEN = 0x9e3779b9;

/** Words written per suffix by hashSuffixes: [lo, hi, start]. */
export const SUFFIX_STRIDE = 3;

/** A valid DNS name has at most 127 labels; a scratch of this many suffixes covers every one. */
export const MAX_LABELS = 127;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** True when the character at `i` follows an odd run of backslashes, i.e. is escaped (`\.`). */
function isEscaped(name: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && name.charCodeAt(j) === BACKSLASH) j--;
  return ((i - 1 - j) & 1) === 1;
}

/**
 * The end of the name proper: a single trailing unescaped dot (absolute form) is ignored, so
 * `example.com.` and `example.com` hash alike. The wire reader never adds one; people do.
 */
export function nameEnd(name: string): number {
  const end = name.length;
  if (end > 1 && name.charCodeAt(end - 1) === DOT && !isEscaped(name, end - 1)) return end - 1;
  return end;
}

/**
 * Hashes every suffix of `name` at a label boundary into `out` as [lo, hi, start] triples,
 * shortest suffix first (so the last triple is the whole name). Labels are separated by
 * unescaped dots; `\.` and `\DDD` stay inside their label, exactly as the wire reader writes them.
 *
 * Returns the number of suffixes: 0 for "" and "." (the root), or -1 when `out` has room for
 * fewer triples than the name has labels (nothing useful is left in `out` then; retry with a
 * larger array — MAX_LABELS triples always suffice for a name read off the wire).
 */
export function hashSuffixes(name: string, seed: number, out: Uint32Array): number {
  const end = nameEnd(name);
  if (end === 0 || (end === 1 && name.charCodeAt(0) === DOT)) return 0;
  let a = (LANE_A_BASIS ^ seed) | 0;
  let b = (LANE_B_BASIS ^ fmix32(seed + GOLDEN)) | 0;
  let w = 0;
  const room = out.length - SUFFIX_STRIDE;
  for (let i = end - 1; i >= 0; i--) {
    const c = name.charCodeAt(i);
    if (c === DOT && !isEscaped(name, i)) {
      if (w > room) return -1;
      const lo = fmix32(a ^ Math.imul(end - i - 1, GOLDEN));
      out[w] = lo;
      out[w + 1] = fmix32(b ^ lo);
      out[w + 2] = i + 1;
      w += SUFFIX_STRIDE;
    }
    a = Math.imul(a ^ c, LANE_A_PRIME);
    b = Math.imul(b ^ c, LANE_B_PRIME);
    b ^= b >>> 15;
  }
  if (w > room) return -1;
  const lo = fmix32(a ^ Math.imul(end, GOLDEN));
  out[w] = lo;
  out[w + 1] = fmix32(b ^ lo);
  out[w + 2] = 0;
  return w / SUFFIX_STRIDE + 1;
}

/**
 * The whole-name hash of hashSuffixes (its last [lo, hi]) for a name held as ASCII bytes
 * `bytes[start, end)`, written to out[0], out[1]. For names already in the list reader's normal
 * form (no escapes, no trailing dot): the compiler hashes plain list lines without making strings.
 */
export function hashNameBytes(bytes: Uint8Array, start: number, end: number, seed: number, out: Uint32Array): void {
  let a = (LANE_A_BASIS ^ seed) | 0;
  let b = (LANE_B_BASIS ^ fmix32(seed + GOLDEN)) | 0;
  for (let i = end - 1; i >= start; i--) {
    const c = bytes[i]!;
    a = Math.imul(a ^ c, LANE_A_PRIME);
    b = Math.imul(b ^ c, LANE_B_PRIME);
    b ^= b >>> 15;
  }
  const lo = fmix32(a ^ Math.imul(end - start, GOLDEN));
  out[0] = lo;
  out[1] = fmix32(b ^ lo);
}
