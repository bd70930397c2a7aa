// The hash table: a "compact dict". A sparse power-of-two slot array (Uint32Array) holds, per
// occupied slot, the entry number plus an 8-bit tag from the key; the keys and everything else
// live in dense per-entry arrays in insertion order. Compared with per-slot parallel arrays this
// costs 4 bytes per slot instead of ~20, so the load factor can stay low (fast misses) while a
// million keys take ~28 MB in all. The tag lets a probe skip a foreign entry without touching the
// key array, so an unlisted name usually costs a single cache line.
//
// Keys are 64-bit hashes with no names stored: two distinct listed names share a key with
// probability ~n²/2^65 (≈3e-8 for a million names, i.e. effectively never), and an unlisted name
// matches a listed key with probability ~n/2^64 per suffix (≈5e-14). Storing a short check of
// the name would not lower that (it is just more hash bits) and storing names would break the
// rule that restricted names are never kept. Deliberate collisions would need the hash seed;
// see CompileOptions.seed.

/** Entry numbers use the low 24 bits of a slot (value = entry + 1, so 0 means empty). */
export const MAX_ENTRIES = 0xffffff - 1;
const ENTRY_BITS = 0xffffff;
/** Grow before the table is more than 60% full: linear probing stays short below that. */
export const MAX_LOAD = 0.6;
export const MIN_CAPACITY = 16;

export function capacityFor(entries: number): number {
  let capacity = MIN_CAPACITY;
  while (entries > capacity * MAX_LOAD) capacity *= 2;
  return capacity;
}

/** The entry whose key is (lo, hi), or -1. `keys` holds [lo, hi] per entry. */
export function findEntry(slots: Uint32Array, keys: Uint32Array, lo: number, hi: number): number {
  const mask = slots.length - 1;
  const tag = hi >>> 24;
  let slot = lo & mask;
  for (;;) {
    const v = slots[slot]!;
    if (v === 0) return -1;
    if (v >>> 24 === tag) {
      const e = (v & ENTRY_BITS) - 1;
      if (keys[2 * e] === lo && keys[2 * e + 1] === hi) return e;
    }
    slot = (slot + 1) & mask;
  }
}

/** Puts entry `e` with key (lo, hi) in the first free slot of its probe run (the key must be new). */
export function placeEntry(slots: Uint32Array, lo: number, hi: number, e: number): void {
  const mask = slots.length - 1;
  let slot = lo & mask;
  while (slots[slot] !== 0) slot = (slot + 1) & mask;
  slots[slot] = (((hi >>> 24) << 24) | (e + 1)) >>> 0;
}

/** A fresh slot array of `capacity` holding the first `entries` keys of `keys`. */
export function buildSlots(keys: Uint32Array, entries: number, capacity: number): Uint32Array {
  const slots = new Uint32Array(capacity);
  for (let e = 0; e < entries; e++) placeEntry(slots, keys[2 * e]!, keys[2 * e + 1]!, e);
  return slots;
}

/**
 * Why `slots` is not a valid table over `entries` keys, or undefined: every slot names a real
 * entry with the right tag, every entry appears exactly once, and is reachable from its home slot
 * without crossing an empty one (otherwise lookups would miss it).
 */
export function checkSlots(slots: Uint32Array, keys: Uint32Array, entries: number): string | undefined {
  const capacity = slots.length;
  if (capacity < MIN_CAPACITY || (capacity & (capacity - 1)) !== 0) return `slot count ${capacity} is not a power of two ≥ ${MIN_CAPACITY}`;
  if (entries > capacity * MAX_LOAD) return `${entries} entries overfill ${capacity} slots`;
  const mask = capacity - 1;
  const seen = new Uint8Array(entries);
  // Probe runs may wrap around the end; start just after an empty slot so each run is whole.
  const start = slots.indexOf(0);
  if (start < 0) return 'no empty slot';
  let runStart = start;
  let found = 0;
  for (let k = 1; k <= capacity; k++) {
    const slot = (start + k) & mask;
    const v = slots[slot]!;
    if (v === 0) {
      runStart = slot;
      continue;
    }
    const e = (v & ENTRY_BITS) - 1;
    if (e < 0 || e >= entries) return `slot ${slot} names entry ${e + 1} of ${entries}`;
    if (seen[e]) return `entry ${e} is in the table twice`;
    seen[e] = 1;
    found++;
    const lo = keys[2 * e]!;
    if (v >>> 24 !== keys[2 * e + 1]! >>> 24) return `slot ${slot} has the wrong tag for entry ${e}`;
    // The home slot must lie within the run that ends here: (slot - home) ≤ (slot - runStart - 1).
    const distance = (slot - (lo & mask)) & mask;
    const run = (slot - runStart - 1) & mask;
    if (distance > run) return `entry ${e} is unreachable from its home slot`;
  }
  if (found !== entries) return `${entries - found} entries are missing from the table`;
  return undefined;
}
