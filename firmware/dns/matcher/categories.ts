// Category ids <-> bit numbers. A name's categories travel as a 64-bit set split into two uint32
// halves, so the per-query path combines them with plain int operations instead of BigInt.

/** The category set is one 64-bit mask; there is no room for a 65th category. */
export const MAX_CATEGORIES = 64;

/** A set of categories as two uint32 halves: bit b lives in `lo` for b < 32, in `hi` otherwise. */
export interface CategoryMask {
  lo: number;
  hi: number;
}

export class CategoryLimitError extends Error {
  constructor(id: string, ids: readonly string[]) {
    super(`cannot add category "${id}": at most ${MAX_CATEGORIES} categories are supported and ${ids.length} are in use (${ids.join(', ')})`);
    this.name = 'CategoryLimitError';
  }
}

export class CategoryIndex {
  readonly #bits = new Map<string, number>();
  readonly #ids: string[] = [];

  /** `ids` take bits 0, 1, … in order, so the same configuration gives the same bits on every reload. */
  constructor(ids: Iterable<string> = []) {
    for (const id of ids) this.bit(id);
  }

  get size(): number {
    return this.#ids.length;
  }

  /** The bit of `id`, assigning the next free one to a new id; throws CategoryLimitError past 64. */
  bit(id: string): number {
    const known = this.#bits.get(id);
    if (known !== undefined) return known;
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('a category id must be a non-empty string');
    if (this.#ids.length >= MAX_CATEGORIES) throw new CategoryLimitError(id, this.#ids);
    const bit = this.#ids.length;
    this.#bits.set(id, bit);
    this.#ids.push(id);
    return bit;
  }

  /** The bit of `id`, or undefined when no list uses it (without assigning one). */
  get(id: string): number | undefined {
    return this.#bits.get(id);
  }

  idOf(bit: number): string | undefined {
    return this.#ids[bit];
  }

  ids(): readonly string[] {
    return this.#ids;
  }

  /**
   * The mask of `ids`. Ids without a bit are skipped: no listed name carries them, so a policy
   * blocking such a category blocks nothing through the matcher.
   */
  mask(ids: Iterable<string>, out: CategoryMask = { lo: 0, hi: 0 }): CategoryMask {
    out.lo = 0;
    out.hi = 0;
    for (const id of ids) {
      const bit = this.#bits.get(id);
      if (bit === undefined) continue;
      if (bit < 32) out.lo = (out.lo | (1 << bit)) >>> 0;
      else out.hi = (out.hi | (1 << (bit - 32))) >>> 0;
    }
    return out;
  }

  /** The ids whose bits are set in (lo, hi), in bit order. */
  idsOf(lo: number, hi: number): string[] {
    const out: string[] = [];
    for (let bit = 0; bit < this.#ids.length; bit++) {
      const word = bit < 32 ? lo : hi;
      if ((word >>> (bit & 31)) & 1) out.push(this.#ids[bit]!);
    }
    return out;
  }

  clone(): CategoryIndex {
    return new CategoryIndex(this.#ids);
  }
}
