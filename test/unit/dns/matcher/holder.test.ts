import { describe, expect, it } from 'vitest';
import { compileMatcher } from '../../../../firmware/dns/matcher/compile.ts';
import { MatcherHolder } from '../../../../firmware/dns/matcher/holder.ts';
import { type Matcher, MatchResult } from '../../../../firmware/dns/matcher/matcher.ts';

describe('MatcherHolder', () => {
  it('starts empty, swaps whole tables and hands back the old one', () => {
    const holder = new MatcherHolder();
    const r = new MatchResult();
    holder.current.match('blocked.test', r);
    expect(r.blockLo).toBe(0);
    const first = compileMatcher([{ name: 'blocked.test', kind: 'block', category: 'x', list: 1, line: 1 }]);
    const before = holder.current;
    expect(holder.swap(first)).toBe(before);
    expect(holder.generation).toBe(1);
    // A query that took `current` before the next swap keeps using that table throughout.
    const inFlight = holder.current;
    holder.swap(compileMatcher([]));
    inFlight.match('blocked.test', r);
    expect(r.blockLo).toBe(1);
    holder.current.match('blocked.test', r);
    expect(r.blockLo).toBe(0);
    expect(holder.generation).toBe(2);
  });

  it('refuses something that is not a Matcher', () => {
    expect(() => new MatcherHolder().swap({} as Matcher)).toThrow(TypeError);
  });
});
