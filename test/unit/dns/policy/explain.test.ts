// `schoolgate check`: the explanation matches its schema and decide(), and says what a
// technician needs: which policy and why, each category's disposition now, the exceptions.
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import type { FilterException } from '../../../../firmware/config/schema.ts';
import { Decision } from '../../../../firmware/dns/policy/decision.ts';
import { PolicyEngine } from '../../../../firmware/dns/policy/engine.ts';
import { Explanation } from '../../../../firmware/dns/policy/explain-schema.ts';
import { at, BITS, bitOf, input, schoolConfig } from './helpers.ts';

const MORNING = at('2025-11-24T10:15:00Z');
const LUNCH = at('2025-11-24T12:30:00Z');

function engineWith(exceptions: FilterException[] = []): PolicyEngine {
  const config = schoolConfig();
  config.exceptions = exceptions;
  const names = Object.entries(BITS);
  return PolicyEngine.build(config, bitOf, { nameOf: (bit) => names.find(([, b]) => b === bit)?.[0] });
}

function check(engine: PolicyEngine, i: ReturnType<typeof input>, now: number): Explanation {
  const e = engine.explain(i, now);
  expect(Value.Check(Explanation, e), JSON.stringify([...Value.Errors(Explanation, e)])).toBe(true);
  expect(e.decision).toEqual(engine.decide(i, now, new Decision()).toRecord());
  expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  return e;
}

const ex = (id: string, domain: string, action: 'allow' | 'block', extra: Partial<FilterException> = {}): FilterException =>
  ({ id, domain, action, reason: 'Year 5 topic: the Romans', requestedBy: 'Ms Patel', ...extra });

describe('explain', () => {
  it('explains a timed category outside and inside its window', () => {
    const engine = engineWith();
    const out = check(engine, input('pupil', 'Video.Example.', ['streaming']), MORNING);
    expect(out).toMatchObject({ name: 'video.example', network: 'pupil', deviceGroup: null, timezone: 'Europe/London', at: '2025-11-24T10:15:00.000Z' });
    expect(out.localTime).toContain('10:15');
    expect(out.policy).toMatchObject({ id: 'pupil', source: 'network' });
    expect(out.categories).toEqual([expect.objectContaining({
      id: 'streaming', configured: true, disposition: 'acceptable-at-certain-times', blocksNow: true,
      schedule: { id: 'lunchtime', name: 'Lunchtime', known: true, activeNow: false, changesAt: '2025-11-24T12:00:00.000Z' },
    })]);
    expect(out.categories[0]!.note).toMatch(/Lunchtime.*not active now.*opens.*12:00/);
    expect(out.summary).toMatch(/^BLOCKED: video.example is in category "streaming"/);

    const lunch = check(engine, input('pupil', 'video.example', ['streaming']), LUNCH);
    expect(lunch.categories[0]).toMatchObject({ blocksNow: false, schedule: { activeNow: true, changesAt: '2025-11-24T13:00:00.000Z' } });
    expect(lunch.summary).toMatch(/^ALLOWED/);
  });

  it('explains a group\'s own policy and nominated-user groups', () => {
    const engine = engineWith();
    const own = check(engine, input('pupil', 'chirp.example', ['social'], { groupId: 'staff-laptops' }), MORNING);
    expect(own.policy).toMatchObject({ id: 'staff', source: 'device-group' });
    expect(own.policy!.note).toMatch(/Staff laptops.*own policy.*replaces.*"pupil"/);

    const nominated = check(engine, input('pupil', 'clips.example', ['video'], { groupId: 'year-6' }), MORNING);
    expect(nominated.categories[0]).toMatchObject({ id: 'video', blocksNow: false, groups: { required: ['media-club', 'year-6'], deviceGroup: 'year-6', member: true } });
    const outsider = check(engine, input('pupil', 'clips.example', ['video']), MORNING);
    expect(outsider.categories[0]).toMatchObject({ blocksNow: true, groups: { deviceGroup: null, member: false } });
    expect(outsider.categories[0]!.note).toContain('this device is in no group');
  });

  it('names unconfigured categories and explains watched ones', () => {
    const out = check(engineWith(), input('pupil', 'forum.example', ['forums', 'music']), MORNING);
    expect(out.categories.map((c) => [c.id, c.configured, c.watch])).toEqual([['forums', true, true], ['music', false, false]]);
    expect(out.decision).toMatchObject({ action: 'allow', watch: true });
    expect(out.summary).toMatch(/watched/);
  });

  it('lists the exceptions considered, with their status, reason, requester and expiry', () => {
    const engine = engineWith([
      ex('staff-only', 'docs.romans.example', 'allow', { networks: ['staff'] }),
      ex('old', 'docs.romans.example', 'allow', { expires: '2025-07-18T15:30:00Z' }),
      ex('romans', 'romans.example', 'allow', { expires: '2025-12-19T15:30:00Z' }),
      ex('wider', 'example', 'block'),
    ]);
    const out = check(engine, input('pupil', 'docs.romans.example', ['social']), MORNING);
    expect(out.exceptions.map((e) => [e.id, e.status])).toEqual([['staff-only', 'other-network'], ['old', 'expired'], ['romans', 'applied'], ['wider', 'superseded']]);
    expect(out.exceptions[2]).toMatchObject({ reason: 'Year 5 topic: the Romans', requestedBy: 'Ms Patel', expires: '2025-12-19T15:30:00Z' });
    expect(out.decision).toMatchObject({ reason: 'exception-allow', exceptionId: 'romans' });
    expect(out.summary).toMatch(/^ALLOWED by exception "romans".*Ms Patel/);
  });

  it('says why an allow exception cannot help an illegal category', () => {
    const out = check(engineWith([ex('override', 'bad.example', 'allow')]), input('pupil', 'bad.example', ['illegal']), MORNING);
    expect(out.exceptions).toEqual([expect.objectContaining({ id: 'override', status: 'overridden' })]);
    expect(out.summary).toMatch(/cannot allow an unacceptable-and-illegal category/);
  });

  it('reveals nothing of a restricted list beyond the fact', () => {
    const out = check(engineWith([ex('override', 'bad.example', 'allow')]), input('staff', 'bad.example', [], { restricted: true }), MORNING);
    expect(out.restricted).toBe(true);
    expect(out.exceptions[0]).toMatchObject({ status: 'not-considered' });
    expect(out.summary).toMatch(/illegal-content list.*nothing, not even an exception/);
  });

  it('explains failing closed on an unknown network', () => {
    const out = check(engineWith(), input('nowhere', 'bbc.co.uk', ['news']), MORNING);
    expect(out.policy).toBeNull();
    expect(out.summary).toMatch(/network "nowhere" is not in the configuration/);
  });
});
