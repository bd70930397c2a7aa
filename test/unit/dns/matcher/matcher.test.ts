// Named cases: label edge cases, entry modes and kinds, rejects, what `explain` may show.
import { describe, expect, it } from 'vitest';
import { MatcherBuilder, compileMatcher } from '../../../../firmware/dns/matcher/compile.ts';
import type { MatcherEntry, MatcherReject } from '../../../../firmware/dns/matcher/entry.ts';
import { Matcher, MatcherReleasedError, MatchResult } from '../../../../firmware/dns/matcher/matcher.ts';

const block = (name: string, category: string, extra: Partial<MatcherEntry> = {}): MatcherEntry =>
  ({ name, kind: 'block', category, list: 1, line: 1, ...extra });

function verdict(matcher: Matcher, name: string) {
  const r = new MatchResult();
  matcher.match(name, r);
  return { categories: matcher.categories.idsOf(r.blockLo, r.blockHi), allowed: r.allowed, restricted: r.restricted, list: r.blockList, line: r.blockLine, restrictedList: r.restrictedList };
}

describe('modes', () => {
  const m = compileMatcher([
    block('suffix.test', 'social'),
    block('exact.test', 'games', { mode: 'exact' }),
    block('sub.test', 'chat', { mode: 'subdomains' }),
  ]);
  it.each([
    ['suffix.test', ['social']], ['a.b.suffix.test', ['social']], ['xsuffix.test', []],
    ['exact.test', ['games']], ['www.exact.test', []],
    ['sub.test', []], ['www.sub.test', ['chat']], ['a.b.sub.test', ['chat']],
    ['test', []],
  ])('%s -> %j', (name, categories) => {
    expect(verdict(m, name).categories).toEqual(categories);
  });
});

describe('kinds', () => {
  const m = compileMatcher([
    block('social.test', 'social', { list: 2, line: 7 }),
    block('www.social.test', 'games', { list: 3, line: 9 }),
    { name: 'ok.social.test', kind: 'allow', list: 4, line: 1 },
    { name: 'illegal.test', kind: 'restricted', list: 5, line: 33 },
    { name: 'illegal.test', kind: 'allow', list: 4, line: 2 },
    block('illegal.test', 'adult', { list: 2, line: 8 }),
  ]);

  it('unions the categories of every covering parent and reports the closest block entry', () => {
    expect(verdict(m, 'a.www.social.test')).toMatchObject({ categories: ['social', 'games'], list: 3, line: 9, allowed: false });
  });

  it('reports an allow entry beside the blocks it overrides', () => {
    expect(verdict(m, 'x.ok.social.test')).toMatchObject({ categories: ['social'], allowed: true, restricted: false });
  });

  it('reports restricted even where an allow entry covers the name, and hides the block source', () => {
    expect(verdict(m, 'www.illegal.test')).toEqual({ categories: ['adult'], allowed: true, restricted: true, list: -1, line: -1, restrictedList: 5 });
  });

  it('explains a restricted name by its list only, withholding where the other lists have it', () => {
    const shown = m.explain('www.illegal.test');
    expect(shown).toEqual([
      { kind: 'restricted', list: 5 },
      { kind: 'allow', list: 4, withheld: true },
      { kind: 'block', category: 'adult', list: 2, withheld: true },
    ]);
    expect(JSON.stringify(shown)).not.toContain('illegal');
  });

  it('never keeps a restricted name in the compiled bytes', () => {
    const name = 'a-long-restricted-name-for-this-test.example';
    const bytes = compileMatcher([{ name, kind: 'restricted', list: 1, line: 1 }]).toBuffer();
    expect(Buffer.from(bytes).includes(name)).toBe(false);
    expect(Buffer.from(bytes).includes('restricted-name')).toBe(false);
  });

  it('explains ordinary entries with name, mode, list and line', () => {
    expect(m.explain('x.ok.social.test')).toEqual([
      { kind: 'allow', suffix: 'ok.social.test', mode: 'suffix', list: 4, line: 1 },
      { kind: 'block', category: 'social', suffix: 'social.test', mode: 'suffix', list: 2, line: 7 },
    ]);
  });
});

describe('label edge cases', () => {
  it('matches a single-label name and everything under it', () => {
    const m = compileMatcher([block('zip', 'tld')]);
    expect(verdict(m, 'zip').categories).toEqual(['tld']);
    expect(verdict(m, 'files.zip').categories).toEqual(['tld']);
    expect(verdict(m, 'zipper').categories).toEqual([]);
  });

  it('handles 63-character labels and a 253-character name', () => {
    const l = 'a'.repeat(63);
    const full = [l, l, l, 'b'.repeat(61)].join('.');
    expect(full.length).toBe(253);
    const m = compileMatcher([block(`${l}.${'b'.repeat(61)}`, 'long'), block(full, 'full', { mode: 'exact' })]);
    expect(verdict(m, full).categories).toEqual(['long', 'full']);
  });

  it('keeps an escaped dot inside its label', () => {
    const m = compileMatcher([block('b.com', 'plain'), block('a\\.b.org', 'escaped')]);
    expect(verdict(m, 'a\\.b.com').categories).toEqual([]); // labels "a.b" and "com": not under b.com
    expect(verdict(m, 'a\\\\.b.com').categories).toEqual(['plain']); // label "a\" then b.com
    expect(verdict(m, 'x.a\\.b.org').categories).toEqual(['escaped']);
    expect(verdict(m, 'a.b.org').categories).toEqual([]);
  });

  it('matches \\DDD escapes as the wire reader writes them', () => {
    const m = compileMatcher([block('caf\\233.test', 'escaped')]);
    expect(verdict(m, 'www.caf\\233.test').categories).toEqual(['escaped']);
    expect(verdict(m, 'www.caf\\234.test').categories).toEqual([]);
  });

  it('walks all 127 labels of the longest name, and longer strings too', () => {
    const name127 = Array(127).fill('a').join('.');
    const m = compileMatcher([block('a', 'top'), block(name127, 'deep', { mode: 'exact' }), block(Array(126).fill('a').join('.'), 'parent', { mode: 'subdomains' })]);
    expect(verdict(m, name127).categories).toEqual(['top', 'deep', 'parent']);
    const name300 = Array(300).fill('a').join('.');
    expect(verdict(m, name300).categories).toEqual(['top', 'parent']);
    expect(verdict(m, name127).categories).toEqual(['top', 'deep', 'parent']);
  });

  it('ignores one trailing dot and matches nothing for the root', () => {
    const m = compileMatcher([block('example.com', 'x')]);
    expect(verdict(m, 'www.example.com.').categories).toEqual(['x']);
    expect(verdict(m, '.').categories).toEqual([]);
    expect(verdict(m, '').categories).toEqual([]);
  });
});

describe('compiling', () => {
  it('refuses malformed entries, counts them, and never puts the name in the reason', () => {
    const rejects: MatcherReject[] = [];
    const builder = new MatcherBuilder({ onReject: (r) => rejects.push(r) });
    const bad: unknown[] = [
      { name: '', kind: 'block', category: 'x', list: 1, line: 1 },
      { name: 'Upper.example', kind: 'block', category: 'x', list: 1, line: 2 },
      { name: 'trailing.example.', kind: 'block', category: 'x', list: 1, line: 3 },
      { name: 'empty..label', kind: 'block', category: 'x', list: 1, line: 4 },
      { name: '.leading', kind: 'block', category: 'x', list: 1, line: 5 },
      { name: 'sp ace.example', kind: 'restricted', list: 1, line: 6 },
      { name: 'no-category.example', kind: 'block', list: 1, line: 7 },
      { name: 'kind.example', kind: 'deny', list: 1, line: 8 },
      { name: 'mode.example', kind: 'allow', mode: 'regex', list: 1, line: 9 },
      { name: 'list.example', kind: 'allow', list: 70000, line: 10 },
      { name: 'dangling\\', kind: 'allow', list: 1, line: 11 },
      { name: Array(128).fill('a').join('.'), kind: 'allow', list: 1, line: 12 },
      { name: 'ünicode.example', kind: 'allow', list: 1, line: 13 },
      null,
    ];
    for (const entry of bad) expect(builder.add(entry as MatcherEntry)).toBe(false);
    expect(builder.add(block('fine.example', 'x'))).toBe(true);
    expect(builder.rejected).toBe(bad.length);
    expect(builder.accepted).toBe(1);
    expect(rejects.map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, -1]);
    bad.forEach((entry, i) => {
      const name = (entry as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && name.length > 0) expect(rejects[i]!.reason).not.toContain(name);
    });
    expect(builder.build().size).toBe(1);
  });

  it('refuses use after build', () => {
    const builder = new MatcherBuilder();
    builder.build();
    expect(() => builder.add(block('a.test', 'x'))).toThrow(/after build/);
    expect(() => builder.build()).toThrow(/twice/);
  });

  it('numbers categories from the options first, so bits survive a reload', () => {
    const m = compileMatcher([block('a.test', 'games')], { categories: ['social', 'games'] });
    expect(m.categories.get('games')).toBe(1);
    expect(Matcher.fromBuffer(m.toBuffer()).categories.ids()).toEqual(['social', 'games']);
  });

  it('refuses a 65th category with a clear error', () => {
    const entries = Array.from({ length: 65 }, (_, i) => block(`n${i}.test`, `cat${i}`));
    expect(() => compileMatcher(entries)).toThrow(/category "cat64": at most 64 categories/);
  });

  it('merges duplicates: first source reported, later lists still explained', () => {
    const m = compileMatcher([
      block('dup.test', 'social', { list: 1, line: 10 }),
      block('dup.test', 'social', { list: 1, line: 11 }),
      block('dup.test', 'games', { list: 2, line: 5 }),
      block('dup.test', 'social', { list: 3, line: 1, mode: 'exact' }),
    ]);
    expect(m.size).toBe(1);
    expect(verdict(m, 'dup.test')).toMatchObject({ categories: ['social', 'games'], list: 1, line: 10 });
    expect(m.explain('dup.test').map((x) => ('line' in x ? [x.list, x.line] : []))).toEqual([[1, 10], [2, 5], [3, 1]]);
    expect(m.explain('www.dup.test').map((x) => x.list)).toEqual([1, 2]);
  });

  it('reports the source of the entry that applies, not merely the first for the name', () => {
    const m = compileMatcher([
      block('mixed.test', 'games', { list: 1, line: 1, mode: 'exact' }),
      { name: 'mixed.test', kind: 'allow', list: 2, line: 2 },
      block('mixed.test', 'social', { list: 3, line: 3 }),
    ]);
    expect(verdict(m, 'www.mixed.test')).toMatchObject({ categories: ['social'], list: 3, line: 3, allowed: true });
    expect(verdict(m, 'mixed.test')).toMatchObject({ categories: ['games', 'social'], list: 1, line: 1 });
  });

  it('sizes itself: an empty matcher matches nothing', () => {
    const m = Matcher.empty();
    expect(m.size).toBe(0);
    expect(verdict(m, 'anything.test').categories).toEqual([]);
    expect(m.bytes).toBeGreaterThan(0);
  });
});

describe('release (a table a reload replaced)', () => {
  const list: MatcherEntry[] = [
    { name: 'social.test', kind: 'block', category: 'social', list: 0, line: 1 },
    { name: 'social.test', kind: 'block', category: 'games', list: 1, line: 2 },
  ];

  it('frees the arrays at once; afterwards every read throws instead of answering from an empty table', () => {
    const matcher = compileMatcher(list);
    const { data } = matcher.toTransfer();
    expect(matcher.release()).toBe(true);
    expect([data.slots, data.keys, data.lists, data.extraEntry].map((a) => a.byteLength)).toEqual([0, 0, 0, 0]);
    expect(() => matcher.match('www.social.test', new MatchResult())).toThrow(MatcherReleasedError);
    expect(() => matcher.explain('social.test')).toThrow(MatcherReleasedError);
    expect(() => matcher.toBuffer()).toThrow(MatcherReleasedError);
    expect(() => matcher.toPieces()).toThrow(MatcherReleasedError);
    expect(matcher.release()).toBe(true);
  });

  it('frees a table loaded from its file (one buffer under every array) the same way', () => {
    const matcher = Matcher.fromBuffer(compileMatcher(list).toBuffer(), { adopt: true });
    expect(matcher.release()).toBe(true);
    expect(() => matcher.match('social.test', new MatchResult())).toThrow(MatcherReleasedError);
  });

  it('leaves a table in shared memory alone (other threads match with it): false, still answering', () => {
    const { matcher } = compileMatcher(list).toShared();
    expect(matcher.release()).toBe(false);
    const out = new MatchResult();
    matcher.match('www.social.test', out);
    expect(out.blockList).toBe(0);
  });
});
