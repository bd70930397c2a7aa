// A backtracking matcher for the regex subset compileSafeRegex accepts, which counts its steps the
// way V8's backtracking engine spends them (one per node visited, greedy first, every choice
// retried on failure). It lets a test bound "no catastrophic backtracking" by a count that is the
// same on any machine, where a stopwatch on a shared machine is not. Single characters are
// matched by V8 itself (each atom's own source compiled alone), so escapes and classes mean
// exactly what they mean in the real regex.

type Node =
  | { kind: 'char'; test: RegExp }
  | { kind: 'start' | 'end' | 'boundary' | 'nonBoundary' }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; branches: Node[] }
  | { kind: 'repeat'; body: Node; min: number; max: number; lazy: boolean };

export class BudgetExceeded extends Error {}

class Parser {
  pos = 0;
  readonly src: string;
  constructor(src: string) {
    this.src = src;
  }

  parse(): Node {
    const node = this.alternation();
    if (this.pos !== this.src.length) throw new Error(`cannot read ${this.src} at ${this.pos}`);
    return node;
  }

  alternation(): Node {
    const branches = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0]! : { kind: 'alt', branches };
  }

  sequence(): Node {
    const items: Node[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      items.push(this.quantified(this.atom()));
    }
    return { kind: 'seq', items };
  }

  quantified(body: Node): Node {
    const c = this.src[this.pos];
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
      this.pos++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos))!;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.pos += m[0].length;
    } else {
      return body;
    }
    const lazy = this.src[this.pos] === '?';
    if (lazy) this.pos++;
    return { kind: 'repeat', body, min, max, lazy };
  }

  atom(): Node {
    const start = this.pos;
    const c = this.src[this.pos]!;
    if (c === '^' || c === '$') {
      this.pos++;
      return { kind: c === '^' ? 'start' : 'end' };
    }
    if (c === '(') {
      this.pos++;
      if (this.src.startsWith('?:', this.pos)) this.pos += 2;
      else if (this.src[this.pos] === '?') this.pos = this.src.indexOf('>', this.pos) + 1;
      const body = this.alternation();
      this.pos++;
      return body;
    }
    if (c === '\\' && (this.src[this.pos + 1] === 'b' || this.src[this.pos + 1] === 'B')) {
      this.pos += 2;
      return { kind: this.src[this.pos - 1] === 'b' ? 'boundary' : 'nonBoundary' };
    }
    if (c === '[') {
      this.pos++;
      if (this.src[this.pos] === '^') this.pos++;
      while (this.src[this.pos] !== ']') this.pos += this.src[this.pos] === '\\' ? this.escapeLength() : 1;
      this.pos++;
    } else if (c === '\\') {
      this.pos += this.escapeLength();
    } else {
      this.pos++;
    }
    return { kind: 'char', test: new RegExp(`^(?:${this.src.slice(start, this.pos)})$`, 'i') };
  }

  escapeLength(): number {
    const next = this.src[this.pos + 1];
    return next === 'x' ? 4 : next === 'u' ? 6 : next === 'c' ? 3 : 2;
  }
}

const WORD = /\w/;

/**
 * Whether `pattern` matches somewhere in `text`, and the most steps any one start position took.
 * Throws BudgetExceeded as soon as one start position takes more than `budget` steps.
 */
export function countedMatch(pattern: string, text: string, budget: number): { matched: boolean; maxSteps: number } {
  const root = new Parser(pattern).parse();
  let steps = 0;
  const isWord = (i: number): boolean => i >= 0 && i < text.length && WORD.test(text[i]!);

  const match = (node: Node, i: number, k: (j: number) => boolean): boolean => {
    if (++steps > budget) throw new BudgetExceeded(`${pattern}: over ${budget} steps`);
    switch (node.kind) {
      case 'char': return i < text.length && node.test.test(text[i]!) && k(i + 1);
      case 'start': return i === 0 && k(i);
      case 'end': return i === text.length && k(i);
      case 'boundary': return isWord(i - 1) !== isWord(i) && k(i);
      case 'nonBoundary': return isWord(i - 1) === isWord(i) && k(i);
      case 'seq': {
        const from = (n: number, at: number): boolean => (n === node.items.length ? k(at) : match(node.items[n]!, at, (j) => from(n + 1, j)));
        return from(0, i);
      }
      case 'alt':
        for (const branch of node.branches) if (match(branch, i, k)) return true;
        return false;
      case 'repeat': {
        const { body, min, max, lazy } = node;
        // As in ECMAScript, an iteration past the minimum that consumed nothing ends the loop.
        const again = (count: number, at: number): boolean => {
          if (count < min) return match(body, at, (j) => again(count + 1, j));
          const more = (): boolean => count < max && match(body, at, (j) => j !== at && again(count + 1, j));
          return lazy ? k(at) || more() : more() || k(at);
        };
        return again(0, i);
      }
    }
  };

  let maxSteps = 0;
  for (let start = 0; start <= text.length; start++) {
    steps = 0;
    const found = match(root, start, () => true);
    maxSteps = Math.max(maxSteps, steps);
    if (found) return { matched: true, maxSteps };
  }
  return { matched: false, maxSteps };
}
