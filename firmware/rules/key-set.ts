// A set of 64-bit keys (two 32-bit halves) in typed arrays: what the list checker remembers of
// each name to count repeats. A Set of a million name strings cost ~80 MB of V8 heap; this is
// 8 bytes a key plus its slots, ~24 MB for 1M names, freed as one block.

const MAX_LOAD = 0.5;

export class KeySet {
  #keys: Uint32Array;
  /** Open addressing: 0 is empty, else the key's index + 1. */
  #slots: Uint32Array;
  #size = 0;

  /** `expected`: about how many keys will be added (the set grows past it). */
  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity * MAX_LOAD < expected) capacity *= 2;
    this.#slots = new Uint32Array(capacity);
    this.#keys = new Uint32Array(2 * Math.ceil(capacity * MAX_LOAD));
  }

  get size(): number {
    return this.#size;
  }

  /** Adds the key; false when it was there already. */
  add(lo: number, hi: number): boolean {
    const mask = this.#slots.length - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const s = this.#slots[i]!;
      if (s === 0) break;
      if (this.#keys[2 * (s - 1)] === lo >>> 0 && this.#keys[2 * (s - 1) + 1] === hi >>> 0) return false;
      i = (i + 1) & mask;
    }
    if (2 * (this.#size + 1) > this.#keys.length) {
      this.#grow();
      return this.add(lo, hi);
    }
    this.#keys[2 * this.#size] = lo;
    this.#keys[2 * this.#size + 1] = hi;
    this.#slots[i] = ++this.#size;
    return true;
  }

  #grow(): void {
    const keys = new Uint32Array(this.#keys.length * 2);
    keys.set(this.#keys);
    this.#keys = keys;
    const slots = new Uint32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.#size; e++) {
      let i = (keys[2 * e]! ^ Math.imul(keys[2 * e + 1]!, 0x9e3779b1)) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = e + 1;
    }
    this.#slots = slots;
  }
}
