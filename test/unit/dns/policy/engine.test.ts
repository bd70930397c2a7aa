// The five AUP dispositions, device groups (own policy and nominated users), watch, allow-list,
// restricted and the engine's cached masks going stale at the right instant.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import { Decision } from '../../../../firmware/dns/policy/decision.ts';
import { PolicyEngine } from '../../../../firmware/dns/policy/engine.ts';
import { at, bitOf, input, mask, schoolConfig } from './helpers.ts';

// Monday 24 November 2025 (GMT): school hours, not lunchtime; then lunchtime; then after school.
const MORNING = at('2025-11-24T10:15:00Z');
const LUNCH = at('2025-11-24T12:30:00Z');
const AFTER_SCHOOL = at('2025-11-24T16:00:00Z');

function decide(engine: PolicyEngine, i: ReturnType<typeof input>, now = MORNING) {
  return engine.decide(i, now, new Decision()).toRecord();
}

describe('dispositions', () => {
  const engine = PolicyEngine.build(schoolConfig(), bitOf);

  it('allows a category the policy does not mention', () => {
    expect(decide(engine, input('pupil', 'tunes.example', ['music']))).toEqual({ action: 'allow', watch: false, reason: 'none' });
    expect(decide(engine, input('pupil', 'nothing.example'))).toEqual({ action: 'allow', watch: false, reason: 'none' });
  });

  it('allows acceptable, and watches it when asked', () => {
    expect(decide(engine, input('pupil', 'bbc.co.uk', ['news']))).toEqual({ action: 'allow', watch: false, reason: 'none' });
    expect(decide(engine, input('pupil', 'forum.example', ['forums']))).toEqual({ action: 'allow', watch: true, reason: 'category', category: 'forums' });
  });

  it('allows acceptable-at-certain-times only while the schedule is active', () => {
    const i = input('pupil', 'video.example', ['streaming']);
    expect(decide(engine, i, MORNING)).toEqual({ action: 'block', watch: false, reason: 'category', category: 'streaming' });
    expect(decide(engine, i, LUNCH)).toEqual({ action: 'allow', watch: false, reason: 'none' });
    expect(decide(engine, i, at('2025-11-24T13:00:00Z'))).toMatchObject({ action: 'block', category: 'streaming' });
    // Saturday lunchtime: the schedule is weekdays only.
    expect(decide(engine, i, at('2025-11-29T12:30:00Z'))).toMatchObject({ action: 'block' });
  });

  it('watches a timed category inside its window and blocks it outside', () => {
    const i = input('pupil', 'games.example', ['gaming']);
    expect(decide(engine, i, AFTER_SCHOOL)).toEqual({ action: 'allow', watch: true, reason: 'category', category: 'gaming' });
    expect(decide(engine, i, MORNING)).toEqual({ action: 'block', watch: false, reason: 'category', category: 'gaming' });
  });

  it('allows acceptable-for-nominated-users only for devices in one of its groups', () => {
    const name = 'clips.example';
    expect(decide(engine, input('pupil', name, ['video'], { groupId: 'media-club' }))).toMatchObject({ action: 'allow', reason: 'none' });
    expect(decide(engine, input('pupil', name, ['video'], { groupId: 'year-6' }))).toMatchObject({ action: 'allow' });
    expect(decide(engine, input('pupil', name, ['video']))).toEqual({ action: 'block', watch: false, reason: 'category', category: 'video' });
    // A group that no longer exists counts as none.
    expect(decide(engine, input('pupil', name, ['video'], { groupId: 'deleted-group' }))).toMatchObject({ action: 'block', category: 'video' });
  });

  it('blocks unacceptable and unacceptable-and-illegal', () => {
    expect(decide(engine, input('pupil', 'chirp.example', ['social']))).toEqual({ action: 'block', watch: false, reason: 'category', category: 'social' });
    expect(decide(engine, input('pupil', 'bad.example', ['illegal']))).toEqual({ action: 'block', watch: false, reason: 'category', category: 'illegal' });
  });

  it('blocks when any one of several categories blocks, reporting the lowest bit', () => {
    expect(decide(engine, input('pupil', 'mixed.example', ['news', 'forums', 'extremism', 'gambling']))).toEqual({ action: 'block', watch: false, reason: 'category', category: 'gambling' });
    expect(decide(engine, input('pupil', 'mixed.example', ['illegal', 'extremism']))).toMatchObject({ category: 'illegal' });
  });

  it('applies each network its own policy', () => {
    const i = (net: string) => input(net, 'chirp.example', ['social']);
    expect(decide(engine, i('staff'))).toMatchObject({ action: 'allow' });
    expect(decide(engine, i('guest'))).toMatchObject({ action: 'block', category: 'social' });
    const out = engine.decide(i('guest'), MORNING, new Decision());
    expect(out.policy?.blockAnswer).toBe('nxdomain');
  });

  it('never matches a category no list feeds, and builds without it', () => {
    expect(engine.policies[0]!.rules.map((r) => r.id)).not.toContain('crypto-mining');
  });
});

describe('device groups', () => {
  const engine = PolicyEngine.build(schoolConfig(), bitOf);

  it('uses the group\'s own policy instead of the network\'s', () => {
    const out = engine.decide(input('pupil', 'chirp.example', ['social'], { groupId: 'staff-laptops' }), MORNING, new Decision());
    expect(out.toRecord()).toEqual({ action: 'allow', watch: false, reason: 'none' });
    expect(out.policy?.id).toBe('staff');
    expect(decide(engine, input('pupil', 'chat.example', ['chat'], { groupId: 'staff-laptops' }))).toMatchObject({ watch: true, category: 'chat' });
  });

  it('keeps the network\'s policy for a group without one', () => {
    const out = engine.decide(input('pupil', 'chirp.example', ['social'], { groupId: 'year-6' }), MORNING, new Decision());
    expect(out.policy?.id).toBe('pupil');
    expect(out.action).toBe('block');
  });

  it('gives a group policy its own timed categories', () => {
    // The SEN policy allows streaming at any time; the pupil policy only at lunch.
    expect(decide(engine, input('pupil', 'video.example', ['streaming'], { groupId: 'sen' }))).toMatchObject({ action: 'allow' });
    expect(decide(engine, input('pupil', 'video.example', ['streaming'], { groupId: 'media-club' }))).toMatchObject({ action: 'block' });
  });

  it('resolves and explains which policy applies', () => {
    expect(engine.resolve('pupil', 'sen')).toMatchObject({ source: 'device-group', policyId: 'sen' });
    expect(engine.resolve('pupil', 'year-6')).toMatchObject({ source: 'network', policyId: 'pupil' });
    expect(engine.resolve('nowhere', undefined).policy).toBeUndefined();
  });
});

describe('allow-list and restricted', () => {
  const engine = PolicyEngine.build(schoolConfig(), bitOf);

  it('lets an allow-list entry through an unacceptable category', () => {
    expect(decide(engine, input('pupil', 'school-blog.example', ['social'], { allowed: true }))).toEqual({ action: 'allow', watch: false, reason: 'allow-list' });
  });

  it('keeps watching an allow-listed name in a watched category', () => {
    expect(decide(engine, input('pupil', 'forum.example', ['forums'], { allowed: true }))).toEqual({ action: 'allow', watch: true, reason: 'allow-list', category: 'forums' });
  });

  it('never lets an allow-list entry through an unacceptable-and-illegal category', () => {
    expect(decide(engine, input('pupil', 'bad.example', ['illegal', 'news'], { allowed: true }))).toEqual({ action: 'block', watch: false, reason: 'category', category: 'illegal' });
  });

  it('blocks a restricted name on every network, whatever else matched', () => {
    for (const net of ['staff', 'pupil', 'guest']) {
      expect(decide(engine, input(net, 'x.example', ['news'], { restricted: true, allowed: true }))).toEqual({ action: 'block', watch: false, reason: 'restricted' });
    }
    expect(decide(engine, input('nowhere', 'x.example', [], { restricted: true }))).toMatchObject({ reason: 'restricted' });
  });
});

describe('failing closed', () => {
  it('blocks everything on an unknown network or one whose policy is missing', () => {
    const config = schoolConfig();
    config.networks = [...config.networks, { ...config.networks[0]!, id: 'broken', policy: 'gone' }];
    const engine = PolicyEngine.build(config, bitOf);
    expect(decide(engine, input('nowhere', 'bbc.co.uk', ['news']))).toEqual({ action: 'block', watch: false, reason: 'no-policy' });
    expect(decide(engine, input('broken', 'bbc.co.uk', ['news']))).toEqual({ action: 'block', watch: false, reason: 'no-policy' });
  });

  it('blocks a timed category whose schedule does not exist', () => {
    const config = schoolConfig();
    config.policies[0]!.categories.streaming = { disposition: 'acceptable-at-certain-times', schedule: 'gone' };
    const engine = PolicyEngine.build(config, bitOf);
    expect(decide(engine, input('pupil', 'video.example', ['streaming']), LUNCH)).toMatchObject({ action: 'block', category: 'streaming' });
  });

  it('refuses bits outside 0..63, shared bits and unknown time zones at build time', () => {
    expect(() => PolicyEngine.build(schoolConfig(), (id) => (id === 'social' ? 64 : bitOf(id)))).toThrow(/bit 64/);
    expect(() => PolicyEngine.build(schoolConfig(), (id) => (id === 'social' ? 0 : bitOf(id)))).toThrow(/share bit 0/);
    const config = schoolConfig();
    config.site.timezone = 'Mars/Olympus_Mons';
    expect(() => PolicyEngine.build(config, bitOf)).toThrow(RangeError);
  });

  it('never throws for a clock it cannot read, and blocks timed categories then', () => {
    const engine = PolicyEngine.build(schoolConfig(), bitOf);
    expect(decide(engine, input('pupil', 'video.example', ['streaming']), Number.NaN)).toMatchObject({ action: 'block' });
    expect(decide(engine, input('pupil', 'video.example', ['streaming']), LUNCH)).toMatchObject({ action: 'allow' });
  });
});

describe('severity order', () => {
  it('reports the most severe blocking category when an order is given', () => {
    const engine = PolicyEngine.build(schoolConfig(), bitOf, { severity: ['extremism', 'illegal', 'adult'] });
    expect(decide(engine, input('pupil', 'm.example', ['adult', 'illegal', 'gambling']))).toMatchObject({ category: 'illegal' });
    expect(decide(engine, input('pupil', 'm.example', ['gambling', 'social']))).toMatchObject({ category: 'gambling' });
    expect(decide(engine, input('pupil', 'm.example', ['extremism', 'adult']))).toMatchObject({ category: 'extremism' });
  });
});

describe('cached masks', () => {
  it('go stale at the next schedule change, and follow the clock both ways', () => {
    const engine = PolicyEngine.build(schoolConfig(), bitOf);
    const i = input('pupil', 'video.example', ['streaming']);
    const out = new Decision();
    expect(engine.staleAt(MORNING)).toBe(at('2025-11-24T12:00:00Z'));
    expect(engine.decide(i, at('2025-11-24T11:59:59.999Z'), out).action).toBe('block');
    expect(engine.decide(i, at('2025-11-24T12:00:00Z'), out).action).toBe('allow');
    expect(engine.staleAt(LUNCH)).toBe(at('2025-11-24T13:00:00Z'));
    // The clock stepped back (NTP on a box without a real-time clock).
    expect(engine.decide(i, MORNING, out).action).toBe('block');
    expect(engine.decide(i, LUNCH, out).action).toBe('allow');
    // BST: lunchtime is 11:00–12:00 UTC in June.
    expect(engine.decide(i, at('2025-06-23T11:30:00Z'), out).action).toBe('allow');
    expect(engine.decide(i, at('2025-06-23T12:30:00Z'), out).action).toBe('block');
  });

  it('never go stale without schedules', () => {
    const config = schoolConfig();
    config.policies = config.policies.map((p) => ({ ...p, categories: { social: { disposition: 'unacceptable' } } }));
    expect(PolicyEngine.build(config, bitOf).staleAt(MORNING)).toBe(Infinity);
  });

  it('reuse the decision object without leaking fields from the last answer', () => {
    const engine = PolicyEngine.build(schoolConfig(), bitOf);
    const out = new Decision();
    engine.decide(input('pupil', 'chirp.example', ['social']), MORNING, out);
    expect(engine.decide(input('pupil', 'bbc.co.uk', ['news']), MORNING, out).toRecord()).toEqual({ action: 'allow', watch: false, reason: 'none' });
  });
});

describe('default configuration', () => {
  it('lets pupils stream at lunchtime only, and never lets anyone reach extremism', () => {
    const config = defaultConfig();
    const ids = ['illegal', 'extremism', 'streaming', 'social', 'gambling'];
    const engine = PolicyEngine.build(config, (id) => { const b = ids.indexOf(id); return b < 0 ? undefined : b; });
    const streaming = { blockLo: 1 << 2, blockHi: 0 };
    const base = { name: 'video.example', allowed: false, restricted: false };
    expect(engine.decide({ ...base, ...streaming, networkId: 'pupil' }, MORNING, new Decision()).action).toBe('block');
    expect(engine.decide({ ...base, ...streaming, networkId: 'pupil' }, LUNCH, new Decision()).action).toBe('allow');
    expect(engine.decide({ ...base, ...streaming, networkId: 'staff' }, MORNING, new Decision()).action).toBe('allow');
    expect(engine.decide({ ...base, blockLo: 1 << 1, blockHi: 0, networkId: 'staff', allowed: true }, MORNING, new Decision()).toRecord())
      .toMatchObject({ action: 'block', category: 'extremism' });
  });
});

describe('mask helper', () => {
  it('puts high categories in the high half', () => {
    expect(mask('illegal')).toEqual({ blockLo: 0, blockHi: 1 << 8 });
    expect(mask('music')).toEqual({ blockLo: 0, blockHi: 0x80000000 });
  });
});
