// The regular expressions of every 'regex' list (and adblock `/…/` rules), tried in order
// against a question name.
//
// Why this stays cheap: V8's engine backtracks, so a pattern's cost depends on its shape and the
// name's length. formats/regex-safety.ts refuses every shape whose backtracking can grow faster
// than (name length × pattern length) per start position — nested or overlapping repetitions,
// ambiguous alternations under a repetition, backreferences, lookaround — and patterns over 200
// characters. Names are at most 253 characters here, so each pattern costs a bounded, small
// polynomial in the worst case and a single scan in the usual one (most list patterns are
// anchored). With at most 1,000 patterns the set's worst case per name is bounded too; it is
// consulted only when a regex list is configured.
import { compileSafeRegex } from './formats/regex-safety.ts';

export const MAX_REGEX_PATTERNS = 1000;
/** The longest name in presentation form without escapes (RFC 1035: 255 octets on the wire). */
export const MAX_MATCHED_NAME = 253;

export class RegexSet {
  private readonly regexes: readonly RegExp[];

  private constructor(regexes: readonly RegExp[]) {
    this.regexes = regexes;
  }

  /**
   * Compiles patterns (as the list parsers emit them, without delimiters). Refuses the whole set
   * rather than serve part of it; `index` says which pattern, so the caller can name its list
   * and line. The reasons never quote a pattern.
   */
  static compile(patterns: readonly string[]): RegexSet | { error: string; index?: number } {
    if (patterns.length > MAX_REGEX_PATTERNS) {
      return { error: `${patterns.length} regular expressions configured; at most ${MAX_REGEX_PATTERNS} are allowed (each is tried on every question)` };
    }
    const regexes: RegExp[] = [];
    for (const [index, pattern] of patterns.entries()) {
      const compiled = compileSafeRegex(pattern);
      if ('reason' in compiled) return { error: compiled.reason, index };
      regexes.push(compiled);
    }
    return new RegexSet(regexes);
  }

  get size(): number {
    return this.regexes.length;
  }

  /**
   * The index of the first pattern matching `name` (normalised: lower case, no trailing dot), or
   * -1. A name longer than 253 characters is no hostname (only escaped binary labels get there);
   * it is not tried, so no pattern ever runs on more than 253 characters.
   */
  match(name: string): number {
    if (name.length > MAX_MATCHED_NAME) return -1;
    const regexes = this.regexes;
    for (let i = 0; i < regexes.length; i++) {
      if (regexes[i]!.test(name)) return i;
    }
    return -1;
  }
}
