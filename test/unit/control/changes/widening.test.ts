// Whether a change lets a device reach more: the comparison by hand, then against the policy
// engine itself — for random policies, groups and schedules, a move the comparison calls not
// widening never lets through at any instant a category the device's old filtering blocked, nor
// stops watching what it watched.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CategoryRule, Config, Disposition, Policy, Schedule } from '../../../../firmware/config/schema.ts';
import { isWidening, loosenedBlocks, moveWidening, widening, wideningWords, type Filtering } from '../../../../firmware/control/changes/widening.ts';
import { Decision } from '../../../../firmware/dns/policy/decision.ts';
import { PolicyEngine } from '../../../../firmware/dns/policy/engine.ts';

type Cfg = Pick<Config, 'networks' | 'deviceGroups' | 'policies' | 'schedules'>;

const SCHEDULES: Schedule[] = [
  { id: 'lunch', name: 'Lunchtime', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:00', to: '13:00' }] },
  { id: 'breaks', name: 'Breaks', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '10:30', to: '10:45' }] },
  { id: 'lunch-too', name: 'Lunch (copy)', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:00', to: '13:00' }] },
];

const policy = (categories: Record<string, CategoryRule>, safeSearch: Policy['safeSearch'] = 'strict'): Filtering['policy'] => ({ categories, safeSearch });
const f = (categories: Record<string, CategoryRule>, groupId?: string, safeSearch: Policy['safeSearch'] = 'strict'): Filtering => ({ policy: policy(categories, safeSearch), groupId });
const d = (disposition: Disposition, extra: Partial<CategoryRule> = {}): CategoryRule => ({ disposition, ...extra });

describe('widening, category by category', () => {
  it('orders the five values by what they let through', () => {
    const order: CategoryRule[] = [d('unacceptable-and-illegal'), d('unacceptable'), d('acceptable-at-certain-times', { schedule: 'lunch' }), d('acceptable')];
    for (const [i, a] of order.entries()) {
      for (const [j, b] of order.entries()) {
        expect(widening(f({ social: a }), f({ social: b }), SCHEDULES).opened, `${a.disposition} → ${b.disposition}`).toEqual(j > i ? ['social'] : []);
      }
    }
  });

  it('reads nominated users by the device\'s group', () => {
    const rule = d('acceptable-for-nominated-users', { groups: ['year-6'] });
    expect(widening(f({ video: d('unacceptable') }), f({ video: rule }, 'year-6'), SCHEDULES).opened).toEqual(['video']);
    expect(widening(f({ video: d('unacceptable') }), f({ video: rule }, 'year-3'), SCHEDULES).opened).toEqual([]);
    // Same policy, another group: moving into the nominated group is what opens it.
    expect(widening(f({ video: rule }, 'year-3'), f({ video: rule }, 'year-6'), SCHEDULES).opened).toEqual(['video']);
    expect(widening(f({ video: rule }, 'year-6'), f({ video: rule }, 'year-3'), SCHEDULES).opened).toEqual([]);
  });

  it('counts another schedule as wider, unless it is open at the same times', () => {
    const at = (schedule: string) => d('acceptable-at-certain-times', { schedule });
    expect(widening(f({ s: at('lunch') }), f({ s: at('breaks') }), SCHEDULES).opened).toEqual(['s']);
    expect(widening(f({ s: at('lunch') }), f({ s: at('lunch') }), SCHEDULES).opened).toEqual([]);
    expect(widening(f({ s: at('lunch') }), f({ s: at('lunch-too') }), SCHEDULES).opened).toEqual([]);
    // An unknown schedule is never open, as the engine reads it.
    expect(widening(f({ s: d('unacceptable') }), f({ s: at('gone') }), SCHEDULES).opened).toEqual([]);
    expect(widening(f({ s: at('lunch') }), f({ s: d('unacceptable') }), SCHEDULES).opened).toEqual([]);
  });

  it('treats a missing row as acceptable', () => {
    expect(widening(f({ social: d('unacceptable') }), f({}), SCHEDULES).opened).toEqual(['social']);
    expect(widening(f({}), f({ social: d('acceptable') }), SCHEDULES).opened).toEqual([]);
  });

  it('counts a watch dropped on a category the new policy blocks when an allow exception still reaches the device', () => {
    // An allow exception lets a name of a blocked category through: the old watch made that visit an alert.
    const before = f({ forums: d('acceptable', { watch: true }) });
    const after = f({ forums: d('unacceptable') });
    expect(widening(before, after, SCHEDULES).unwatched).toEqual([]);
    expect(widening(before, after, SCHEDULES, true).unwatched).toEqual(['forums']);
  });

  it('counts dropping a watch as widening, and safe search going down', () => {
    const w = widening(f({ forums: d('acceptable', { watch: true }) }, undefined, 'strict'), f({ forums: d('acceptable') }, undefined, 'moderate'), SCHEDULES);
    expect(w).toEqual({ opened: [], unwatched: ['forums'], safeSearch: { from: 'strict', to: 'moderate' } });
    expect(isWidening(w)).toBe(true);
    // Blocked now: the watch no longer matters.
    expect(isWidening(widening(f({ forums: d('acceptable', { watch: true }) }), f({ forums: d('unacceptable') }), SCHEDULES))).toBe(false);
    expect(widening(f({}, undefined, 'off'), f({}, undefined, 'strict'), SCHEDULES).safeSearch).toBeNull();
  });

  it('says what opens, in words', () => {
    const titles: Record<string, string> = { social: 'Social networking', streaming: 'Streaming', forums: 'Forums' };
    const words = wideningWords({ opened: ['social', 'streaming'], unwatched: ['forums'], safeSearch: { from: 'strict', to: 'off' } }, (id) => titles[id]);
    expect(words).toBe('lets it reach Social networking and Streaming; stops watching Forums; weakens safe search from strict to off');
    expect(wideningWords({ opened: ['a', 'b', 'c', 'd', 'e', 'f'], unwatched: [], safeSearch: null }, () => undefined)).toBe('lets it reach a, b, c, d and 2 more');
  });
});

const schoolConfig = (): Cfg => ({
  networks: [
    { id: 'pupils', name: 'Pupils', kind: 'pupil', enabled: true, interface: 'eth1', subnets: ['10.20.0.0/22'], gateway: { ipv4: '10.20.0.1' }, policy: 'pupil' },
  ],
  deviceGroups: [{ id: 'year-3', name: 'Year 3' }, { id: 'staff-laptops', name: 'Staff laptops', policy: 'staff' }, { id: 'locked', name: 'Locked', policy: 'locked' }],
  schedules: SCHEDULES,
  policies: [
    { id: 'pupil', name: 'Pupils', safeSearch: 'strict', blockAnswer: 'block-page', categories: { social: d('unacceptable'), streaming: d('acceptable-at-certain-times', { schedule: 'lunch' }) } },
    { id: 'staff', name: 'Staff', safeSearch: 'moderate', blockAnswer: 'nxdomain', categories: { social: d('acceptable') } },
    { id: 'locked', name: 'Locked', safeSearch: 'strict', blockAnswer: 'block-page', categories: { social: d('unacceptable'), streaming: d('unacceptable') } },
  ],
});

describe('moving a device between groups', () => {
  it('compares the group\'s policy, else the network\'s', () => {
    const config = schoolConfig();
    expect(isWidening(moveWidening(config, 'pupils', null, 'year-3'))).toBe(false);
    expect(isWidening(moveWidening(config, 'pupils', 'year-3', 'locked'))).toBe(false);
    expect(moveWidening(config, 'pupils', 'year-3', 'staff-laptops')).toEqual({ opened: ['social', 'streaming'], unwatched: [], safeSearch: { from: 'strict', to: 'moderate' } });
    expect(moveWidening(config, 'pupils', 'locked', null).opened).toEqual(['streaming']);
    // A group since removed counts as none.
    expect(isWidening(moveWidening(config, 'pupils', 'gone', 'year-3'))).toBe(false);
  });

  it('counts the exceptions scoped to groups a move gains (an allow) or loses (a block)', () => {
    const config = {
      ...schoolConfig(),
      exceptions: [
        { id: 'e1', domain: 'youtube.com', action: 'allow' as const, groups: ['year-3'], reason: 'r', requestedBy: 'x' },
        { id: 'e2', domain: 'games.example', action: 'block' as const, groups: ['locked'], reason: 'r', requestedBy: 'x' },
        { id: 'e3', domain: 'other.example', action: 'allow' as const, networks: ['staff'], groups: ['year-3'], reason: 'r', requestedBy: 'x' },
      ],
    };
    const into = moveWidening(config, 'pupils', null, 'year-3');
    expect(into.exceptions).toEqual([{ domain: 'youtube.com', action: 'allow' }]);
    expect(wideningWords(into, () => undefined)).toBe('brings it under the exception allowing youtube.com');
    expect(isWidening(moveWidening(config, 'pupils', 'year-3', null))).toBe(false);
    const out = moveWidening(config, 'pupils', 'locked', null);
    expect(out.exceptions).toEqual([{ domain: 'games.example', action: 'block' }]);
    expect(wideningWords({ ...out, opened: [] }, () => undefined)).toMatch(/takes it out of the exception blocking games\.example/);
  });
});

describe('a network\'s blocks', () => {
  it('finds P2P and hotspots loosened, reading each absent value as the network applies it', () => {
    expect(loosenedBlocks({ kind: 'pupil' }, { kind: 'pupil', p2p: 'allow' })).toEqual({ p2p: { from: 'block', to: 'allow' } });
    expect(loosenedBlocks({ kind: 'staff' }, { kind: 'staff', p2p: 'allow' })).toEqual({});
    expect(loosenedBlocks({ kind: 'staff', p2p: 'block' }, { kind: 'staff' })).toEqual({ p2p: { from: 'block', to: 'allow' } });
    expect(loosenedBlocks({ kind: 'pupil', tethering: 'block' }, { kind: 'pupil', tethering: 'monitor' })).toEqual({ tethering: { from: 'block', to: 'monitor' } });
    expect(loosenedBlocks({ kind: 'pupil' }, { kind: 'pupil', tethering: 'off' })).toEqual({ tethering: { from: 'monitor', to: 'off' } });
    expect(loosenedBlocks({ kind: 'pupil', tethering: 'off', p2p: 'allow' }, { kind: 'pupil', tethering: 'block', p2p: 'block' })).toEqual({});
  });
});

// The oracle: the engine's decide() for one device, under its old group and its new one.
const CATEGORIES = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
const GROUPS = ['g0', 'g1', 'g2'];
const DISPOSITIONS: Disposition[] = ['acceptable', 'acceptable-at-certain-times', 'acceptable-for-nominated-users', 'unacceptable', 'unacceptable-and-illegal'];
const BASE = Date.parse('2025-11-24T00:00:00Z');
const WEEK = 7 * 86_400_000;
const SAFE: Readonly<Record<Policy['safeSearch'], number>> = { off: 0, moderate: 1, strict: 2 };

const hm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const windowsArb = fc.array(fc.record({
  days: fc.uniqueArray(fc.constantFrom('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun' as const), { minLength: 1, maxLength: 7 }),
  from: fc.integer({ min: 0, max: 1380 }),
  length: fc.integer({ min: 15, max: 600 }),
}), { minLength: 1, maxLength: 2 }).map((ws) => ws.map((w) => ({ days: w.days, from: hm(w.from), to: hm(Math.min(w.from + w.length, 1439)) })));

const ruleArb: fc.Arbitrary<CategoryRule> = fc.record({
  disposition: fc.constantFrom(...DISPOSITIONS),
  schedule: fc.constantFrom('s0', 's1', 's2', 'missing'),
  groups: fc.subarray(GROUPS),
  watch: fc.boolean(),
}).map((r) => ({
  disposition: r.disposition,
  ...(r.disposition === 'acceptable-at-certain-times' ? { schedule: r.schedule } : {}),
  ...(r.disposition === 'acceptable-for-nominated-users' ? { groups: r.groups } : {}),
  ...(r.watch ? { watch: true } : {}),
}));

const policyArb = (id: string): fc.Arbitrary<Policy> => fc.record({
  categories: fc.dictionary(fc.constantFrom(...CATEGORIES), ruleArb, { maxKeys: CATEGORIES.length }),
  safeSearch: fc.constantFrom('off' as const, 'moderate' as const, 'strict' as const),
}).map((p) => ({ id, name: id, blockAnswer: 'block-page' as const, ...p }));

const configArb = fc.record({
  policies: fc.tuple(policyArb('p0'), policyArb('p1'), policyArb('p2')),
  groupPolicies: fc.tuple(...GROUPS.map(() => fc.option(fc.constantFrom('p0', 'p1', 'p2'), { nil: undefined }))),
  s0: windowsArb,
  s1: windowsArb,
  // s2 is sometimes s0's times under another name: the same times are not wider.
  s2Same: fc.boolean(),
  from: fc.option(fc.constantFrom(...GROUPS), { nil: null }),
  to: fc.option(fc.constantFrom(...GROUPS), { nil: null }),
  times: fc.array(fc.integer({ min: 0, max: WEEK - 1 }), { minLength: 1, maxLength: 12 }),
  // Exceptions for the name asked about, some scoped to groups.
  exceptions: fc.array(fc.record({
    action: fc.constantFrom('allow' as const, 'block' as const),
    groups: fc.option(fc.subarray(GROUPS, { minLength: 1 }), { nil: undefined }),
  }), { maxLength: 2 }),
});

describe('against the policy engine', () => {
  it('a move that is not widening lets nothing through, at any instant, that was blocked, and keeps every watch', () => {
    let narrowing = 0;
    fc.assert(fc.property(configArb, (c) => {
      const config: Cfg & { site: Config['site']; exceptions: Config['exceptions'] } = {
        site: { name: 'Test', timezone: 'Europe/London' },
        networks: [{ id: 'n0', name: 'N0', kind: 'pupil', enabled: true, interface: 'eth1', subnets: ['10.0.0.0/24'], gateway: {}, policy: 'p0' }],
        deviceGroups: GROUPS.map((id, i) => ({ id, name: id, ...(c.groupPolicies[i] !== undefined ? { policy: c.groupPolicies[i] } : {}) })),
        schedules: [{ id: 's0', name: 's0', windows: c.s0 }, { id: 's1', name: 's1', windows: c.s1 }, { id: 's2', name: 's2', windows: c.s2Same ? c.s0 : c.s1 }],
        policies: [...c.policies],
        exceptions: c.exceptions.map((e, i) => ({ id: `e${i}`, domain: 'x.example', action: e.action, ...(e.groups ? { groups: e.groups } : {}), reason: 'test', requestedBy: 'test' })),
      };
      const w = moveWidening(config, 'n0', c.from, c.to);
      if (isWidening(w)) return;
      narrowing++;
      const engine = PolicyEngine.build(config, (id) => (CATEGORIES.includes(id) ? CATEGORIES.indexOf(id) : undefined));
      const policyOf = (group: string | null) => engine.resolve('n0', group ?? undefined).policy!.policy;
      expect(SAFE[policyOf(c.to).safeSearch]).toBeGreaterThanOrEqual(SAFE[policyOf(c.from).safeSearch]);
      for (const t of c.times) {
        for (const [bit, category] of CATEGORIES.entries()) {
          const ask = (group: string | null) => engine.decide({ networkId: 'n0', groupId: group ?? undefined, name: 'x.example', blockLo: 1 << bit, blockHi: 0, allowed: false, restricted: false }, BASE + t, new Decision()).toRecord();
          const before = ask(c.from);
          const after = ask(c.to);
          if (after.action === 'allow') {
            expect(before.action, `${category} at ${new Date(BASE + t).toISOString()}`).toBe('allow');
            if (before.watch) expect(after.watch, `${category} watched`).toBe(true);
          }
        }
      }
    }), { numRuns: 400 });
    // The property is about something: plenty of random moves are not widening.
    expect(narrowing).toBeGreaterThan(40);
  });
});
