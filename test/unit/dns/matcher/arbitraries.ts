// Random list entries and questions drawn from a small pool of labels, so listed names, their
// parents and the questions overlap often (the interesting cases), escapes included.
import fc from 'fast-check';
import type { MatcherEntry } from '../../../../firmware/dns/matcher/entry.ts';

// `x\.y` is one label containing a dot, `b\\` one ending in a backslash, `z\255` a \DDD escape.
const LABELS = ['a', 'b', 'c', 'www', 'example', 'co', 'uk', 'com', 'x\\.y', 'y', 'b\\\\', 'z\\255', 'xn--bcher-kva', '_srv'];

export const label = fc.constantFrom(...LABELS);
export const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
export const question = fc.array(label, { minLength: 1, maxLength: 6 }).map((labels) => labels.join('.'));

/** 64 categories, so both halves of the mask are exercised. */
export const category = fc.integer({ min: 0, max: 63 }).map((i) => `c${i}`);

export const entry: fc.Arbitrary<MatcherEntry> = fc.record({
  name,
  kind: fc.constantFrom('block', 'block', 'block', 'allow', 'restricted') as fc.Arbitrary<MatcherEntry['kind']>,
  mode: fc.constantFrom(undefined, 'suffix', 'exact', 'subdomains') as fc.Arbitrary<MatcherEntry['mode']>,
  category,
  list: fc.integer({ min: 0, max: 4 }),
  line: fc.integer({ min: 1, max: 5000 }),
}).map((e) => {
  const out: MatcherEntry = { name: e.name, kind: e.kind, list: e.list, line: e.line };
  if (e.mode !== undefined) out.mode = e.mode;
  if (e.kind === 'block') out.category = e.category;
  return out;
});

export const entries = fc.array(entry, { maxLength: 60 });

/** Questions that are listed names with 0-2 extra labels in front, plus free ones. */
export function questionsFor(listed: readonly MatcherEntry[]): fc.Arbitrary<string[]> {
  const near = listed.length === 0
    ? question
    : fc.tuple(fc.constantFrom(...listed), fc.array(label, { maxLength: 2 }))
      .map(([e, prefix]) => [...prefix, e.name].join('.'));
  return fc.array(fc.oneof(near, question), { minLength: 1, maxLength: 25 });
}
