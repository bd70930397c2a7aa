import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseListText } from '../../../firmware/rules/formats/parse.ts';
import { compileSafeRegex } from '../../../firmware/rules/formats/regex-safety.ts';
import { BudgetExceeded, countedMatch } from './backtrack-counter.ts';
import { MAX_REGEX_PATTERNS, RegexSet } from '../../../firmware/rules/regex-set.ts';

const refused = (pattern: string): string => {
  const result = compileSafeRegex(pattern);
  if (result instanceof RegExp) throw new Error(`accepted ${pattern}`);
  return result.reason;
};

// Small atoms that overlap with each other, so every family member can backtrack.
const atom = fc.constantFrom('a', '[a-c]', '\\w', '.', '[^.]', '\\d', '[0-9a]', 'x');
const quant = fc.constantFrom('*', '+', '{1,}', '{2,40}');
const catastrophic = fc.oneof(
  // (a+)+ and friends: a repeated group holding a repetition.
  fc.tuple(atom, quant, quant).map(([a, q1, q2]) => `(${a}${q1})${q2}`),
  fc.tuple(atom, quant, quant).map(([a, q1, q2]) => `^(?:x${a}${q1}y?)${q2}$`),
  // (a|a)* and (a|ab)*: a repeated alternation whose branches start alike.
  fc.tuple(atom, quant).map(([a, q]) => `(${a}|${a}${a})${q}`),
  fc.tuple(atom, quant).map(([a, q]) => `^(${a}|${a})${q}z$`),
  // Repetitions in sequence over the same characters: .*x.*, \d+\d+.
  fc.tuple(atom, quant, quant).map(([a, q1, q2]) => `${a}${q1}${a}${q2}`),
  fc.tuple(atom, quant, quant).map(([a, q1, q2]) => `^${a}${q1}-?${a}${q2}\\.example$`),
  // Backreferences and lookaround.
  atom.map((a) => `(${a})\\1`),
  atom.map((a) => `(?=${a})${a}`),
  atom.map((a) => `(?<!${a})x`),
  // Many optional overlapping parts: a?a?a?…aaa.
  fc.integer({ min: 7, max: 30 }).map((n) => `${'a?'.repeat(n)}${'a'.repeat(n)}`),
);

describe('regular expression safety', () => {
  it('refuses every pattern of the known catastrophic shapes', () => {
    fc.assert(fc.property(catastrophic, (pattern) => {
      expect(refused(pattern)).toMatch(/backtrack|backreference|lookahead|too many optional|nothing/);
    }), { numRuns: 2000 });
  });

  it('accepts ordinary domain patterns', () => {
    for (const pattern of [
      '^ads?[0-9]*\\.',
      '(^|\\.)doubleclick\\.net$',
      '^(ad|ads|track)[0-9]{0,3}\\.example\\.(com|net)$',
      '(^|\\.)[a-z0-9-]+-cdn\\.example$',
      '^x{3}\\.example$',
      '(ab|cd)+\\.example$',
      '^[^.]+\\.tracker\\.example$',
    ]) {
      expect(compileSafeRegex(pattern), pattern).toBeInstanceOf(RegExp);
    }
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9]{0,20}$/), fc.stringMatching(/^[a-z]{2,6}$/), (label, tld) => {
      expect(compileSafeRegex(`(^|\\.)${label}\\.${tld}$`)).toBeInstanceOf(RegExp);
    }));
  });

  it('says why a pattern is refused', () => {
    expect(refused('a'.repeat(201))).toContain('longer than 200');
    expect(refused('(abc')).toContain('unclosed "("');
    expect(refused('abc)')).toContain('unmatched ")"');
    expect(refused('[abc')).toContain('unclosed "["');
    expect(refused('ab{')).toContain('repetition count');
    expect(refused('a{5,2}')).toContain('out of order');
    expect(refused('*ab')).toContain('nothing to repeat');
    expect(refused('^*')).toContain('repeats an anchor');
    expect(refused('bücher\\.example')).toContain('punycode');
    expect(refused('\\p{L}')).toContain('unknown escape');
    expect(refused('^$|')).toContain('empty name');
    expect(refused('.*')).toContain('empty name');
    expect(refused('(?<n>a)\\k<n>')).toContain('backreference');
  });

  it('compiles case-insensitively', () => {
    const regex = compileSafeRegex('^ADS\\.');
    expect(regex).toBeInstanceOf(RegExp);
    expect((regex as RegExp).test('ads.example.com')).toBe(true);
  });

  // The module's bound: per start position, at most about name length x pattern length x 64 steps.
  const budgetFor = (pattern: string, text: string): number => (text.length + 1) * pattern.length * 64;
  const long = `${'a'.repeat(60)}.${'0'.repeat(60)}.${'a-'.repeat(30)}.${'x'.repeat(60)}!`.slice(0, 253);

  it('the step counter catches catastrophic backtracking where V8 would (so the bound below can fail)', () => {
    const name = `${'a'.repeat(30)}!`;
    for (const pattern of ['(a+)+$', '(a|a)*$', '\\w+\\w+\\w+\\w+\\w+\\w+$']) {
      expect(compileSafeRegex(pattern)).not.toBeInstanceOf(RegExp);
      expect(() => countedMatch(pattern, name, budgetFor(pattern, name))).toThrow(BudgetExceeded);
    }
    // A safe pattern on the same name stays far inside the bound, and agrees with V8.
    expect(countedMatch('^a+!$', name, budgetFor('^a+!$', name))).toEqual({ matched: true, maxSteps: expect.any(Number) });
  });

  it('never throws, and what it accepts compiles and runs on a long name within the step bound', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'a0.-^$()[]{}|*+?\\dwsx,:!', 'b'), maxLength: 40 }), (pattern) => {
      const result = compileSafeRegex(pattern);
      if (result instanceof RegExp) {
        const counted = countedMatch(pattern, long, budgetFor(pattern, long));
        expect(counted.matched).toBe(result.test(long));
      }
    }), { numRuns: 3000 });
  });
});

describe('regex lists', () => {
  it('reads one pattern a line, with or without delimiters, reporting bad ones by line', () => {
    const parsed = parseListText('# trackers\n^ads?[0-9]*\\.\n/(^|\\.)doubleclick\\.net$/\n/unterminated\n(a+)+$\n/^x\\.example$/i\n\n', 'regex');
    expect(parsed.items).toEqual([
      { type: 'regex', pattern: '^ads?[0-9]*\\.', action: 'block', line: 2 },
      { type: 'regex', pattern: '(^|\\.)doubleclick\\.net$', action: 'block', line: 3 },
      { type: 'regex', pattern: '^x\\.example$', action: 'block', line: 6 },
    ]);
    expect(parsed.errors).toEqual([
      { line: 4, message: expect.stringContaining('must end with "/"') },
      { line: 5, message: expect.stringMatching(/^"\(a\+\)\+\$": pattern has repetitions .* backtrack/) },
    ]);
  });

  it('refuses IDNs in patterns, asking for punycode', () => {
    const parsed = parseListText('(^|\\.)bücher\\.example$\n(^|\\.)xn--bcher-kva\\.example$\n', 'regex');
    expect(parsed.errors).toEqual([{ line: 1, message: expect.stringContaining('xn--') }]);
    expect(parsed.items).toEqual([{ type: 'regex', pattern: '(^|\\.)xn--bcher-kva\\.example$', action: 'block', line: 2 }]);
  });
});

describe('regex set', () => {
  it('gives the index of the first matching pattern, or -1', () => {
    const set = RegexSet.compile(['^ads?[0-9]*\\.', '(^|\\.)doubleclick\\.net$', '^ad']);
    if (!(set instanceof RegexSet)) throw new Error(set.error);
    expect(set.size).toBe(3);
    expect(set.match('ads12.example.com')).toBe(0);
    expect(set.match('static.doubleclick.net')).toBe(1);
    expect(set.match('adserver.example')).toBe(2);
    expect(set.match('example.com')).toBe(-1);
    expect(set.match(`ad${'a.'.repeat(130)}com`)).toBe(-1);
  });

  it('refuses too many patterns and unsafe ones, by index', () => {
    expect(RegexSet.compile(Array.from({ length: MAX_REGEX_PATTERNS + 1 }, (_, i) => `^a${i}\\.`))).toEqual({ error: expect.stringContaining('at most 1000') });
    expect(RegexSet.compile(['^a\\.', '(x+)+'])).toEqual({ error: expect.stringContaining('backtrack'), index: 1 });
  });
});
