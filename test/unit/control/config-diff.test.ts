// The edits a change request holds for a page's configuration edit: one per differing value, with
// JSON pointers escaped as RFC 6901 says, arrays replaced whole when their lengths differ, and a
// property check that applying the edits to the current document gives the draft.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { pointerTokens } from '../../../firmware/config/issues.ts';
import type { ConfigEdit } from '../../../firmware/control/changes/change-schema.ts';
import { isDeepStrictEqual } from 'node:util';
import { configDiff } from '../../../firmware/control/changes/config-diff.ts';

/** Applies edits as change control's apply does: set `after`, or delete when it is absent. */
function applyEdits(doc: unknown, edits: readonly ConfigEdit[]): unknown {
  const next = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  for (const edit of edits) {
    const tokens = pointerTokens(edit.path);
    const last = tokens.pop()!;
    let node: any = next;
    for (const t of tokens) node = node[t];
    if (edit.after === undefined) {
      if (Array.isArray(node)) node.splice(Number(last), 1);
      else delete node[last];
    } else {
      node[Array.isArray(node) ? Number(last) : last] = edit.after;
    }
  }
  return next;
}

describe('configDiff', () => {
  it('finds nothing between a document and its copy, key order aside', () => {
    const config = defaultConfig();
    expect(configDiff(config, JSON.parse(JSON.stringify(config)))).toEqual([]);
    expect(configDiff({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
  });

  it('names one category rule of one policy, not the policy', () => {
    const config = defaultConfig();
    const draft = JSON.parse(JSON.stringify(config));
    const index = draft.policies.findIndex((p: { id: string }) => p.id === 'pupil');
    const before = draft.policies[index].categories.social;
    draft.policies[index].categories.social = { disposition: 'acceptable-at-certain-times', schedule: 'lunchtime' };
    expect(configDiff(config, draft)).toEqual([
      { path: `/policies/${index}/categories/social/disposition`, before: before.disposition, after: 'acceptable-at-certain-times' },
      { path: `/policies/${index}/categories/social/schedule`, after: 'lunchtime' },
    ]);
  });

  it('gives an added key no before and a removed key no after', () => {
    expect(configDiff({ a: { x: 1 } }, { a: { y: 2 } })).toEqual([
      { path: '/a/x', before: 1 },
      { path: '/a/y', after: 2 },
    ]);
    expect(configDiff({ a: 1 }, { a: 1, b: { deep: [1] } })).toEqual([{ path: '/b', after: { deep: [1] } }]);
  });

  it('compares arrays of the same length item by item, and replaces an array whose length changed', () => {
    expect(configDiff({ g: ['a', 'b', 'c'] }, { g: ['a', 'x', 'c'] })).toEqual([{ path: '/g/1', before: 'b', after: 'x' }]);
    expect(configDiff({ g: ['a', 'b'] }, { g: ['x', 'a', 'b'] })).toEqual([{ path: '/g', before: ['a', 'b'], after: ['x', 'a', 'b'] }]);
    expect(configDiff({ g: [{ id: 'a', n: 1 }] }, { g: [{ id: 'a', n: 2 }] })).toEqual([{ path: '/g/0/n', before: 1, after: 2 }]);
  });

  it('replaces a value whose type changed (object to array, value to null)', () => {
    expect(configDiff({ a: { b: 1 } }, { a: [1] })).toEqual([{ path: '/a', before: { b: 1 }, after: [1] }]);
    expect(configDiff({ a: 1 }, { a: null })).toEqual([{ path: '/a', before: 1, after: null }]);
  });

  it('escapes ~ as ~0 and / as ~1 in a pointer', () => {
    expect(configDiff({ 'a/b': { 'c~d': 1 } }, { 'a/b': { 'c~d': 2 } })).toEqual([{ path: '/a~1b/c~0d', before: 1, after: 2 }]);
    expect(pointerTokens('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
  });

  it('hands back copies: changing the draft afterwards does not change the edits', () => {
    const draft = { a: { list: [1, 2, 3] } };
    const edits = configDiff({ a: { list: [1] } }, draft);
    draft.a.list.push(4);
    expect(edits).toEqual([{ path: '/a/list', before: [1], after: [1, 2, 3] }]);
  });

  it('refuses anything but two objects', () => {
    expect(() => configDiff([], {})).toThrow(/two documents/);
    expect(() => configDiff({}, null)).toThrow(/two documents/);
  });

  it('gives edits that turn any document into any other', () => {
    const key = fc.constantFrom('a', 'b', 'c/d', 'e~f');
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', 'y', null, true), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 3 }),
      object: fc.dictionary(key, tie('value'), { maxKeys: 3 }),
    }));
    // Through JSON, as a configuration document is (fast-check's dictionaries have no prototype).
    const doc = json.object.map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);
    fc.assert(fc.property(doc, doc, (a, b) => {
      const edits = configDiff(a, b);
      expect(applyEdits(a, edits)).toEqual(b);
      expect(edits.length === 0).toBe(isDeepStrictEqual(a, b));
    }), { numRuns: 500 });
  });
});
