// Decides, before a list's regular expression ever runs, whether V8's backtracking engine could
// take more than a small polynomial time on a name: our own strict parse of the pattern, then a
// check of its "choice points" (repetitions and ambiguous alternations) against each other.
//
// The rule: a repetition that can run long (`*`, `+`, `{n,}`, `{n,m}` with m-n > 16) is a wide
// choice point; `?`, short `{n,m}` and alternations whose branches can start alike are narrow
// ones. No wide choice point may share a character with any other choice point, and the narrow
// ones together may multiply the ways to match by at most 64. Nested quantifiers (`(a+)+`),
// overlapping alternations under a repetition (`(a|ab)*`), and adjacent overlapping repetitions
// (`\d+\d+`, `.*x.*`) all break the rule. With every character claimed by at most one wide
// repetition, giving a character back to one repetition can never be taken up by another, so
// for a given start position the engine tries at most about (name length × pattern length × 64)
// steps. It refuses some harmless patterns (`[a-z]+\.[a-z]+`); the message says how to rewrite.

const ASCII_LIMIT = 128;
const ALL = (1n << 128n) - 1n;
const MAX_PATTERN = 200;
const WIDE_SPAN = 16;
const MAX_NARROW_PRODUCT = 64;
const MAX_COUNT = 1000;

/** Characters (ASCII, case-folded to lower) a piece can consume, and how it can begin. */
interface Piece {
  chars: bigint;
  first: bigint;
  nullable: boolean;
}

interface Choice {
  wide: boolean;
  set: bigint;
  factor: number;
}

class Refusal extends Error {}

function charBit(code: number): bigint {
  if (code >= 0x41 && code <= 0x5a) code += 0x20;
  return 1n << BigInt(code);
}

function range(from: number, to: number): bigint {
  let set = 0n;
  for (let c = from; c <= to; c++) set |= charBit(c);
  return set;
}

// Complements are over-approximated after folding: a larger set only makes the check stricter.
function complement(set: bigint): bigint {
  return foldSet(ALL & ~set);
}

function foldSet(set: bigint): bigint {
  const upper = (set >> 0x41n) & ((1n << 26n) - 1n);
  return (set & ~(((1n << 26n) - 1n) << 0x41n)) | (upper << 0x61n);
}

const DIGITS = range(0x30, 0x39);
const WORD = DIGITS | range(0x61, 0x7a) | charBit(0x5f);
const SPACE = range(0x09, 0x0d) | charBit(0x20);
const DOT = ALL & ~(charBit(0x0a) | charBit(0x0d));
const SYNTAX = '^$\\.*+?()[]{}|/-';

const EMPTY: Piece = { chars: 0n, first: 0n, nullable: true };

class Analyser {
  private pos = 0;
  readonly choices: Choice[] = [];
  private readonly src: string;
  constructor(src: string) {
    this.src = src;
  }

  run(): void {
    this.disjunction();
    if (this.pos < this.src.length) this.refuse(this.src[this.pos] === ')' ? 'has an unmatched ")"' : 'cannot be read');
  }

  private refuse(reason: string): never {
    throw new Refusal(`${reason} at character ${this.pos + 1}`);
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private disjunction(): Piece {
    const branches = [this.alternative()];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.alternative());
    }
    if (branches.length === 1) return branches[0]!;
    let chars = 0n;
    let first = 0n;
    let nullable = false;
    let ambiguous = false;
    for (const branch of branches) {
      if ((first & branch.first) !== 0n || branch.nullable) ambiguous = true;
      chars |= branch.chars;
      first |= branch.first;
      nullable ||= branch.nullable;
    }
    if (ambiguous) this.choices.push({ wide: false, set: chars, factor: branches.length });
    return { chars, first, nullable };
  }

  private alternative(): Piece {
    let seq = EMPTY;
    while (this.pos < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const term = this.term();
      seq = {
        chars: seq.chars | term.chars,
        first: seq.nullable ? seq.first | term.first : seq.first,
        nullable: seq.nullable && term.nullable,
      };
    }
    return seq;
  }

  private term(): Piece {
    const c = this.peek()!;
    if (c === '^' || c === '$' || (c === '\\' && (this.src[this.pos + 1] === 'b' || this.src[this.pos + 1] === 'B'))) {
      this.pos += c === '\\' ? 2 : 1;
      if (this.atQuantifier()) this.refuse('repeats an anchor');
      return EMPTY;
    }
    const before = this.choices.length;
    const atom = this.atom();
    return this.atQuantifier() ? this.quantify(atom, before) : atom;
  }

  private atQuantifier(): boolean {
    const c = this.peek();
    return c === '*' || c === '+' || c === '?' || c === '{';
  }

  private quantify(atom: Piece, innerStart: number): Piece {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '{') {
      const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(this.src.slice(this.pos));
      if (!m) this.refuse('has a "{" that is not a repetition count (write \\{ for the character)');
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT)) this.refuse(`has a repetition count over ${MAX_COUNT}`);
      if (max < min) this.refuse('has a repetition count whose numbers are out of order');
      this.pos += m[0].length;
    } else {
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
      this.pos++;
    }
    if (this.peek() === '?') this.pos++;
    if (this.atQuantifier()) this.refuse('has a quantifier on a quantifier');
    if (max > 1) {
      // A fixed repetition of a body with choices multiplies those choices.
      for (let i = innerStart; i < this.choices.length; i++) {
        const inner = this.choices[i]!;
        if (!inner.wide) inner.factor = Math.min(inner.factor ** Math.min(max, 64), Number.MAX_SAFE_INTEGER);
      }
    }
    if (max - min > WIDE_SPAN) {
      if (atom.nullable) this.refuse('repeats something that can match nothing');
      this.choices.push({ wide: true, set: atom.chars, factor: 1 });
    } else if (max > min) {
      this.choices.push({ wide: false, set: atom.chars, factor: max - min + 1 });
    }
    return max === 0 ? EMPTY : { chars: atom.chars, first: atom.first, nullable: min === 0 || atom.nullable };
  }

  private atom(): Piece {
    const c = this.peek()!;
    if (c === '(') return this.group();
    if (c === '[') return this.charClass();
    if (c === '.') {
      this.pos++;
      return single(DOT);
    }
    if (c === '\\') return single(this.escape(false));
    if (c === '*' || c === '+' || c === '?') this.refuse('has nothing to repeat');
    if ('{}]'.includes(c)) this.refuse(`has an unescaped "${c}" (write \\${c} for the character)`);
    this.pos++;
    return single(this.literal(c));
  }

  private literal(c: string): bigint {
    const code = c.charCodeAt(0);
    if (code >= ASCII_LIMIT) this.refuse('has a non-ASCII character (names are matched in punycode: write xn--…)');
    if (code < 0x20 || code === 0x7f) this.refuse('has a control character');
    return charBit(code);
  }

  private group(): Piece {
    this.pos++;
    if (this.src.startsWith('?=', this.pos) || this.src.startsWith('?!', this.pos) || this.src.startsWith('?<=', this.pos) || this.src.startsWith('?<!', this.pos)) {
      this.refuse('has a lookahead or lookbehind, which is not allowed');
    }
    if (this.src.startsWith('?:', this.pos)) this.pos += 2;
    else if (this.peek() === '?') {
      const named = /^\?<[A-Za-z_][A-Za-z0-9_]*>/.exec(this.src.slice(this.pos));
      if (!named) this.refuse('has an unknown group type');
      this.pos += named[0].length;
    }
    const body = this.disjunction();
    if (this.peek() !== ')') this.refuse('has an unclosed "("');
    this.pos++;
    return body;
  }

  private charClass(): Piece {
    this.pos++;
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.pos++;
    }
    let set = 0n;
    while (this.peek() !== ']') {
      if (this.pos >= this.src.length) this.refuse('has an unclosed "["');
      const from = this.classChar();
      if (this.peek() === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        this.pos++;
        const to = this.classChar();
        if (from.code === undefined || to.code === undefined) this.refuse('has a range that starts or ends with a class like \\d');
        if (to.code < from.code) this.refuse('has a range out of order');
        set |= range(from.code, to.code);
      } else {
        set |= from.set;
      }
    }
    this.pos++;
    return single(negate ? complement(set) : set);
  }

  private classChar(): { set: bigint; code?: number } {
    const c = this.peek()!;
    if (c === '\\') {
      const start = this.pos;
      const set = this.escape(true);
      const text = this.src.slice(start, this.pos);
      return /^\\[dDwWsS]$/.test(text) ? { set } : { set, code: lowestCode(set) };
    }
    if (c === '[') this.refuse('has an unescaped "[" inside a class');
    this.pos++;
    const set = this.literal(c);
    return { set, code: c.charCodeAt(0) };
  }

  private escape(inClass: boolean): bigint {
    const c = this.src[this.pos + 1];
    this.pos += 2;
    switch (c) {
      case undefined: this.refuse('ends with a lone backslash');
      case 'd': return DIGITS;
      case 'D': return complement(DIGITS);
      case 'w': return WORD;
      case 'W': return complement(WORD);
      case 's': return SPACE;
      case 'S': return complement(SPACE);
      case 't': return charBit(0x09);
      case 'n': return charBit(0x0a);
      case 'v': return charBit(0x0b);
      case 'f': return charBit(0x0c);
      case 'r': return charBit(0x0d);
      case 'k': this.refuse('has a backreference, which is not allowed');
    }
    if (c === 'b' && inClass) return charBit(0x08);
    if (c === '0' && !/[0-9]/.test(this.peek() ?? '')) return charBit(0);
    if (/[1-9]/.test(c)) this.refuse('has a backreference, which is not allowed');
    if (c === 'x' || c === 'u') {
      const digits = c === 'x' ? 2 : 4;
      const hex = this.src.slice(this.pos, this.pos + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) this.refuse(`has a \\${c} escape without ${digits} hex digits`);
      this.pos += digits;
      const code = parseInt(hex, 16);
      if (code >= ASCII_LIMIT) this.refuse('has a non-ASCII character (names are matched in punycode: write xn--…)');
      return charBit(code);
    }
    if (c === 'c' && /[A-Za-z]/.test(this.peek() ?? '')) {
      this.pos++;
      return charBit(this.src.charCodeAt(this.pos - 1) % 32);
    }
    if (SYNTAX.includes(c)) return charBit(c.charCodeAt(0));
    this.refuse('has an unknown escape (only \\d \\w \\s, control escapes and escaped syntax characters)');
  }
}

function single(set: bigint): Piece {
  return { chars: set, first: set, nullable: false };
}

function lowestCode(set: bigint): number {
  for (let c = 0; c < ASCII_LIMIT; c++) if ((set >> BigInt(c)) & 1n) return c;
  throw new Refusal('has an escape that matches nothing');
}

function checkChoices(choices: readonly Choice[]): string | undefined {
  for (let i = 0; i < choices.length; i++) {
    for (let j = i + 1; j < choices.length; j++) {
      const a = choices[i]!;
      const b = choices[j]!;
      if ((a.wide || b.wide) && (a.set & b.set) !== 0n) {
        return 'has repetitions that can match the same characters (nested like (a+)+, or in sequence like .*x.*), which can backtrack catastrophically';
      }
    }
  }
  let product = 1;
  for (const choice of choices) if (!choice.wide) product *= choice.factor;
  if (product > MAX_NARROW_PRODUCT) return `has too many optional parts or ambiguous alternatives (more than ${MAX_NARROW_PRODUCT} ways to match)`;
  return undefined;
}

/**
 * The pattern compiled case-insensitively, or why it is refused. Reasons never quote the pattern
 * (a restricted list's patterns must not appear in messages).
 */
export function compileSafeRegex(pattern: string): RegExp | { reason: string } {
  if (pattern.length === 0) return { reason: 'empty pattern' };
  if (pattern.length > MAX_PATTERN) return { reason: `pattern is longer than ${MAX_PATTERN} characters` };
  const analyser = new Analyser(pattern);
  try {
    analyser.run();
  } catch (error) {
    if (error instanceof Refusal) return { reason: `pattern ${error.message}` };
    throw error;
  }
  const unsafe = checkChoices(analyser.choices);
  if (unsafe) return { reason: `pattern ${unsafe}` };
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'i');
  } catch {
    return { reason: 'pattern is not a valid regular expression' };
  }
  if (regex.test('')) return { reason: 'pattern matches an empty name, so it would match every name' };
  return regex;
}
