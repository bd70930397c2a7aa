// Lists -> Matcher. Entries stream in one at a time (list files are parsed line by line) and are
// merged by key as they arrive, so building never holds more than the table being built; no name
// is kept once hashed.
import { CategoryIndex } from './categories.ts';
import { ClassInterner } from './classes.ts';
import type { MatcherData } from './data.ts';
import {
  KIND_BLOCK, KIND_RESTRICTED, KINDS, MODE_SUFFIX, MODES, NO_CATEGORY, checkName, descriptor,
  type MatcherEntry, type MatcherReject,
} from './entry.ts';
import { MAX_LABELS, SUFFIX_STRIDE, hashNameBytes, hashSuffixes } from './hash.ts';
import { Matcher } from './matcher.ts';
import { MAX_ENTRIES, MAX_LOAD, MIN_CAPACITY, buildSlots, capacityFor, findEntry, placeEntry } from './table.ts';

export interface CompileOptions {
  /**
   * Category ids to number first, in order (usually every category the configuration knows), so
   * bits stay the same across reloads; ids met only in entries are numbered after them.
   */
  categories?: CategoryIndex | Iterable<string>;
  /**
   * Hash seed (uint32). Any fixed value gives reproducible tables; the daemon should pass a
   * random per-installation value kept with its data, so nobody can compute in advance a
   * made-up name whose hash equals an allow-listed one (a collision is the only way a name could
   * borrow another's verdict).
   */
  seed?: number;
  /** Told about each refused entry (the reason never includes the name). */
  onReject?: (reject: MatcherReject) => void;
  /**
   * Roughly how many names to expect (e.g. the lists' line counts): sizes the arrays up front
   * so a big compile does not regrow and rehash them. Only a hint; any count still works.
   */
  expectedNames?: number;
}

// The builder's arrays are its own (each spans its whole buffer) and nothing else sees them until
// build(), so one it replaces is released at once (ArrayBuffer transfer: detached, its memory
// freed) rather than left for V8 to collect: a 1M-name table's arrays are ~28 MB, and the
// compiler thread's garbage counted toward the reload's peak.
const release = (array: Uint32Array<ArrayBuffer> | Uint16Array<ArrayBuffer>): void => {
  array.buffer.transfer(0);
};
function grow32(array: Uint32Array<ArrayBuffer>, length: number): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(length);
  out.set(array);
  release(array);
  return out;
}
function grow16(array: Uint16Array<ArrayBuffer>, length: number): Uint16Array<ArrayBuffer> {
  const out = new Uint16Array(length);
  out.set(array);
  release(array);
  return out;
}

// Growth leaves slack at the end of each array; a copy of the used part lets the slack be freed.
// A compile sized by expectedNames leaves little, and there the copy (a pass over ~20 MB for 1M
// names, ~11 ms) would free less than it costs: up to an eighth of slack is kept, in a view (never
// written, so never resident). The copy is a transfer: the old array is freed as it is made.
const keepsSlack = (capacity: number, length: number): boolean => capacity - length <= capacity >>> 3;
const trim32 = (array: Uint32Array<ArrayBuffer>, length: number): Uint32Array =>
  (array.length === length ? array : keepsSlack(array.length, length) ? array.subarray(0, length) : new Uint32Array(array.buffer.transfer(4 * length)));
const trim16 = (array: Uint16Array<ArrayBuffer>, length: number): Uint16Array =>
  (array.length === length ? array : keepsSlack(array.length, length) ? array.subarray(0, length) : new Uint16Array(array.buffer.transfer(2 * length)));

export class MatcherBuilder {
  readonly #seed: number;
  readonly #categories: CategoryIndex;
  readonly #classes = new ClassInterner();
  readonly #onReject: ((reject: MatcherReject) => void) | undefined;
  readonly #hashes = new Uint32Array((MAX_LABELS + 1) * SUFFIX_STRIDE);
  #slots: Uint32Array<ArrayBuffer> = new Uint32Array(MIN_CAPACITY);
  #entries = 0;
  #keys: Uint32Array<ArrayBuffer> = new Uint32Array(2 * 1024);
  #classOf: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  #lists: Uint16Array<ArrayBuffer> = new Uint16Array(1024);
  #lines: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  #descs: Uint16Array<ArrayBuffer> = new Uint16Array(1024);
  #extras = 0;
  #extraEntry: Uint32Array<ArrayBuffer> = new Uint32Array(256);
  #extraList: Uint16Array<ArrayBuffer> = new Uint16Array(256);
  #extraLine: Uint32Array<ArrayBuffer> = new Uint32Array(256);
  #extraDesc: Uint16Array<ArrayBuffer> = new Uint16Array(256);
  /** The last entry's kind, mode and category, and the descriptor they gave (#descriptorOf). */
  #lastKind: MatcherEntry['kind'] | null = null;
  #lastMode: MatcherEntry['mode'] | null = null;
  #lastCategory: string | undefined | null = null;
  #lastDesc = 0;
  #accepted = 0;
  #rejected = 0;
  #built = false;

  constructor(options: CompileOptions = {}) {
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`hash seed must be a uint32, got ${seed}`);
    this.#seed = seed;
    const { categories } = options;
    this.#categories = categories instanceof CategoryIndex ? categories.clone() : new CategoryIndex(categories ?? []);
    this.#onReject = options.onReject;
    const expected = Math.min(Math.max(Math.floor(options.expectedNames ?? 0), 0), MAX_ENTRIES);
    if (expected > this.#classOf.length) {
      this.#slots = new Uint32Array(capacityFor(expected));
      this.#keys = new Uint32Array(2 * expected);
      this.#classOf = new Uint32Array(expected);
      this.#lists = new Uint16Array(expected);
      this.#lines = new Uint32Array(expected);
      this.#descs = new Uint16Array(expected);
    }
  }

  /** Entries taken so far. */
  get accepted(): number {
    return this.#accepted;
  }

  /** Entries refused so far (see onReject for why). */
  get rejected(): number {
    return this.#rejected;
  }

  /** Distinct names so far. */
  get size(): number {
    return this.#entries;
  }

  /**
   * Adds one entry; returns false (and counts it) when it is refused. Throws only for a mistake
   * that spoils the whole table: a 65th category, more names than the table can number.
   */
  add(entry: MatcherEntry): boolean {
    if (this.#built) throw new Error('MatcherBuilder.add after build(): start a new builder for the next reload');
    const desc = this.#descriptorOf(entry);
    if (typeof desc === 'string') return this.#reject(entry, desc);
    const bad = checkName(entry.name);
    if (bad !== undefined) return this.#reject(entry, bad);
    const count = hashSuffixes(entry.name, this.#seed, this.#hashes);
    const last = (count - 1) * SUFFIX_STRIDE;
    this.#addHashed(this.#hashes[last]!, this.#hashes[last + 1]!, desc, entry);
    return true;
  }

  /**
   * Adds `entry` with the name `bytes[start, end)` instead of entry.name: ASCII in the list
   * reader's normal form (formats/plain.ts's isNormalDomainBytes said so), which is stricter than
   * checkName, so the name is not checked again. A big plain list compiles without a string a line.
   */
  addNameBytes(bytes: Uint8Array, start: number, end: number, entry: Omit<MatcherEntry, 'name'>): boolean {
    if (this.#built) throw new Error('MatcherBuilder.add after build(): start a new builder for the next reload');
    const desc = this.#descriptorOf(entry);
    if (typeof desc === 'string') return this.#reject(entry, desc);
    if (end <= start) return this.#reject(entry, 'empty name');
    hashNameBytes(bytes, start, end, this.#seed, this.#hashes);
    this.#addHashed(this.#hashes[0]!, this.#hashes[1]!, desc, entry);
    return true;
  }

  #addHashed(lo: number, hi: number, desc: number, entry: Omit<MatcherEntry, 'name'>): void {
    // Restricted entries keep no line: with the list file it would give the name away.
    const line = (desc & 3) === KIND_RESTRICTED ? 0 : entry.line;
    const e = findEntry(this.#slots, this.#keys, lo, hi);
    if (e < 0) this.#addKey(lo, hi, desc, entry.list, line);
    else this.#addToKey(e, desc, entry.list, line);
    this.#accepted++;
  }

  /** The finished matcher; the builder cannot be used afterwards. */
  build(): Matcher {
    if (this.#built) throw new Error('MatcherBuilder.build called twice');
    this.#built = true;
    const n = this.#entries;
    // Both before the trims, which may detach the keys, lists and descriptors they read.
    const extras = this.#sortedExtras();
    // An over-generous expectedNames leaves more slots than needed: the table is then rebuilt at
    // its proper size, so the result (and its file) never depends on the hint.
    const slots = this.#slots.length === capacityFor(n) ? this.#slots : this.#resized(capacityFor(n));
    const data: MatcherData = {
      seed: this.#seed,
      categories: this.#categories,
      entries: n,
      slots,
      keys: trim32(this.#keys, 2 * n),
      classOf: trim32(this.#classOf, n),
      lists: trim16(this.#lists, n),
      lines: trim32(this.#lines, n),
      descs: trim16(this.#descs, n),
      classes: this.#classes.finish(),
      ...extras,
    };
    return new Matcher(data);
  }

  #descriptorOf(entry: Omit<MatcherEntry, 'name'>): number | string {
    if (typeof entry !== 'object' || entry === null) return 'not an entry';
    const { list, line } = entry;
    if (!Number.isInteger(list) || list < 0 || list > 0xffff) return 'list number outside 0..65535';
    if (!Number.isInteger(line) || line < 0 || line > 0xffffffff) return 'line number outside 0..2^32-1';
    // A list gives a million entries the same kind, mode and category: work those out once.
    if (entry.kind === this.#lastKind && entry.mode === this.#lastMode && entry.category === this.#lastCategory) return this.#lastDesc;
    const desc = this.#meaningOf(entry);
    if (typeof desc === 'number') {
      this.#lastKind = entry.kind;
      this.#lastMode = entry.mode;
      this.#lastCategory = entry.category;
      this.#lastDesc = desc;
    }
    return desc;
  }

  /** The descriptor for an entry's kind, mode and category, or why there is none. */
  #meaningOf(entry: Omit<MatcherEntry, 'name'>): number | string {
    const kind = KINDS.indexOf(entry.kind);
    if (kind < 0) return 'unknown kind';
    const mode = entry.mode === undefined ? MODE_SUFFIX : MODES.indexOf(entry.mode);
    if (mode < 0) return 'unknown mode';
    if (kind !== KIND_BLOCK) return descriptor(kind, mode, NO_CATEGORY);
    if (typeof entry.category !== 'string' || entry.category.length === 0) return 'block entry without a category';
    return descriptor(kind, mode, this.#categories.bit(entry.category));
  }

  #reject(entry: Omit<MatcherEntry, 'name'>, reason: string): false {
    this.#rejected++;
    const list = typeof entry?.list === 'number' ? entry.list : -1;
    const line = typeof entry?.line === 'number' ? entry.line : -1;
    this.#onReject?.({ list, line, reason });
    return false;
  }

  #addKey(lo: number, hi: number, desc: number, list: number, line: number): void {
    const e = this.#entries;
    if (e >= MAX_ENTRIES) throw new RangeError(`more than ${MAX_ENTRIES} distinct names: the table cannot number them`);
    if (e + 1 > this.#slots.length * MAX_LOAD) this.#rehash(this.#slots.length * 2);
    if (e === this.#classOf.length) {
      const size = Math.max(e * 2, 1024);
      this.#keys = grow32(this.#keys, 2 * size);
      this.#classOf = grow32(this.#classOf, size);
      this.#lists = grow16(this.#lists, size);
      this.#lines = grow32(this.#lines, size);
      this.#descs = grow16(this.#descs, size);
    }
    this.#keys[2 * e] = lo;
    this.#keys[2 * e + 1] = hi;
    this.#classOf[e] = this.#classes.fresh(desc);
    this.#lists[e] = list;
    this.#lines[e] = line;
    this.#descs[e] = desc;
    placeEntry(this.#slots, lo, hi, e);
    this.#entries = e + 1;
  }

  #addToKey(e: number, desc: number, list: number, line: number): void {
    this.#classOf[e] = this.#classes.merge(this.#classOf[e]!, desc);
    // The same name again in the same list with the same meaning tells explain nothing new.
    if (this.#lists[e] === list && this.#descs[e] === desc) return;
    const x = this.#extras;
    if (x === this.#extraEntry.length) {
      this.#extraEntry = grow32(this.#extraEntry, x * 2);
      this.#extraList = grow16(this.#extraList, x * 2);
      this.#extraLine = grow32(this.#extraLine, x * 2);
      this.#extraDesc = grow16(this.#extraDesc, x * 2);
    }
    this.#extraEntry[x] = e;
    this.#extraList[x] = list;
    this.#extraLine[x] = line;
    this.#extraDesc[x] = desc;
    this.#extras = x + 1;
  }

  #rehash(capacity: number): void {
    const slots = new Uint32Array(capacity);
    for (let e = 0; e < this.#entries; e++) placeEntry(slots, this.#keys[2 * e]!, this.#keys[2 * e + 1]!, e);
    release(this.#slots);
    this.#slots = slots;
  }

  /** The slot array rebuilt at `capacity` for build(), the one it replaces released. */
  #resized(capacity: number): Uint32Array {
    const slots = buildSlots(this.#keys, this.#entries, capacity);
    release(this.#slots);
    return slots;
  }

  /** Extras grouped by entry (a stable counting sort), repeats of a (list, meaning) dropped. */
  #sortedExtras(): Pick<MatcherData, 'extraEntry' | 'extraList' | 'extraLine' | 'extraDesc'> {
    const m = this.#extras;
    const n = this.#entries;
    if (m === 0) {
      return { extraEntry: new Uint32Array(0), extraList: new Uint16Array(0), extraLine: new Uint32Array(0), extraDesc: new Uint16Array(0) };
    }
    const starts = new Uint32Array(n + 1);
    for (let x = 0; x < m; x++) starts[this.#extraEntry[x]! + 1]!++;
    for (let e = 0; e < n; e++) starts[e + 1]! += starts[e]!;
    const order = new Uint32Array(m);
    for (let x = 0; x < m; x++) order[starts[this.#extraEntry[x]!]!++] = x;
    const extraEntry = new Uint32Array(m);
    const extraList = new Uint16Array(m);
    const extraLine = new Uint32Array(m);
    const extraDesc = new Uint16Array(m);
    let kept = 0;
    let groupStart = 0;
    for (let k = 0; k < m; k++) {
      const x = order[k]!;
      const e = this.#extraEntry[x]!;
      const list = this.#extraList[x]!;
      const desc = this.#extraDesc[x]!;
      if (kept === 0 || extraEntry[kept - 1] !== e) groupStart = kept;
      let repeat = this.#lists[e] === list && this.#descs[e] === desc;
      for (let j = groupStart; j < kept && !repeat; j++) repeat = extraList[j] === list && extraDesc[j] === desc;
      if (repeat) continue;
      extraEntry[kept] = e;
      extraList[kept] = list;
      extraLine[kept] = this.#extraLine[x]!;
      extraDesc[kept] = desc;
      kept++;
    }
    return {
      extraEntry: extraEntry.slice(0, kept),
      extraList: extraList.slice(0, kept),
      extraLine: extraLine.slice(0, kept),
      extraDesc: extraDesc.slice(0, kept),
    };
  }
}

/** Compiles every entry into a new Matcher (see MatcherBuilder for streaming). */
export function compileMatcher(entries: Iterable<MatcherEntry>, options: CompileOptions = {}): Matcher {
  const builder = new MatcherBuilder(options);
  for (const entry of entries) builder.add(entry);
  return builder.build();
}
