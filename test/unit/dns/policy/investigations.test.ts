// Investigations in the policy engine: one device (by MAC) gets the investigation's policy from..
// until, above a voucher's and its group's; other devices, and the same device outside the
// window, keep their own. Reduced filtering never opens illegal content: restricted lists decide
// first, and a category any policy marks unacceptable and illegal stays blocked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InvestigationEntry } from '../../../../firmware/config/investigations-schema.ts';
import { Decision, type DecisionInput } from '../../../../firmware/dns/policy/decision.ts';
import { PolicyEngine, type PolicyConfig } from '../../../../firmware/dns/policy/engine.ts';
import { at, BITS, bitOf, input, schoolConfig } from './helpers.ts';

const MAC = '3c:22:fb:01:a2:9e';
const OTHER = '3c:22:fb:01:a2:9f';
const FROM = at('2025-11-24T10:00:00Z');
const UNTIL = at('2025-11-26T10:00:00Z');

function entry(extra: Partial<InvestigationEntry> = {}): InvestigationEntry {
  return { id: 12, incidentId: 3, device: MAC, policy: 'open', from: new Date(FROM).toISOString(), until: new Date(UNTIL).toISOString(), ...extra };
}

function config(...investigations: InvestigationEntry[]): PolicyConfig {
  const base = schoolConfig();
  return {
    ...base,
    // "Reduced filtering": a policy that blocks nothing of its own.
    policies: [...base.policies, { id: 'open', name: 'Investigation', safeSearch: 'off', blockAnswer: 'block-page', categories: {} }],
    lists: [{ id: 'iwf', name: 'IWF', category: 'hate', file: '/lists/iwf', format: 'hosts', restricted: true, enabled: true }],
    investigations,
  };
}

const decide = (engine: PolicyEngine, i: DecisionInput, now: number) => engine.decide(i, now, new Decision());

describe('an investigation', () => {
  const engine = PolicyEngine.build(config(entry()), bitOf);
  const device = (categories: string[], extra: Partial<DecisionInput> = {}) => input('pupil', 'social.example', categories, { mac: MAC, ...extra });

  it('gives its device its policy from..until, and no other device', () => {
    expect(decide(engine, device(['social']), FROM - 1).toRecord()).toMatchObject({ action: 'block', category: 'social' });
    const during = decide(engine, device(['social']), FROM);
    expect(during.toRecord()).toEqual({ action: 'allow', watch: false, reason: 'none' });
    expect(during.policy?.id).toBe('open');
    expect(decide(engine, device(['social']), UNTIL - 1).toRecord()).toMatchObject({ action: 'allow' });
    expect(decide(engine, device(['social']), UNTIL).toRecord()).toMatchObject({ action: 'block', category: 'social' });
    expect(decide(engine, device(['social'], { mac: OTHER }), FROM + 1).toRecord()).toMatchObject({ action: 'block', category: 'social' });
    expect(decide(engine, device(['social'], { mac: undefined }), FROM + 1).toRecord()).toMatchObject({ action: 'block', category: 'social' });
  });

  it("ranks above a voucher's policy and the device group's", () => {
    expect(decide(engine, device(['streaming'], { policyId: 'guest' }), FROM + 1).policy?.id).toBe('open');
    expect(decide(engine, device(['streaming'], { groupId: 'sen' }), FROM + 1).policy?.id).toBe('open');
    expect(engine.resolve('pupil', 'sen', 'guest', MAC, FROM + 1)).toMatchObject({ source: 'investigation', policyId: 'open' });
    expect(engine.resolve('pupil', 'sen', 'guest', MAC, UNTIL)).toMatchObject({ source: 'voucher', policyId: 'guest' });
  });

  it('never opens a restricted list or a category some policy marks unacceptable and illegal', () => {
    const now = FROM + 1;
    expect(decide(engine, device(['hate'], { restricted: true }), now).toRecord()).toMatchObject({ action: 'block', reason: 'restricted' });
    // Staff's policy does not mention extremism; the pupil policy marks it illegal.
    const staff = PolicyEngine.build(config(entry({ policy: 'staff' })), bitOf);
    expect(decide(staff, device(['extremism']), now).toRecord()).toMatchObject({ action: 'block', category: 'extremism' });
    expect(decide(engine, device(['illegal']), now).toRecord()).toMatchObject({ action: 'block', category: 'illegal' });
    // Not even with an allow exception or an allow-list entry.
    const excepted = config(entry());
    excepted.exceptions = [{ id: 'x', domain: 'social.example', action: 'allow', reason: 'a test', requestedBy: 'IT' }];
    expect(decide(PolicyEngine.build(excepted, bitOf), device(['extremism']), now).toRecord()).toMatchObject({ action: 'block', category: 'extremism' });
    expect(decide(engine, device(['illegal'], { allowed: true }), now).toRecord()).toMatchObject({ action: 'block', category: 'illegal' });
  });

  it('is passed over when its policy is gone or its span is empty', () => {
    const e = PolicyEngine.build(config(entry({ policy: 'gone' }), entry({ id: 13, device: OTHER, until: new Date(FROM).toISOString() })), bitOf);
    expect(decide(e, device(['social']), FROM + 1).toRecord()).toMatchObject({ action: 'block' });
    expect(decide(e, device(['social'], { mac: OTHER }), FROM + 1).toRecord()).toMatchObject({ action: 'block' });
  });

  it("is told by `check --device`'s explanation", () => {
    const x = engine.explain(device(['social', 'extremism']), FROM + 60_000);
    expect(x.policy).toMatchObject({ id: 'open', source: 'investigation' });
    expect(x.policy?.note).toContain('under investigation #12 (incident 3) until Wed, 26 Nov 2025, 10:00 GMT');
    expect(x.categories.find((c) => c.id === 'extremism')).toMatchObject({ blocksNow: true });
    expect(x.decision).toMatchObject({ action: 'block', category: 'extremism' });
    expect(engine.explain(device(['social']), UNTIL).policy?.source).toBe('network');
  });
});

describe('property: reduced filtering never opens illegal content', () => {
  const categories = Object.keys(BITS);
  const policies = ['open', 'staff', 'pupil', 'guest', 'sen'];
  it('an investigated device is blocked whenever the name is restricted or in a category some policy marks illegal', () => {
    fc.assert(fc.property(
      fc.subarray(categories), fc.constantFrom(...policies), fc.boolean(), fc.boolean(), fc.integer({ min: FROM - 1000, max: UNTIL + 1000 }),
      fc.option(fc.constantFrom('year-6', 'sen', 'staff-laptops'), { nil: undefined }), fc.option(fc.constantFrom(...policies), { nil: undefined }),
      (names, policy, restricted, allowed, now, groupId, voucher) => {
        const engine = PolicyEngine.build(config(entry({ policy })), bitOf);
        const i = input('pupil', 'any.example', names, { mac: MAC, restricted, allowed, groupId, policyId: voucher });
        const d = decide(engine, i, now);
        const plain = PolicyEngine.build(config(), bitOf);
        if (FROM <= now && now < UNTIL) {
          const illegal = names.some((n) => n === 'illegal' || n === 'extremism' || n === 'hate');
          if (restricted || illegal) expect(d.action).toBe('block');
        } else {
          expect(d.toRecord()).toEqual(decide(plain, i, now).toRecord());
        }
        // The same question from a device not under investigation is decided as if there were none.
        const other = { ...i, mac: OTHER };
        expect(decide(engine, other, now).toRecord()).toEqual(decide(plain, other, now).toRecord());
      },
    ), { numRuns: 500 });
  });
});
