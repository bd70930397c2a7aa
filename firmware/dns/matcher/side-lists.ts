// The list entries that are not hashed names: regular expressions (tried on each question, after
// the table) and SHA-256 hashed names from restricted lists supplied hashed. Built on the DNS
// thread from the compiler's plain data; consulted only when such lists are configured.
import type { ListExtras } from '../../rules/load-lists.ts';
import { createNameScratch, HashedSet } from '../../rules/hashed-set.ts';
import { RegexSet } from '../../rules/regex-set.ts';
import type { CategoryIndex } from './categories.ts';
import type { MatchResult } from './matcher.ts';

interface PatternSet {
  set: RegexSet;
  lists: Uint16Array;
  lines: Uint32Array;
}

export interface SideHit {
  kind: 'regex-block' | 'regex-allow' | 'hashed';
  list: number;
  line?: number;
}

export class SideLists {
  readonly #block: PatternSet | undefined;
  readonly #blockBitLo: Uint32Array;
  readonly #blockBitHi: Uint32Array;
  readonly #allow: PatternSet | undefined;
  readonly #hashed: Array<{ set: HashedSet; list: number }> = [];
  readonly #scratch = createNameScratch();

  /** undefined when there is nothing beside the table (the usual case: no per-question cost). */
  static build(extras: ListExtras, categories: CategoryIndex, listCategory: readonly (string | undefined)[]): SideLists | undefined {
    if (extras.regexes.length === 0 && extras.hashes.length === 0) return undefined;
    return new SideLists(extras, categories, listCategory);
  }

  private constructor(extras: ListExtras, categories: CategoryIndex, listCategory: readonly (string | undefined)[]) {
    const compile = (entries: ListExtras['regexes']): PatternSet | undefined => {
      if (entries.length === 0) return undefined;
      const set = RegexSet.compile(entries.map((e) => e.pattern));
      // The compiler refused these already; a refusal here means the two disagree: fail loudly.
      if (!(set instanceof RegexSet)) throw new Error(`regular expressions could not be compiled: ${set.error}`);
      return { set, lists: Uint16Array.from(entries.map((e) => e.list)), lines: Uint32Array.from(entries.map((e) => e.line)) };
    };
    const blocks = extras.regexes.filter((e) => e.action === 'block');
    this.#block = compile(blocks);
    this.#allow = compile(extras.regexes.filter((e) => e.action === 'allow'));
    this.#blockBitLo = new Uint32Array(blocks.length);
    this.#blockBitHi = new Uint32Array(blocks.length);
    blocks.forEach((e, i) => {
      const id = listCategory[e.list];
      const bit = id === undefined ? undefined : categories.get(id);
      if (bit === undefined) return;
      if (bit < 32) this.#blockBitLo[i] = (1 << bit) >>> 0;
      else this.#blockBitHi[i] = (1 << (bit - 32)) >>> 0;
    });
    const byList = new Map<number, string[]>();
    for (const h of extras.hashes) {
      let hexes = byList.get(h.list);
      if (!hexes) byList.set(h.list, (hexes = []));
      hexes.push(h.sha256);
    }
    for (const [list, hexes] of byList) {
      const set = HashedSet.fromHex(hexes);
      if (!(set instanceof HashedSet)) throw new Error(`hashed list ${list} could not be built: ${set.error}`);
      this.#hashed.push({ set, list });
    }
  }

  /** Adds what the side lists say about `name` to the table's result. */
  apply(name: string, m: MatchResult): void {
    for (const h of this.#hashed) {
      if (h.set.matchName(name, this.#scratch)) {
        m.restricted = true;
        if (m.restrictedList < 0) m.restrictedList = h.list;
      }
    }
    if (this.#allow && this.#allow.set.match(name) >= 0) m.allowed = true;
    const block = this.#block;
    if (block) {
      const i = block.set.match(name);
      if (i >= 0) {
        m.blockLo = (m.blockLo | this.#blockBitLo[i]!) >>> 0;
        m.blockHi = (m.blockHi | this.#blockBitHi[i]!) >>> 0;
        if (m.blockList < 0) {
          m.blockList = block.lists[i]!;
          m.blockLine = block.lines[i]!;
        }
      }
    }
  }

  /** For `schoolgate check`: which side entries cover `name` (never a hashed entry's text). */
  explain(name: string): SideHit[] {
    const hits: SideHit[] = [];
    for (const h of this.#hashed) if (h.set.matchName(name, this.#scratch)) hits.push({ kind: 'hashed', list: h.list });
    if (this.#allow) {
      const i = this.#allow.set.match(name);
      if (i >= 0) hits.push({ kind: 'regex-allow', list: this.#allow.lists[i]!, line: this.#allow.lines[i]! });
    }
    if (this.#block) {
      const i = this.#block.set.match(name);
      if (i >= 0) hits.push({ kind: 'regex-block', list: this.#block.lists[i]!, line: this.#block.lines[i]! });
    }
    return hits;
  }
}
