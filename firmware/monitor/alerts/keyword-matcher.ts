// Keyword flagging: every keyword and innocent name of every list in one Aho–Corasick automaton,
// so a name is read once whatever the number of keywords. A keyword found only inside an innocent
// name of its own list is no hit: "therapist" holds "rapist", a Scunthorpe problem the lists
// answer name by name. Loaded by the query log's writer thread: no schema library here.
import { DROPPED, normalisedCode, type KeywordList, type KeywordSeverity } from './keyword-text.ts';

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

/** Normalised text holds a-z and 0-9 (2, 6, 8, 9: the others became letters); anything else is one more symbol. */
const SYMBOLS = 37;
const OTHER = 36;
function symbolOf(code: number): number {
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 48 && code <= 57) return 26 + code - 48;
  return OTHER;
}

// A name's ASCII characters straight to symbols (-1: dropped), one table per reading of 1: the
// scan does one lookup a character. Characters past ASCII are all OTHER, which no keyword holds.
function symbolTable(oneIsL: boolean): Int8Array {
  const table = new Int8Array(128);
  for (let raw = 0; raw < 128; raw++) {
    const c = normalisedCode(raw, oneIsL);
    table[raw] = c === DROPPED ? -1 : symbolOf(c);
  }
  return table;
}
const READ_ONE_AS_I = symbolTable(false);
const READ_ONE_AS_L = symbolTable(true);

export class KeywordMatcher {
  readonly #lists: readonly KeywordList[];
  readonly #patterns: Pattern[] = [];
  // The automaton as a full transition table (state * SYMBOLS + symbol → state), failure links
  // folded in, so reading a name is one array lookup a character; `#out` holds the patterns
  // ending at each state (its own and, through the failure links, the shorter ones).
  readonly #delta: Int32Array;
  readonly #out: number[][];
  /** 1 for a state where some pattern ends: the scan looks at #out only there. */
  readonly #ends: Uint8Array;

  constructor(lists: readonly KeywordList[]) {
    this.#lists = lists;
    const trie: number[][] = [[]];
    const out: number[][] = [[]];
    const add = (pattern: Pattern): void => {
      if (pattern.text === '') return;
      let state = 0;
      for (let i = 0; i < pattern.text.length; i++) {
        const symbol = symbolOf(pattern.text.charCodeAt(i));
        let to = trie[state]![symbol];
        if (to === undefined) {
          to = trie.length;
          trie.push([]);
          out.push([]);
          trie[state]![symbol] = to;
        }
        state = to;
      }
      out[state]!.push(this.#patterns.length);
      this.#patterns.push(pattern);
    };
    lists.forEach((list, index) => {
      for (const text of list.keywords) add({ list: index, text, innocent: false });
      for (const text of list.innocent) add({ list: index, text, innocent: true });
    });
    // Breadth first: a state's failure state is shallower, so its row is complete when needed.
    const delta = new Int32Array(trie.length * SYMBOLS);
    const fail = new Int32Array(trie.length);
    const queue: number[] = [];
    for (let symbol = 0; symbol < SYMBOLS; symbol++) {
      const to = trie[0]![symbol];
      if (to !== undefined) {
        delta[symbol] = to;
        queue.push(to);
      }
    }
    for (let i = 0; i < queue.length; i++) {
      const state = queue[i]!;
      out[state]!.push(...out[fail[state]!]!);
      for (let symbol = 0; symbol < SYMBOLS; symbol++) {
        const to = trie[state]![symbol];
        if (to === undefined) {
          delta[state * SYMBOLS + symbol] = delta[fail[state]! * SYMBOLS + symbol]!;
        } else {
          fail[to] = delta[fail[state]! * SYMBOLS + symbol]!;
          delta[state * SYMBOLS + symbol] = to;
          queue.push(to);
        }
      }
    }
    this.#delta = delta;
    this.#out = out;
    this.#ends = Uint8Array.from(out, (o) => (o.length > 0 ? 1 : 0));
  }

  get size(): number {
    return this.#patterns.filter((p) => !p.innocent).length;
  }

  /**
   * The most severe keyword `name` holds, in any of its spellings, unless an innocent name of its
   * list holds it; between lists of one severity, the first list's. The name is normalised as it
   * is read (keyword-text.ts), so a name without a hit costs one pass and no allocation; a name
   * with a 1 is read a second time with the 1 as an l.
   */
  match(name: string): KeywordHit | undefined {
    let best = this.#scan(name, false);
    if (name.indexOf('1') !== -1) {
      const other = this.#scan(name, true);
      if (other !== undefined && (best === undefined || this.#before(other.list, best.list))) best = other;
    }
    if (best === undefined) return undefined;
    const list = this.#lists[best.list]!;
    return { list: list.id, severity: list.severity, keyword: best.keyword };
  }

  #before(a: number, b: number): boolean {
    const ra = RANK[this.#lists[a]!.severity];
    const rb = RANK[this.#lists[b]!.severity];
    return ra < rb || (ra === rb && a < b);
  }

  #scan(name: string, oneIsL: boolean): { list: number; keyword: string } | undefined {
    let found: Array<{ pattern: Pattern; end: number }> | undefined;
    const table = oneIsL ? READ_ONE_AS_L : READ_ONE_AS_I;
    const delta = this.#delta;
    const ends = this.#ends;
    let state = 0;
    let last = -2;
    // Characters of the normalised text so far: where a keyword ends, in its coordinates.
    let at = 0;
    for (let i = 0; i < name.length; i++) {
      const raw = name.charCodeAt(i);
      const symbol = raw < 128 ? table[raw]! : OTHER;
      // Dropped, or a repeat (collapsed; OTHER repeats too, harmlessly: no keyword holds it).
      if (symbol === -1 || symbol === last) continue;
      last = symbol;
      at++;
      state = delta[state * SYMBOLS + symbol]!;
      if (ends[state] === 0) continue;
      found ??= [];
      for (const p of this.#out[state]!) found.push({ pattern: this.#patterns[p]!, end: at });
    }
    if (found === undefined) return undefined;
    let best: { list: number; keyword: string } | undefined;
    for (const k of found) {
      if (k.pattern.innocent) continue;
      const start = k.end - k.pattern.text.length;
      const excused = found.some((i) => i.pattern.innocent && i.pattern.list === k.pattern.list && i.end >= k.end && i.end - i.pattern.text.length <= start);
      if (excused) continue;
      if (best === undefined || this.#before(k.pattern.list, best.list)) best = { list: k.pattern.list, keyword: k.pattern.text };
    }
    return best;
  }
}
