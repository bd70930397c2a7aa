// Interned "classes": what a key means, split by whether the question is the listed name itself
// (apex) or a name below it. A million keys share a few hundred distinct classes, so each key
// stores a class number and the masks live once here.
import {
  KIND_ALLOW, KIND_BLOCK, KIND_RESTRICTED, descCategory, descKind, descMode, modeCovers,
} from './entry.ts';

/** Words per class: apexLo, apexHi, belowLo, belowHi (block categories), flags. */
export const CLASS_STRIDE = 5;
export const ALLOW_APEX = 1;
export const ALLOW_BELOW = 2;
export const RESTRICTED_APEX = 4;
export const RESTRICTED_BELOW = 8;
export const CLASS_FLAGS = ALLOW_APEX | ALLOW_BELOW | RESTRICTED_APEX | RESTRICTED_BELOW;

const DESCRIPTORS = 1 << 11;

export class ClassInterner {
  #words = new Uint32Array(CLASS_STRIDE * 64);
  #count = 0;
  readonly #ids = new Map<string, number>();
  // Memos: list files are long runs of one (kind, mode, category), so nearly every add is a hit.
  readonly #fresh = new Int32Array(DESCRIPTORS).fill(-1);
  readonly #merged = new Map<number, number>();

  get count(): number {
    return this.#count;
  }

  /** The class of a key whose only entry has descriptor `desc`. */
  fresh(desc: number): number {
    let cls = this.#fresh[desc]!;
    if (cls < 0) {
      cls = this.#combine(-1, desc);
      this.#fresh[desc] = cls;
    }
    return cls;
  }

  /** The class of a key of class `cls` that gains an entry with descriptor `desc`. */
  merge(cls: number, desc: number): number {
    const memo = cls * DESCRIPTORS + desc;
    let out = this.#merged.get(memo);
    if (out === undefined) {
      out = this.#combine(cls, desc);
      this.#merged.set(memo, out);
    }
    return out;
  }

  /** The class words, trimmed to the classes in use. */
  finish(): Uint32Array {
    return this.#words.slice(0, this.#count * CLASS_STRIDE);
  }

  #combine(cls: number, desc: number): number {
    const w = this.#words;
    const base = cls * CLASS_STRIDE;
    let apexLo = cls < 0 ? 0 : w[base]!;
    let apexHi = cls < 0 ? 0 : w[base + 1]!;
    let belowLo = cls < 0 ? 0 : w[base + 2]!;
    let belowHi = cls < 0 ? 0 : w[base + 3]!;
    let flags = cls < 0 ? 0 : w[base + 4]!;
    const kind = descKind(desc);
    const mode = descMode(desc);
    const apex = modeCovers(mode, true);
    const below = modeCovers(mode, false);
    if (kind === KIND_BLOCK) {
      const bit = descCategory(desc);
      const lo = bit < 32 ? (1 << bit) >>> 0 : 0;
      const hi = bit < 32 ? 0 : (1 << (bit - 32)) >>> 0;
      if (apex) { apexLo |= lo; apexHi |= hi; }
      if (below) { belowLo |= lo; belowHi |= hi; }
    } else if (kind === KIND_ALLOW) {
      flags |= (apex ? ALLOW_APEX : 0) | (below ? ALLOW_BELOW : 0);
    } else if (kind === KIND_RESTRICTED) {
      flags |= (apex ? RESTRICTED_APEX : 0) | (below ? RESTRICTED_BELOW : 0);
    }
    return this.#intern(apexLo >>> 0, apexHi >>> 0, belowLo >>> 0, belowHi >>> 0, flags);
  }

  #intern(apexLo: number, apexHi: number, belowLo: number, belowHi: number, flags: number): number {
    const id = `${apexLo},${apexHi},${belowLo},${belowHi},${flags}`;
    const known = this.#ids.get(id);
    if (known !== undefined) return known;
    if ((this.#count + 1) * CLASS_STRIDE > this.#words.length) {
      const grown = new Uint32Array(this.#words.length * 2);
      grown.set(this.#words);
      this.#words = grown;
    }
    const base = this.#count * CLASS_STRIDE;
    this.#words[base] = apexLo;
    this.#words[base + 1] = apexHi;
    this.#words[base + 2] = belowLo;
    this.#words[base + 3] = belowHi;
    this.#words[base + 4] = flags;
    this.#ids.set(id, this.#count);
    return this.#count++;
  }
}
