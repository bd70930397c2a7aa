// The compiled matcher agrees with the naive reference on every question, for random lists with
// exact, subdomains-only, allow and restricted entries, duplicates across lists and categories
// from several covering parents; and it says the same after a trip through toBuffer/fromBuffer.
import fc from 'fast-check';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { MatcherBuilder, compileMatcher } from '../../../../firmware/dns/matcher/compile.ts';
import type { MatcherEntry } from '../../../../firmware/dns/matcher/entry.ts';
import { MatchExplanation } from '../../../../firmware/dns/matcher/explanation.ts';
import { Matcher, MatchResult } from '../../../../firmware/dns/matcher/matcher.ts';
import { entries, questionsFor } from './arbitraries.ts';
import { type ExpectedMatch, indexEntries, referenceExplain, referenceMatch } from './reference.ts';

const withQuestions = entries.chain((list) => fc.tuple(fc.constant(list), questionsFor(list), fc.nat({ max: 0xffffffff })));

function observed(matcher: Matcher, result: MatchResult): ExpectedMatch {
  return {
    categories: matcher.categories.idsOf(result.blockLo, result.blockHi).sort(),
    blockList: result.blockList,
    blockLine: result.blockLine,
    allowed: result.allowed,
    restricted: result.restricted,
    restrictedList: result.restrictedList,
  };
}

function checkAgainstReference(matcher: Matcher, list: readonly MatcherEntry[], questions: readonly string[]): void {
  const byName = indexEntries(list);
  const result = new MatchResult();
  for (const q of questions) {
    matcher.match(q, result);
    expect(observed(matcher, result), q).toEqual(referenceMatch(byName, q));
    const explained = matcher.explain(q);
    expect(explained, q).toEqual(referenceExplain(byName, q));
    for (const x of explained) expect(Value.Check(MatchExplanation, x)).toBe(true);
  }
}

describe('matcher against the reference', () => {
  it('matches and explains like a suffix walk over the listed names', () => {
    fc.assert(fc.property(withQuestions, ([list, questions, seed]) => {
      checkAgainstReference(compileMatcher(list, { seed }), list, questions);
    }), { numRuns: 300 });
  });

  it('takes any string without throwing, malformed names included (empty labels, stray escapes)', () => {
    const junk = fc.string({ unit: fc.constantFrom('a', 'b', 'x', 'y', '.', '\\', '0', '2', '5'), maxLength: 16 })
      // One trailing dot is read as the absolute form, which the reference does not model.
      .filter((q) => !/(^|[^\\])(\\\\)*\.$/.test(q));
    const listedJunk = entries.chain((list) => fc.tuple(fc.constant(list), fc.array(junk, { minLength: 1, maxLength: 20 })));
    fc.assert(fc.property(listedJunk, ([list, questions]) => {
      checkAgainstReference(compileMatcher(list), list, questions);
    }), { numRuns: 200 });
  });

  it('answers the same after toBuffer/fromBuffer, and re-encodes to the same bytes', () => {
    fc.assert(fc.property(withQuestions, ([list, questions, seed]) => {
      const compiled = compileMatcher(list, { seed });
      const bytes = compiled.toBuffer();
      const loaded = Matcher.fromBuffer(bytes);
      expect(loaded.size).toBe(compiled.size);
      expect(loaded.toBuffer()).toEqual(bytes);
      checkAgainstReference(loaded, list, questions);
    }), { numRuns: 100 });
  });

  it('answers the same in shared memory, on this thread (toShared) and as another thread sees it (fromShared)', () => {
    fc.assert(fc.property(withQuestions, ([list, questions, seed]) => {
      const compiled = compileMatcher(list, { seed });
      const { matcher, table } = compiled.toShared();
      expect(table).toBeInstanceOf(SharedArrayBuffer);
      const other = Matcher.fromShared(table);
      for (const m of [matcher, other]) {
        expect(m.isShared).toBe(true);
        // What makes V8 collect a replaced shared table (see Matcher's #gcWeight).
        expect(m.gcWeightBytes).toBe(table.byteLength);
        expect(m.toBuffer()).toEqual(compiled.toBuffer());
        checkAgainstReference(m, list, questions);
      }
      expect(compiled.isShared).toBe(false);
      expect(compiled.gcWeightBytes).toBe(0);
    }), { numRuns: 100 });
  });

  it('streams through MatcherBuilder to the same table as compileMatcher, whatever the size hint', () => {
    fc.assert(fc.property(entries, fc.option(fc.nat({ max: 5000 }), { nil: undefined }), (list, expectedNames) => {
      const builder = new MatcherBuilder(expectedNames === undefined ? {} : { expectedNames });
      for (const e of list) expect(builder.add(e)).toBe(true);
      expect(builder.accepted).toBe(list.length);
      expect(builder.size).toBe(new Set(list.map((e) => e.name)).size);
      expect(builder.build().toBuffer()).toEqual(compileMatcher(list).toBuffer());
    }), { numRuns: 100 });
  });

  it('never shows where a restricted list covers a name: restricted entries only add their list and withhold', () => {
    fc.assert(fc.property(withQuestions, ([list, questions]) => {
      const matcher = compileMatcher(list);
      const without = compileMatcher(list.filter((e) => e.kind !== 'restricted'));
      const restricted = list.filter((e) => e.kind === 'restricted');
      const strip = (x: MatchExplanation) => ('category' in x ? [x.kind, x.list, x.category] : [x.kind, x.list]);
      for (const q of questions) {
        const shown = matcher.explain(q);
        for (const x of shown) {
          if (x.kind === 'restricted') expect(Object.keys(x).sort()).toEqual(['kind', 'list']);
          if (!('suffix' in x)) continue;
          const apex = x.suffix === q;
          const covering = restricted.filter((r) => r.name === x.suffix && (apex ? r.mode !== 'subdomains' : r.mode !== 'exact'));
          expect(covering, `${q} shows ${x.suffix}`).toEqual([]);
        }
        expect(shown.filter((x) => x.kind !== 'restricted').map(strip)).toEqual(without.explain(q).map(strip));
      }
    }), { numRuns: 200 });
  });
});
