// decide() against a reference written the plain way: every rule re-read from the configuration
// at each question, schedules read on the wall clock with a separate formatter, exceptions
// (scoped by network, group and device) scanned in full and ranked by label count. One engine serves each whole run of questions, at
// times jumping back and forth across the autumn clock change, so its cached masks are tested too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CategoryRule, Disposition, FilterException, Schedule } from '../../../../firmware/config/schema.ts';
import { Decision, type DecisionInput, type DecisionRecord } from '../../../../firmware/dns/policy/decision.ts';
import { PolicyEngine, type PolicyConfig } from '../../../../firmware/dns/policy/engine.ts';
import { at } from './helpers.ts';

const ZONE = 'Europe/London';
const CATEGORIES = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
const GROUPS = ['g0', 'g1', 'g2'];
const NETWORKS = ['n0', 'n1'];
const MACS = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'];
const NAMES = ['example.com', 'a.example.com', 'b.a.example.com', 'other.org', 'www.other.org', 'example.net'];
const DOMAINS = ['example.com', '*.example.com', 'a.example.com', '*.a.example.com', 'other.org', '*.other.org', 'b.a.example.com'];
const DISPOSITIONS: Disposition[] = ['acceptable', 'acceptable-at-certain-times', 'acceptable-for-nominated-users', 'unacceptable', 'unacceptable-and-illegal'];
const BASE = at('2025-10-26T01:00:00Z');

const hm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const scheduleArb = (id: string): fc.Arbitrary<Schedule> => fc.array(fc.record({
  days: fc.uniqueArray(fc.constantFrom('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun' as const), { minLength: 1, maxLength: 7 }),
  from: fc.integer({ min: 0, max: 1400 }),
  length: fc.integer({ min: 1, max: 300 }),
}), { minLength: 1, maxLength: 3 }).map((ws) => ({
  id, name: id, windows: ws.map((w) => ({ days: w.days, from: hm(w.from), to: hm(Math.min(w.from + w.length, 1439)) })),
}));

const ruleArb: fc.Arbitrary<CategoryRule> = fc.record({
  disposition: fc.constantFrom(...DISPOSITIONS),
  schedule: fc.option(fc.constantFrom('s0', 's1', 'missing'), { nil: undefined }),
  groups: fc.option(fc.subarray(GROUPS), { nil: undefined }),
  watch: fc.option(fc.boolean(), { nil: undefined }),
}).map((r) => {
  const rule: CategoryRule = { disposition: r.disposition };
  if (r.schedule !== undefined) rule.schedule = r.schedule;
  if (r.groups !== undefined) rule.groups = r.groups;
  if (r.watch !== undefined) rule.watch = r.watch;
  return rule;
});

const policyArb = (id: string) => fc.dictionary(fc.constantFrom(...CATEGORIES, 'unlisted'), ruleArb, { maxKeys: 9 })
  .map((categories) => ({ id, name: id, categories, safeSearch: 'strict' as const, blockAnswer: 'block-page' as const }));

const exceptionArb = (i: number): fc.Arbitrary<FilterException> => fc.record({
  domain: fc.constantFrom(...DOMAINS),
  action: fc.constantFrom('allow' as const, 'block' as const),
  networks: fc.option(fc.subarray(NETWORKS, { minLength: 1 }), { nil: undefined }),
  groups: fc.option(fc.subarray(GROUPS, { minLength: 1 }), { nil: undefined }),
  devices: fc.option(fc.subarray(MACS, { minLength: 1 }), { nil: undefined }),
  expiresIn: fc.option(fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }), { nil: undefined }),
}).map((e) => {
  const out: FilterException = { id: `e${i}`, domain: e.domain, action: e.action, reason: 'test', requestedBy: 'test' };
  if (e.networks) out.networks = e.networks;
  if (e.groups) out.groups = e.groups;
  if (e.devices) out.devices = e.devices;
  if (e.expiresIn !== undefined) out.expires = new Date(BASE + e.expiresIn).toISOString();
  return out;
});

const configArb: fc.Arbitrary<PolicyConfig> = fc.record({
  schedules: fc.tuple(scheduleArb('s0'), scheduleArb('s1')),
  policies: fc.tuple(policyArb('p0'), policyArb('p1'), policyArb('p2')),
  groupPolicies: fc.tuple(...GROUPS.map(() => fc.option(fc.constantFrom('p0', 'p1', 'p2', 'gone'), { nil: undefined }))),
  networkPolicies: fc.tuple(fc.constantFrom('p0', 'p1', 'p2'), fc.constantFrom('p0', 'p1', 'p2', 'gone')),
  exceptions: fc.integer({ min: 0, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => exceptionArb(i)))),
}).map((c) => ({
  site: { name: 'Property Primary', timezone: ZONE },
  networks: NETWORKS.map((id, i) => ({
    id, name: id, kind: 'pupil' as const, enabled: true, interface: 'lo', subnets: [`10.${i}.0.0/16`], gateway: {}, policy: c.networkPolicies[i]!,
  })),
  policies: [...c.policies],
  schedules: [...c.schedules],
  deviceGroups: GROUPS.map((id, i) => (c.groupPolicies[i] === undefined ? { id, name: id } : { id, name: id, policy: c.groupPolicies[i] })),
  exceptions: c.exceptions,
}));

// Categories take scattered bits across both halves; `unlisted` has none.
const BIT_CHOICES = [0, 1, 5, 17, 31, 32, 40, 63];
const bitsArb = fc.shuffledSubarray(BIT_CHOICES, { minLength: CATEGORIES.length, maxLength: CATEGORIES.length });

const questionArb = fc.record({
  networkId: fc.constantFrom(...NETWORKS, 'unknown-net'),
  groupId: fc.option(fc.constantFrom(...GROUPS, 'unknown-group'), { nil: undefined }),
  // A device no lease names has no MAC.
  mac: fc.option(fc.constantFrom(...MACS), { nil: undefined }),
  name: fc.constantFrom(...NAMES),
  blockLo: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
  blockHi: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
  allowed: fc.boolean(),
  restricted: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  now: fc.integer({ min: -4 * 86_400_000, max: 4 * 86_400_000 }).map((d) => BASE + d),
});

// --- the reference ---------------------------------------------------------------------------

const plainClock = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
function referenceActive(schedule: Schedule, now: number): boolean {
  const parts = Object.fromEntries(plainClock.formatToParts(now).map((p) => [p.type, p.value]));
  const day = String(parts.weekday).toLowerCase().slice(0, 3);
  const minute = (Number(parts.hour) % 24) * 60 + Number(parts.minute);
  return schedule.windows.some((w) => w.days.includes(day as never) && minute >= toMinutes(w.from) && minute < toMinutes(w.to));
}
const toMinutes = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));

function covers(domain: string, name: string): boolean {
  if (domain.startsWith('*.')) return name.endsWith(`.${domain.slice(2)}`);
  return name === domain || name.endsWith(`.${domain}`);
}

function reference(config: PolicyConfig, bits: Map<string, number>, q: DecisionInput, now: number): DecisionRecord {
  const group = config.deviceGroups.find((g) => g.id === q.groupId);
  const network = config.networks.find((n) => n.id === q.networkId);
  const policy = network && config.policies.find((p) => p.id === (group?.policy ?? network.policy));
  if (q.restricted) return { action: 'block', watch: false, reason: 'restricted' };
  if (!policy) return { action: 'block', watch: false, reason: 'no-policy' };

  const listed = (id: string): boolean => {
    const bit = bits.get(id);
    if (bit === undefined) return false;
    return bit < 32 ? ((q.blockLo >>> bit) & 1) === 1 : ((q.blockHi >>> (bit - 32)) & 1) === 1;
  };
  const matched = Object.entries(policy.categories).filter(([id]) => listed(id)).sort(([a], [b]) => bits.get(a)! - bits.get(b)!);
  const blocks = (rule: CategoryRule): boolean => {
    if (rule.disposition === 'acceptable') return false;
    if (rule.disposition === 'acceptable-at-certain-times') {
      const schedule = config.schedules.find((s) => s.id === rule.schedule);
      return !(schedule && referenceActive(schedule, now));
    }
    if (rule.disposition === 'acceptable-for-nominated-users') return !(group && rule.groups?.includes(group.id));
    return true;
  };
  const illegal = matched.some(([, r]) => r.disposition === 'unacceptable-and-illegal');
  const blocking = matched.filter(([, r]) => blocks(r));
  const watched = matched.filter(([, r]) => r.watch === true);
  const allow = (reason: DecisionRecord['reason'], exceptionId?: string): DecisionRecord => {
    const out: DecisionRecord = { action: 'allow', watch: watched.length > 0, reason };
    if (watched.length > 0) out.category = watched[0]![0];
    if (reason === 'none' && watched.length > 0) out.reason = 'category';
    if (exceptionId !== undefined) out.exceptionId = exceptionId;
    return out;
  };

  const labels = (d: string): number => d.replace(/^\*\./, '').split('.').length;
  const applicable = config.exceptions
    .map((e, order) => ({ e, order }))
    .filter(({ e }) => covers(e.domain, q.name)
      && (e.expires === undefined || now < Date.parse(e.expires))
      && (e.networks === undefined || e.networks.includes(q.networkId))
      && (e.groups === undefined || (group !== undefined && e.groups.includes(group.id)))
      && (e.devices === undefined || (q.mac !== undefined && e.devices.includes(q.mac))))
    .sort((a, b) => labels(b.e.domain) - labels(a.e.domain) || (a.e.action === b.e.action ? 0 : a.e.action === 'block' ? -1 : 1) || a.order - b.order);
  const winner = applicable[0]?.e;
  if (winner?.action === 'block') return { action: 'block', watch: false, reason: 'exception-block', exceptionId: winner.id };
  if (winner?.action === 'allow' && !illegal) return allow('exception-allow', winner.id);
  if (q.allowed && !illegal) return allow('allow-list');
  if (blocking.length > 0) return { action: 'block', watch: false, reason: 'category', category: blocking[0]![0] };
  return allow('none');
}

describe('decide', () => {
  it('agrees with the reference over random policies, groups, exceptions, masks and times', () => {
    fc.assert(fc.property(configArb, bitsArb, fc.array(questionArb, { minLength: 1, maxLength: 25 }), (config, bitList, questions) => {
      const bits = new Map(CATEGORIES.map((id, i) => [id, bitList[i]!] as const));
      const engine = PolicyEngine.build(config, (id) => bits.get(id));
      const out = new Decision();
      for (const { now, ...q } of questions) {
        expect(engine.decide(q, now, out).toRecord()).toEqual(reference(config, bits, q, now));
      }
    }), { numRuns: 300 });
  });
});
