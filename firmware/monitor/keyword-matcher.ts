// Keyword flagging: every keyword and innocent name of every list in one Aho–Corasick automaton,
// so a name is read once whatever the number of keywords. A keyword found only inside an innocent
// name of its own list is no hit: "therapist" holds "rapist", a Scunthorpe problem the lists
// answer name by name. Loaded by the query log's writer thread: no schema library here.
import { normalisedVariants, type KeywordList, type KeywordSeverity } from './keyword-text.ts';

export interface KeywordHit {
  list: string;
  severity: KeywordSeverity;
  /** The keyword as normalised (what the name was found to hold). */
  keyword: string;
}

interface Pattern {
  list: number;
  text: string;
  innocent: boolean;
}

const RANK: Readonly<Record<KeywordSeverity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

export class KeywordMatcher {
  readonly #lists: readonly KeywordList[];
  // The automaton: per state, its transitions, its failure link and the patterns ending there
  // (its own and, through the failure links, the shorter ones it ends with).
  readonly #next: Map<string, number>[] = [new Map()];
  readonly #fail: number[] = [0];
  readonly #out: number[][] = [[]];
  readonly #patterns: Pattern[] = [];

  constructor(lists: readonly KeywordList[]) {
    this.#lists = lists;
    lists.forEach((list, index) => {
      for (const text of list.keywords) this.#add({ list: index, text, innocent: false });
      for (const text of list.innocent) this.#add({ list: index, text, innocent: true });
    });
    this.#link();
  }

  get size(): number {
    return this.#patterns.filter((p) => !p.innocent).length;
  }

  #add(pattern: Pattern): void {
    if (pattern.text === '') return;
    let state = 0;
    for (const c of pattern.text) {
      let to = this.#next[state]!.get(c);
      if (to === undefined) {
        to = this.#next.length;
        this.#next.push(new Map());
        this.#fail.push(0);
        this.#out.push([]);
        this.#next[state]!.set(c, to);
      }
      state = to;
    }
    this.#out[state]!.push(this.#patterns.length);
    this.#patterns.push(pattern);
  }

  /** Failure links, breadth first: each state's is the longest proper suffix that is also a state. */
  #link(): void {
    const queue: number[] = [];
    for (const to of this.#next[0]!.values()) queue.push(to);
    for (let i = 0; i < queue.length; i++) {
      const state = queue[i]!;
      for (const [c, to] of this.#next[state]!) {
        let f = this.#fail[state]!;
        while (f !== 0 && !this.#next[f]!.has(c)) f = this.#fail[f]!;
        const target = this.#next[f]!.get(c);
        this.#fail[to] = target !== undefined && target !== to ? target : 0;
        this.#out[to]!.push(...this.#out[this.#fail[to]!]!);
        queue.push(to);
      }
    }
  }

  /** The most severe keyword `name` holds, in any of its spellings, unless an innocent name holds it. */
  match(name: string): KeywordHit | undefined {
    let best: KeywordHit | undefined;
    for (const text of normalisedVariants(name)) {
      const hit = this.#matchText(text);
      if (hit !== undefined && (best === undefined || RANK[hit.severity] < RANK[best.severity])) best = hit;
    }
    return best;
  }

  #matchText(text: string): KeywordHit | undefined {
    const keywords: Array<{ pattern: Pattern; end: number }> = [];
    const innocent: Array<{ pattern: Pattern; end: number }> = [];
    let state = 0;
    let end = 0;
    for (const c of text) {
      end++;
      while (state !== 0 && !this.#next[state]!.has(c)) state = this.#fail[state]!;
      state = this.#next[state]!.get(c) ?? 0;
      for (const p of this.#out[state]!) {
        const pattern = this.#patterns[p]!;
        (pattern.innocent ? innocent : keywords).push({ pattern, end });
      }
    }
    let best: KeywordHit | undefined;
    for (const k of keywords) {
      const start = k.end - k.pattern.text.length;
      const excused = innocent.some((i) => i.pattern.list === k.pattern.list && i.end >= k.end && i.end - i.pattern.text.length <= start);
      if (excused) continue;
      const list = this.#lists[k.pattern.list]!;
      if (best === undefined || RANK[list.severity] < RANK[best.severity]) best = { list: list.id, severity: list.severity, keyword: k.pattern.text };
    }
    return best;
  }
}
