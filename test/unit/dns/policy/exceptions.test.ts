// Exceptions: which names a domain covers, scope by network and device group, expiry,
// specificity, wildcards, block-versus-allow ties, and what no exception can ever override.
import { describe, expect, it } from 'vitest';
import type { FilterException } from '../../../../firmware/config/schema.ts';
import { Decision } from '../../../../firmware/dns/policy/decision.ts';
import { PolicyEngine } from '../../../../firmware/dns/policy/engine.ts';
import { ExceptionSet } from '../../../../firmware/dns/policy/exceptions.ts';
import { at, bitOf, input, schoolConfig } from './helpers.ts';

const NOW = at('2025-11-24T10:15:00Z');

function ex(id: string, domain: string, action: 'allow' | 'block', extra: Partial<FilterException> = {}): FilterException {
  return { id, domain, action, reason: 'Year 5 topic: the Romans', requestedBy: 'Ms Patel', ...extra };
}

const find = (set: ExceptionSet, name: string, net = 'pupil', group?: string, now = NOW) => set.find(name, net, group, now)?.id;

describe('ExceptionSet coverage', () => {
  const set = ExceptionSet.compile([ex('plain', 'example.com', 'allow'), ex('wild', '*.wild.org', 'allow')]);

  it('covers a domain and all its subdomains', () => {
    expect(find(set, 'example.com')).toBe('plain');
    expect(find(set, 'www.example.com')).toBe('plain');
    expect(find(set, 'a.b.c.example.com')).toBe('plain');
  });

  it('covers only subdomains with *.', () => {
    expect(find(set, 'wild.org')).toBeUndefined();
    expect(find(set, 'www.wild.org')).toBe('wild');
    expect(find(set, 'a.b.wild.org')).toBe('wild');
  });

  it('leaves lookalikes alone', () => {
    for (const name of ['notexample.com', 'example.com.evil.net', 'example.co', 'com', 'xwild.org', '.']) {
      expect(find(set, name)).toBeUndefined();
    }
  });

  it('does not treat an escaped dot inside a label as a label boundary', () => {
    expect(find(set, 'evil\\.example.com')).toBeUndefined();
    expect(find(set, 'evil\\.www.example.com')).toBe('plain');
  });
});

describe('ExceptionSet precedence', () => {
  it('lets the most specific domain win, whatever its action', () => {
    const set = ExceptionSet.compile([ex('block-all', 'example.com', 'block'), ex('allow-docs', 'docs.example.com', 'allow')]);
    expect(find(set, 'docs.example.com')).toBe('allow-docs');
    expect(find(set, 'api.docs.example.com')).toBe('allow-docs');
    expect(find(set, 'www.example.com')).toBe('block-all');
  });

  it('lets a block beat an allow for the same domain, whichever comes first', () => {
    expect(find(ExceptionSet.compile([ex('a', 'example.com', 'allow'), ex('b', 'example.com', 'block')]), 'x.example.com')).toBe('b');
    expect(find(ExceptionSet.compile([ex('b', 'example.com', 'block'), ex('a', 'example.com', 'allow')]), 'x.example.com')).toBe('b');
  });

  it('counts example.com and *.example.com as equally specific', () => {
    const set = ExceptionSet.compile([ex('sub-allow', '*.example.com', 'allow'), ex('all-block', 'example.com', 'block')]);
    expect(find(set, 'www.example.com')).toBe('all-block');
    const other = ExceptionSet.compile([ex('sub-block', '*.example.com', 'block'), ex('all-allow', 'example.com', 'allow')]);
    expect(find(other, 'www.example.com')).toBe('sub-block');
    expect(find(other, 'example.com')).toBe('all-allow');
  });

  it('breaks a tie between equal actions by configuration order', () => {
    expect(find(ExceptionSet.compile([ex('first', 'example.com', 'allow'), ex('second', 'example.com', 'allow')]), 'example.com')).toBe('first');
  });
});

describe('ExceptionSet scope and expiry', () => {
  const set = ExceptionSet.compile([
    ex('pupils-only', 'a.example.com', 'allow', { networks: ['pupil'] }),
    ex('year6-only', 'b.example.com', 'allow', { groups: ['year-6'] }),
    ex('fallback', 'example.com', 'block'),
    ex('term', 'romans.example.org', 'allow', { expires: '2025-12-19T15:30:00Z' }),
    ex('past', 'old.example.org', 'allow', { expires: '2025-07-18T15:30:00Z' }),
    ex('garbled', 'garbled.example.org', 'allow', { expires: 'next week' }),
  ]);

  it('limits an exception to its networks, passing to a less specific one elsewhere', () => {
    expect(find(set, 'a.example.com', 'pupil')).toBe('pupils-only');
    expect(find(set, 'a.example.com', 'staff')).toBe('fallback');
  });

  it('limits an exception to its device groups; a device in no group is in none of them', () => {
    expect(find(set, 'b.example.com', 'pupil', 'year-6')).toBe('year6-only');
    expect(find(set, 'b.example.com', 'pupil', 'media-club')).toBe('fallback');
    expect(find(set, 'b.example.com', 'pupil')).toBe('fallback');
  });

  it('ignores an exception from its expiry on, and lists it as expired', () => {
    expect(find(set, 'romans.example.org', 'pupil', undefined, at('2025-12-19T15:29:59.999Z'))).toBe('term');
    expect(find(set, 'romans.example.org', 'pupil', undefined, at('2025-12-19T15:30:00Z'))).toBeUndefined();
    expect(find(set, 'old.example.org')).toBeUndefined();
    expect(set.expired(NOW).map((e) => e.id)).toEqual(['past', 'garbled']);
    expect(set.current(NOW).map((e) => e.id)).toEqual(['pupils-only', 'year6-only', 'fallback', 'term']);
    expect(set.expired(at('2026-01-01T00:00:00Z')).map((e) => e.id)).toEqual(['term', 'past', 'garbled']);
  });

  it('lists every exception covering a name, most specific first, for explanations', () => {
    expect(set.covering('a.example.com').map((e) => e.id)).toEqual(['pupils-only', 'fallback']);
  });
});

describe('exceptions in the engine', () => {
  function engineWith(exceptions: FilterException[]): PolicyEngine {
    const config = schoolConfig();
    config.exceptions = exceptions;
    return PolicyEngine.build(config, bitOf);
  }
  const decide = (engine: PolicyEngine, i: ReturnType<typeof input>) => engine.decide(i, NOW, new Decision()).toRecord();

  it('lets an allow exception through an unacceptable category', () => {
    const engine = engineWith([ex('romans', 'romans.example', 'allow', { networks: ['pupil'] })]);
    expect(decide(engine, input('pupil', 'www.romans.example', ['social']))).toEqual({ action: 'allow', watch: false, reason: 'exception-allow', exceptionId: 'romans' });
    expect(decide(engine, input('guest', 'www.romans.example', ['social']))).toMatchObject({ action: 'block', reason: 'category' });
  });

  it('lets a block exception beat an allow-list entry and an acceptable category', () => {
    const engine = engineWith([ex('no-news', 'news.example', 'block')]);
    expect(decide(engine, input('staff', 'news.example', ['news'], { allowed: true }))).toEqual({ action: 'block', watch: false, reason: 'exception-block', exceptionId: 'no-news' });
  });

  it('keeps watching a watched category let through by an exception', () => {
    const engine = engineWith([ex('f', 'forum.example', 'allow')]);
    expect(decide(engine, input('pupil', 'forum.example', ['forums', 'social']))).toEqual({ action: 'allow', watch: true, reason: 'exception-allow', exceptionId: 'f', category: 'forums' });
  });

  it('never lets an allow exception through an unacceptable-and-illegal category, even a most specific one', () => {
    const engine = engineWith([ex('admin-override', 'bad.example', 'allow'), ex('wider', 'example', 'allow')]);
    expect(decide(engine, input('pupil', 'bad.example', ['illegal']))).toEqual({ action: 'block', watch: false, reason: 'category', category: 'illegal' });
    expect(decide(engine, input('staff', 'bad.example', ['illegal', 'social']))).toMatchObject({ action: 'block', category: 'illegal' });
    // Only where the policy marks the category illegal: the SEN policy does not mention extremism.
    expect(decide(engine, input('pupil', 'bad.example', ['extremism'], { groupId: 'sen' }))).toMatchObject({ action: 'allow', reason: 'exception-allow' });
  });

  it('never lets any exception through a restricted list', () => {
    const engine = engineWith([ex('admin-override', 'bad.example', 'allow')]);
    expect(decide(engine, input('staff', 'bad.example', [], { restricted: true }))).toEqual({ action: 'block', watch: false, reason: 'restricted' });
  });

  it('applies group-scoped exceptions only to devices in the group, under the group\'s policy too', () => {
    const engine = engineWith([ex('club', 'clips.example', 'allow', { groups: ['staff-laptops'] })]);
    expect(decide(engine, input('pupil', 'clips.example', ['gambling'], { groupId: 'staff-laptops' }))).toMatchObject({ action: 'allow', exceptionId: 'club' });
    expect(decide(engine, input('pupil', 'clips.example', ['gambling'], { groupId: 'year-6' }))).toMatchObject({ action: 'block', reason: 'category' });
  });

  it('stops applying an expired exception without a rebuild', () => {
    const engine = engineWith([ex('term', 'romans.example', 'allow', { expires: '2025-11-24T10:15:00.001Z' })]);
    const i = input('pupil', 'romans.example', ['social']);
    expect(engine.decide(i, NOW, new Decision()).reason).toBe('exception-allow');
    expect(engine.decide(i, NOW + 1, new Decision()).reason).toBe('category');
  });
});

describe('per-device exceptions', () => {
  const WATCH = 'aa:bb:cc:dd:ee:01';
  const OTHER = 'aa:bb:cc:dd:ee:02';
  function engineWith(exceptions: FilterException[]): PolicyEngine {
    const config = schoolConfig();
    config.exceptions = exceptions;
    return PolicyEngine.build(config, bitOf);
  }
  const decide = (engine: PolicyEngine, i: ReturnType<typeof input>, now = NOW) => engine.decide(i, now, new Decision()).toRecord();

  it('applies to the named device only; another device, or one no lease names, keeps the policy', () => {
    const engine = engineWith([ex('watch', 'roblox.example', 'allow', { networks: ['pupil'], devices: [WATCH] })]);
    expect(decide(engine, input('pupil', 'www.roblox.example', ['gambling'], { mac: WATCH }))).toEqual({ action: 'allow', watch: false, reason: 'exception-allow', exceptionId: 'watch' });
    expect(decide(engine, input('pupil', 'www.roblox.example', ['gambling'], { mac: OTHER }))).toMatchObject({ action: 'block', reason: 'category', category: 'gambling' });
    expect(decide(engine, input('pupil', 'www.roblox.example', ['gambling']))).toMatchObject({ action: 'block', reason: 'category' });
    // The same device on a network the exception does not name.
    expect(decide(engine, input('staff', 'www.roblox.example', ['gambling'], { mac: WATCH }))).toMatchObject({ action: 'block', reason: 'category' });
  });

  it('stops applying to the device at its expiry', () => {
    const engine = engineWith([ex('watch', 'roblox.example', 'allow', { devices: [WATCH], expires: '2025-11-24T10:15:00.001Z' })]);
    const i = input('pupil', 'roblox.example', ['gambling'], { mac: WATCH });
    expect(decide(engine, i).reason).toBe('exception-allow');
    expect(decide(engine, i, NOW + 1)).toMatchObject({ action: 'block', reason: 'category' });
  });

  it('needs the device and the group together when it names both', () => {
    const engine = engineWith([ex('both', 'clips.example', 'allow', { groups: ['year-6'], devices: [WATCH] })]);
    expect(decide(engine, input('pupil', 'clips.example', ['social'], { mac: WATCH, groupId: 'year-6' }))).toMatchObject({ action: 'allow', exceptionId: 'both' });
    expect(decide(engine, input('pupil', 'clips.example', ['social'], { mac: WATCH, groupId: 'media-club' }))).toMatchObject({ action: 'block', reason: 'category' });
    expect(decide(engine, input('pupil', 'clips.example', ['social'], { mac: WATCH }))).toMatchObject({ action: 'block', reason: 'category' });
    expect(decide(engine, input('pupil', 'clips.example', ['social'], { mac: OTHER, groupId: 'year-6' }))).toMatchObject({ action: 'block', reason: 'category' });
  });

  it('passes to a less specific exception for other devices, and never lets the device through an illegal category', () => {
    const engine = engineWith([ex('watch', 'a.example.com', 'allow', { devices: [WATCH] }), ex('everyone', 'example.com', 'block')]);
    expect(decide(engine, input('pupil', 'a.example.com', [], { mac: WATCH }))).toMatchObject({ action: 'allow', exceptionId: 'watch' });
    expect(decide(engine, input('pupil', 'a.example.com', [], { mac: OTHER }))).toMatchObject({ action: 'block', exceptionId: 'everyone' });
    expect(decide(engine, input('pupil', 'a.example.com', ['illegal'], { mac: WATCH }))).toMatchObject({ action: 'block', category: 'illegal' });
  });

  it('explains why it does not apply to another device, and to a device no lease names', () => {
    const engine = engineWith([ex('watch', 'roblox.example', 'allow', { devices: [WATCH] })]);
    const other = engine.explain(input('pupil', 'roblox.example', ['gambling'], { mac: OTHER }), NOW).exceptions;
    expect(other).toEqual([expect.objectContaining({ id: 'watch', status: 'other-device', devices: [WATCH] })]);
    expect(other[0]!.note).toContain(`applies only to ${WATCH}, and this device is ${OTHER}`);
    const none = engine.explain(input('pupil', 'roblox.example', ['gambling']), NOW).exceptions[0]!;
    expect(none.note).toContain('this device has no MAC address a lease names');
    const mine = engine.explain(input('pupil', 'roblox.example', ['gambling'], { mac: WATCH }), NOW);
    expect(mine.exceptions[0]).toMatchObject({ status: 'applied' });
    expect(mine.summary).toMatch(/^ALLOWED by exception "watch": allow roblox\.example for device aa:bb:cc:dd:ee:01/);
  });
});
