// Class unlocks in the policy engine: a teacher's unlock opens one category for one device group
// from..until, through the same cached masks that answer questions, and never opens what a policy
// marks unacceptable and illegal or a restricted list feeds; exceptions and restricted lists still
// decide first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClassUnlock } from '../../../../firmware/config/classes-schema.ts';
import { Decision, type DecisionInput } from '../../../../firmware/dns/policy/decision.ts';
import { PolicyEngine, type PolicyConfig } from '../../../../firmware/dns/policy/engine.ts';
import { at, BITS, bitOf, input, schoolConfig } from './helpers.ts';

// Monday 24 November 2025 (GMT), a morning lesson: streaming (lunchtime only) blocks on the pupil policy.
const LESSON = at('2025-11-24T10:00:00Z');
const MIN = 60_000;

function unlock(group: string, category: string, from: number, minutes: number, id = 'unlock-1'): ClassUnlock {
  return { id, group, category, from: new Date(from).toISOString(), until: new Date(from + minutes * MIN).toISOString(), by: 'account:mrs-khan', reason: 'a film for the science lesson' };
}

function withUnlocks(...unlocks: ClassUnlock[]): PolicyConfig {
  return { ...schoolConfig(), classUnlocks: unlocks, lists: [{ id: 'iwf', name: 'IWF', category: 'hate', file: '/lists/iwf', format: 'hosts', restricted: true, enabled: true }] };
}

const decide = (engine: PolicyEngine, i: DecisionInput, now: number) => engine.decide(i, now, new Decision()).toRecord();

describe('a class unlock', () => {
  const from = LESSON + 7 * MIN + 12_345; // an unlock starts whenever the teacher presses the button, not on a minute
  const engine = PolicyEngine.build(withUnlocks(unlock('year-6', 'streaming', from, 30)), bitOf);
  const year6 = input('pupil', 'video.example', ['streaming'], { groupId: 'year-6' });

  it('opens its category for its group only, from..until, through the cached masks', () => {
    const year5 = input('pupil', 'video.example', ['streaming'], { groupId: 'media-club' });
    const none = input('pupil', 'video.example', ['streaming']);
    expect(decide(engine, year6, from - 1)).toMatchObject({ action: 'block', category: 'streaming' });
    expect(engine.staleAt(from - 1)).toBe(from);
    expect(decide(engine, year6, from)).toEqual({ action: 'allow', watch: false, reason: 'none' });
    expect(decide(engine, year5, from + MIN)).toMatchObject({ action: 'block', category: 'streaming' });
    expect(decide(engine, none, from + MIN)).toMatchObject({ action: 'block', category: 'streaming' });
    expect(decide(engine, year6, from + 30 * MIN - 1)).toMatchObject({ action: 'allow' });
    expect(engine.staleAt(from + 29 * MIN)).toBe(from + 30 * MIN);
    expect(decide(engine, year6, from + 30 * MIN)).toMatchObject({ action: 'block', category: 'streaming' });
    // A clock stepped back into the lesson finds it open again.
    expect(decide(engine, year6, from + 10 * MIN)).toMatchObject({ action: 'allow' });
  });

  it('opens an unacceptable category too, but not a name also in a category still blocked', () => {
    const e = PolicyEngine.build(withUnlocks(unlock('year-6', 'social', LESSON, 60)), bitOf);
    expect(decide(e, input('pupil', 'social.example', ['social'], { groupId: 'year-6' }), LESSON + MIN)).toMatchObject({ action: 'allow' });
    expect(decide(e, input('pupil', 'both.example', ['social', 'gambling'], { groupId: 'year-6' }), LESSON + MIN)).toMatchObject({ action: 'block', category: 'gambling' });
  });

  it('never opens an unacceptable-and-illegal category, a restricted list, or past a block exception', () => {
    const config = withUnlocks(unlock('year-6', 'illegal', LESSON, 60, 'unlock-1'), unlock('year-6', 'hate', LESSON, 60, 'unlock-2'), unlock('year-6', 'streaming', LESSON, 60, 'unlock-3'));
    config.exceptions = [{ id: 'no-tube', domain: 'tube.example', action: 'block', reason: 'not for pupils', requestedBy: 'account:head' }];
    const e = PolicyEngine.build(config, bitOf);
    const now = LESSON + MIN;
    expect(decide(e, input('pupil', 'bad.example', ['illegal'], { groupId: 'year-6' }), now)).toMatchObject({ action: 'block', category: 'illegal' });
    expect(decide(e, input('pupil', 'iwf.example', ['hate'], { groupId: 'year-6', restricted: true }), now)).toMatchObject({ action: 'block', reason: 'restricted' });
    expect(decide(e, input('pupil', 'tube.example', ['streaming'], { groupId: 'year-6' }), now)).toMatchObject({ action: 'block', reason: 'exception-block' });
    expect(e.unlockOf('year-6', BITS.illegal!, now)).toBeUndefined();
    expect(e.unlockOf('year-6', BITS.hate!, now)).toBeUndefined();
  });

  it('is ignored for a group or category the configuration does not know, or an empty span', () => {
    const e = PolicyEngine.build(withUnlocks(unlock('gone', 'streaming', LESSON, 60), unlock('year-6', 'streaming', LESSON, 0, 'unlock-2')), bitOf);
    expect(decide(e, year6, LESSON + MIN)).toMatchObject({ action: 'block' });
    expect(e.staleAt(LESSON + MIN)).toBe(at('2025-11-24T12:00:00Z'));
  });

  it("is told by `check`'s explanation, with who opened it and until when", () => {
    const x = engine.explain(year6, from + MIN);
    const streaming = x.categories.find((c) => c.id === 'streaming')!;
    expect(streaming.blocksNow).toBe(false);
    expect(streaming.unlock).toMatchObject({ id: 'unlock-1', group: 'year-6', by: 'account:mrs-khan' });
    expect(streaming.note).toContain('unlocked for "Year 6" (year-6) by account:mrs-khan until Mon, 24 Nov 2025, 10:37 GMT');
    expect(x.summary).toContain('open by a class unlock');
    expect(x.decision.action).toBe('allow');
    const later = engine.explain(year6, from + 31 * MIN).categories.find((c) => c.id === 'streaming')!;
    expect(later.unlock).toBeUndefined();
    expect(later.blocksNow).toBe(true);
  });
});

// --- the property ----------------------------------------------------------------------------

const GROUPS = ['year-6', 'media-club', 'staff-laptops', 'sen', 'gone'];
const CATEGORY_IDS = Object.keys(BITS);
/** Never opened: illegal in some policy, or fed by the restricted list. */
const NEVER = new Set(['illegal', 'extremism', 'hate']);

const unlockArb = (i: number): fc.Arbitrary<ClassUnlock> => fc.record({
  group: fc.constantFrom(...GROUPS),
  category: fc.constantFrom(...CATEGORY_IDS),
  start: fc.integer({ min: -180, max: 180 }).map((m) => LESSON + m * MIN + (i * 7919) % MIN),
  minutes: fc.integer({ min: 0, max: 240 }),
}).map((u) => unlock(u.group, u.category, u.start, u.minutes, `unlock-${i + 1}`));

const questionArb = fc.record({
  networkId: fc.constantFrom('pupil', 'staff', 'guest'),
  groupId: fc.option(fc.constantFrom(...GROUPS), { nil: undefined }),
  categories: fc.subarray(CATEGORY_IDS, { maxLength: 3 }),
  allowed: fc.boolean(),
  restricted: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
  now: fc.integer({ min: -240 * 60, max: 240 * 60 }).map((s) => LESSON + s * 1000),
});

describe('the property', () => {
  it('an unlock only ever opens its own category, for its own group, inside from..until, and never an illegal one', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => unlockArb(i)))),
      fc.array(questionArb, { minLength: 1, maxLength: 40 }),
      (unlocks, questions) => {
        const plain = PolicyEngine.build(withUnlocks(), bitOf);
        const unlocked = PolicyEngine.build(withUnlocks(...unlocks), bitOf);
        for (const q of questions) {
          const i = input(q.networkId, 'x.example', q.categories, { groupId: q.groupId, allowed: q.allowed, restricted: q.restricted });
          const before = decide(plain, i, q.now);
          const after = decide(unlocked, i, q.now);
          if (JSON.stringify(before) === JSON.stringify(after)) continue;
          // The only changes an unlock makes: a category block becomes an allow, or (a name listed
          // under several blocked categories) the block is reported under one still closed.
          expect(before).toMatchObject({ action: 'block', reason: 'category' });
          const open = unlocks.filter((u) => u.group === q.groupId && Date.parse(u.from) <= q.now && q.now < Date.parse(u.until)).map((u) => u.category);
          expect(open).toContain(before.category);
          if (after.action === 'block') {
            expect(after).toMatchObject({ reason: 'category' });
            expect(open).not.toContain(after.category);
            continue;
          }
          expect(after.action).toBe('allow');
          expect(q.restricted).toBe(false);
          // A category never unlocked may be among the name's only where the policy lets it through anyway.
          for (const c of q.categories.filter((x) => NEVER.has(x))) {
            expect(decide(plain, input(q.networkId, 'x.example', [c], { groupId: q.groupId }), q.now).action).toBe('allow');
          }
          // Whatever it still lists the name under is open for this group now, or not blocked.
          for (const c of q.categories) {
            const alone = decide(plain, input(q.networkId, 'x.example', [c], { groupId: q.groupId }), q.now);
            if (alone.action === 'block') expect(open).toContain(c);
          }
        }
      },
    ), { numRuns: 1000 });
  });
});
