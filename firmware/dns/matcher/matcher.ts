// The compiled lists: one question name in, every covering entry's verdict out, without
// allocating. Built by compile.ts, loaded from disk by fromBuffer; immutable once made, so a
// reload builds a new one and swaps it in (DnsService.setLists).
import { CategoryIndex } from './categories.ts';
import { ALLOW_APEX, ALLOW_BELOW, CLASS_STRIDE, RESTRICTED_APEX, RESTRICTED_BELOW } from './classes.ts';
import { type MatcherData, dataBytes, firstExtra } from './data.ts';
import {
  KIND_BLOCK, KIND_RESTRICTED, KINDS, MODES, NO_CATEGORY, descCategory, descKind, descMode, modeCovers,
} from './entry.ts';
import type { MatchExplanation } from './explanation.ts';
import { MAX_LABELS, SUFFIX_STRIDE, hashSuffixes, nameEnd } from './hash.ts';
import { type EncodedPieces, decodeMatcher, encodeMatcher, encodeMatcherPieces, viewEncodedMatcher } from './serialize.ts';
import { MIN_CAPACITY, findEntry } from './table.ts';

/**
 * What the lists say about one name; the caller allocates one and passes it to every match().
 * The policy stage decides from it alone: restricted → block (always, everywhere); else allowed
 * → allow; else (blockLo & policyLo) | (blockHi & policyHi) → block.
 */
export class MatchResult {
  /** Union of the categories of every block entry covering the name (uint32 halves). */
  blockLo = 0;
  blockHi = 0;
  /** The most specific covering block entry (first in list order at that name), or -1; -1 when restricted. */
  blockList = -1;
  blockLine = -1;
  /** An allow entry covers the name: it passes every category, never a restricted list. */
  allowed = false;
  /** A restricted (illegal-content) entry covers the name. No allow entry overrides this. */
  restricted = false;
  /** The list of the most specific covering restricted entry, or -1. */
  restrictedList = -1;
}

/** A released matcher (Matcher.release) was asked to match: whoever kept it has a bug. */
export class MatcherReleasedError extends Error {
  override name = 'MatcherReleasedError';
  constructor() {
    super('this compiled list table was released after a reload replaced it');
  }
}

/** #source's answer when the key's first entry is the one. */
const PRIMARY = -2;

// Shared scratch for match(): the DNS loop is single-threaded and match() never re-enters.
let scratch = new Uint32Array((MAX_LABELS + 1) * SUFFIX_STRIDE);

function hashInto(name: string, seed: number): number {
  const count = hashSuffixes(name, seed, scratch);
  if (count >= 0) return count;
  // Longer than any wire name (a caller's own string): a name of n characters has ≤ n/2+1 labels.
  scratch = new Uint32Array((name.length + 2) * SUFFIX_STRIDE);
  return hashSuffixes(name, seed, scratch);
}

export class Matcher {
  readonly #data: MatcherData;
  readonly #seed: number;
  readonly #slots: Uint32Array;
  readonly #keys: Uint32Array;
  readonly #classOf: Uint32Array;
  readonly #classes: Uint32Array;
  /**
   * For a table in shared memory: an ordinary ArrayBuffer of the table's size, never touched (so
   * never resident), that lives exactly as long as this matcher. V8 counts an ArrayBuffer's bytes
   * when it decides to collect, but not a SharedArrayBuffer's: without this, each replaced table
   * stayed resident in an idle daemon with dns.threads > 1 (+28 MB a 1M-name reload, for good).
   */
  readonly #gcWeight: ArrayBuffer | undefined;

  /** Takes ownership of `data`; use compileMatcher, fromBuffer or empty() rather than this. */
  constructor(data: MatcherData) {
    this.#data = data;
    this.#seed = data.seed;
    this.#slots = data.slots;
    this.#keys = data.keys;
    this.#classOf = data.classOf;
    this.#classes = data.classes;
    this.#gcWeight = data.slots.buffer instanceof SharedArrayBuffer ? new ArrayBuffer(data.slots.buffer.byteLength) : undefined;
  }

  static empty(): Matcher {
    return new Matcher({
      seed: 0, categories: new CategoryIndex(), entries: 0, slots: new Uint32Array(MIN_CAPACITY),
      keys: new Uint32Array(0), classOf: new Uint32Array(0), lists: new Uint16Array(0), lines: new Uint32Array(0),
      descs: new Uint16Array(0), classes: new Uint32Array(0), extraEntry: new Uint32Array(0),
      extraList: new Uint16Array(0), extraLine: new Uint32Array(0), extraDesc: new Uint16Array(0),
    });
  }

  /**
   * Decodes a buffer from toBuffer(); throws MatcherFormatError unless it is intact. With
   * `adopt`, the matcher uses `buf`'s memory instead of a copy (for a file just read; the caller
   * must never modify `buf` afterwards).
   */
  static fromBuffer(buf: Uint8Array, options: { adopt?: boolean } = {}): Matcher {
    return new Matcher(decodeMatcher(buf, options.adopt === true));
  }

  toBuffer(): Uint8Array {
    this.#live();
    return encodeMatcher(this.#data);
  }

  /**
   * toBuffer()'s bytes as pieces, the table's own arrays among them (no copy): for a file write.
   * `knownCrc32` is this table's checksum when the caller has it (see encodeMatcherPieces).
   */
  toPieces(knownCrc32?: number): EncodedPieces {
    this.#live();
    return encodeMatcherPieces(this.#data, knownCrc32);
  }

  /**
   * The table's arrays as they are, and their buffers, for a postMessage that transfers them
   * to another thread (which wraps them in `new Matcher`): the table crosses with no copy. The
   * transfer detaches them here, so this matcher must not be used afterwards.
   */
  toTransfer(): { data: MatcherData; buffers: ArrayBuffer[] } {
    const d = this.#data;
    const arrays = [d.slots, d.keys, d.classOf, d.lists, d.lines, d.descs, d.classes, d.extraEntry, d.extraList, d.extraLine, d.extraDesc];
    const buffers = new Set<ArrayBuffer>();
    for (const array of arrays) {
      if (array.buffer instanceof SharedArrayBuffer) throw new TypeError('a table in shared memory is not transferred: send its SharedArrayBuffer');
      buffers.add(array.buffer);
    }
    return { data: d, buffers: [...buffers] };
  }

  /**
   * This matcher in shared memory, for several threads to match with at once: the copy this
   * thread keeps in place of this one, and its bytes for the others (Matcher.fromBuffer with
   * `adopt`). Nobody writes a matcher's memory, so sharing it needs no lock.
   */
  toShared(): { matcher: Matcher; table: SharedArrayBuffer } {
    this.#live();
    const bytes = encodeMatcher(this.#data, (n) => new Uint8Array(new SharedArrayBuffer(n)));
    return { matcher: new Matcher(viewEncodedMatcher(bytes)), table: bytes.buffer as SharedArrayBuffer };
  }

  /**
   * Another thread's view of a table from toShared(). Not checked again: this process encoded it
   * a moment ago (checking 1M names would hold the thread's questions ~85 ms at every reload).
   */
  static fromShared(table: SharedArrayBuffer): Matcher {
    return new Matcher(viewEncodedMatcher(new Uint8Array(table)));
  }

  /** True when the table is in shared memory (several DNS threads match with it). */
  get isShared(): boolean {
    return this.#slots.buffer instanceof SharedArrayBuffer;
  }

  /** Bytes this matcher makes V8 count toward collecting it that its arrays alone would not (#gcWeight). */
  get gcWeightBytes(): number {
    return this.#gcWeight?.byteLength ?? 0;
  }

  /** Distinct listed names. */
  get size(): number {
    return this.#data.entries;
  }

  /** Bytes held in the matcher's arrays. */
  get bytes(): number {
    return dataBytes(this.#data);
  }

  /** Category bits of this matcher: derive policy masks from the same matcher you match with. */
  get categories(): CategoryIndex {
    return this.#data.categories;
  }

  get seed(): number {
    return this.#seed;
  }

  /**
   * Frees the table's memory now, instead of whenever V8 collects this matcher (a replaced
   * 1M-name table is 28 MB, and under load two of them stayed resident until a collection), by
   * detaching its buffers. Only for a matcher nothing will match with again: the lists manager
   * releases the table a swap replaced, once its cache write is done. Afterwards match(),
   * explain() and the encoders throw (MatcherReleasedError) rather than read an empty table,
   * which would loop or answer "not listed". A table in shared memory cannot be detached: false.
   */
  release(): boolean {
    if (this.isShared) return false;
    if (this.#slots.length === 0) return true;
    for (const buffer of this.toTransfer().buffers) buffer.transfer(0);
    return true;
  }

  /** Looks `name` up (the wire reader's form: lower case, `\DDD` escapes, no trailing dot). */
  match(name: string, out: MatchResult): void {
    // A live table has at least MIN_CAPACITY slots; a released one's arrays are detached (empty).
    if (this.#slots.length === 0) throw new MatcherReleasedError();
    out.blockLo = 0;
    out.blockHi = 0;
    out.blockList = -1;
    out.blockLine = -1;
    out.allowed = false;
    out.restricted = false;
    out.restrictedList = -1;
    const count = hashInto(name, this.#seed);
    const hashes = scratch;
    const slots = this.#slots;
    const keys = this.#keys;
    const classes = this.#classes;
    // Most specific first, so the first block and restricted sources found are the closest.
    for (let s = count - 1; s >= 0; s--) {
      const w = s * SUFFIX_STRIDE;
      const e = findEntry(slots, keys, hashes[w]!, hashes[w + 1]!);
      if (e < 0) continue;
      const apex = s === count - 1;
      const c = this.#classOf[e]! * CLASS_STRIDE;
      const flags = classes[c + 4]!;
      if ((flags & (apex ? RESTRICTED_APEX : RESTRICTED_BELOW)) !== 0 && !out.restricted) {
        out.restricted = true;
        const x = this.#source(e, KIND_RESTRICTED, apex);
        out.restrictedList = x === PRIMARY ? this.#data.lists[e]! : x >= 0 ? this.#data.extraList[x]! : -1;
      }
      if ((flags & (apex ? ALLOW_APEX : ALLOW_BELOW)) !== 0) out.allowed = true;
      const lo = apex ? classes[c]! : classes[c + 2]!;
      const hi = apex ? classes[c + 1]! : classes[c + 3]!;
      if ((lo | hi) === 0) continue;
      out.blockLo = (out.blockLo | lo) >>> 0;
      out.blockHi = (out.blockHi | hi) >>> 0;
      if (out.blockList < 0) {
        const x = this.#source(e, KIND_BLOCK, apex);
        if (x === PRIMARY) {
          out.blockList = this.#data.lists[e]!;
          out.blockLine = this.#data.lines[e]!;
        } else if (x >= 0) {
          out.blockList = this.#data.extraList[x]!;
          out.blockLine = this.#data.extraLine[x]!;
        }
      }
    }
    // The block entry's list and line would lead to the same name in another list; a restricted
    // verdict is reported by its list alone (the categories stay: they name no domain).
    if (out.restricted) {
      out.blockList = -1;
      out.blockLine = -1;
    }
  }

  /**
   * Every entry covering `name`, most specific name first, restricted lists before the rest, for
   * the technician. A restricted entry shows only its list; other entries for the same listed
   * name are shown without the name, line or mode, so the output never reveals a restricted name.
   */
  explain(name: string): MatchExplanation[] {
    this.#live();
    const d = this.#data;
    const end = nameEnd(name);
    const hashes = new Uint32Array((end + 2) * SUFFIX_STRIDE);
    const count = hashSuffixes(name, this.#seed, hashes);
    const restricted: MatchExplanation[] = [];
    const listed: MatchExplanation[] = [];
    for (let s = count - 1; s >= 0; s--) {
      const w = s * SUFFIX_STRIDE;
      const e = findEntry(this.#slots, this.#keys, hashes[w]!, hashes[w + 1]!);
      if (e < 0) continue;
      const apex = s === count - 1;
      const records: { desc: number; list: number; line: number }[] = [];
      if (modeCovers(descMode(d.descs[e]!), apex)) records.push({ desc: d.descs[e]!, list: d.lists[e]!, line: d.lines[e]! });
      for (let x = firstExtra(d, e); x < d.extraEntry.length && d.extraEntry[x] === e; x++) {
        if (modeCovers(descMode(d.extraDesc[x]!), apex)) records.push({ desc: d.extraDesc[x]!, list: d.extraList[x]!, line: d.extraLine[x]! });
      }
      const hidden = records.some((r) => descKind(r.desc) === KIND_RESTRICTED);
      for (const { desc, list, line } of records) {
        const kind = descKind(desc);
        if (kind === KIND_RESTRICTED) {
          if (!restricted.some((r) => r.list === list)) restricted.push({ kind: 'restricted', list });
          continue;
        }
        const shown = { kind: KINDS[kind] as 'block' | 'allow', ...this.#categoryOf(desc), list };
        if (hidden) listed.push({ ...shown, withheld: true });
        else listed.push({ ...shown, suffix: name.slice(hashes[w + 2]!, end), mode: MODES[descMode(desc)]!, line });
      }
    }
    return [...restricted, ...listed];
  }

  #live(): void {
    if (this.#slots.length === 0) throw new MatcherReleasedError();
  }

  #categoryOf(desc: number): { category?: string } {
    const bit = descCategory(desc);
    if (bit === NO_CATEGORY) return {};
    const id = this.#data.categories.idOf(bit);
    return id === undefined ? {} : { category: id };
  }

  /** The first record of entry `e` of `kind` that covers the apex or below: PRIMARY, an extra, or -1. */
  #source(e: number, kind: number, apex: boolean): number {
    const d = this.#data;
    const desc = d.descs[e]!;
    if (descKind(desc) === kind && modeCovers(descMode(desc), apex)) return PRIMARY;
    for (let x = firstExtra(d, e); x < d.extraEntry.length && d.extraEntry[x] === e; x++) {
      const extra = d.extraDesc[x]!;
      if (descKind(extra) === kind && modeCovers(descMode(extra), apex)) return x;
    }
    return -1;
  }
}
