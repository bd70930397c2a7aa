// Change control's rules and fold, pure: every rule as a table, and properties over random
// sequences of steps by random people: no one approves their own request, two approvals are two
// different accounts, a request reaching pupils is approved only with the head among the approvers
// (or asking), SSH never approves, only an approved request is applied, and declined or
// withdrawn is final.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import { foldChange, listOrder, summaryOf, type ChangeHeader, type StoredStep } from '../../../../firmware/control/changes/change-fold.ts';
import {
  accountCaller, actionsFor, canonicalProposal, HEAD_NEEDED, HEAD_NEEDED_FOR_DEVICES, headScope, mayView, needsHeadFor, permissionRefusal, requestRefusal, seesAll, sshCaller, stepRefusal, type NewStep,
} from '../../../../firmware/control/changes/change-rules.ts';
import type { ChangeRequest, Proposal, StepKind } from '../../../../firmware/control/changes/change-schema.ts';

const AT = '2026-12-07T09:00:00.000Z';
const config = defaultConfig();

function header(over: Partial<ChangeHeader> = {}): ChangeHeader {
  return {
    id: 1, proposal: { kind: 'exception', domain: 'www.youtube.com', action: 'allow', networks: ['staff'] }, summary: ['x'], title: 't',
    rationale: 'for the Year 6 history topic', riskNote: 'staff only; comments hidden by the school', fromAlert: null,
    requestedBy: 'account:sam', requestedAt: AT, needsHead: false, requestedByHead: false, ...over,
  };
}

let nextStep = 1;
const step = (kind: StepKind, by: string, head = false, at = '2026-12-07T10:00:00.000Z'): StoredStep => ({ id: nextStep++, kind, by, at, note: null, reference: null, head });

/** The request after each step the rules let through, as the store does. */
function play(h: ChangeHeader, steps: readonly NewStep[]): { change: ChangeRequest; refused: (string | undefined)[] } {
  const stored: StoredStep[] = [];
  const refused: (string | undefined)[] = [];
  for (const s of steps) {
    const reason = stepRefusal(foldChange(h, stored), s, h.requestedByHead);
    refused.push(reason);
    if (reason === undefined) stored.push({ id: stored.length + 1, kind: s.kind, by: s.by, at: AT, note: s.note ?? null, reference: s.reference ?? null, head: s.head });
  }
  return { change: foldChange(h, stored), refused };
}

describe('the fold', () => {
  it('reads the status, approvals and time to decision from the steps', () => {
    const h = header();
    expect(foldChange(h, [])).toMatchObject({ status: 'awaiting-approval', approvals: [], decidedAt: null, decisionSeconds: null });
    const one = foldChange(h, [step('approved', 'account:osl', false, '2026-12-07T09:30:00.000Z')]);
    expect(one).toMatchObject({ status: 'awaiting-approval', decidedAt: null });
    expect(one.approvals).toEqual([{ by: 'account:osl', at: '2026-12-07T09:30:00.000Z', note: null, head: false }]);
    const two = foldChange(h, [step('approved', 'account:osl'), step('approved', 'account:head', true, '2026-12-07T11:00:00.000Z')]);
    expect(two).toMatchObject({ status: 'approved', decidedAt: '2026-12-07T11:00:00.000Z', decisionSeconds: 7200 });
    expect(two.steps[1]).not.toHaveProperty('head');
    expect(foldChange(h, [step('declined', 'account:head', true, '2026-12-07T09:01:00.000Z')])).toMatchObject({ status: 'declined', decisionSeconds: 60 });
    expect(foldChange(h, [step('withdrawn', 'account:sam')]).status).toBe('withdrawn');
    const approved = [step('approved', 'account:osl'), step('approved', 'account:head', true)];
    expect(foldChange(h, [...approved, step('apply-failed', 'ssh:tech')]).status).toBe('approved');
    expect(foldChange(h, [...approved, step('apply-failed', 'ssh:tech'), step('applied', 'ssh:tech')]).status).toBe('applied');
    expect(foldChange(h, [...approved, step('sent-upstream', 'ssh:tech')]).status).toBe('sent-upstream');
  });

  it('orders the list: awaiting approval oldest first, then approved, then the rest newest first', () => {
    const line = (id: number, status: ChangeRequest['status']) => ({ ...summaryOf(foldChange(header({ id }), []), `#${id}`), status });
    const sorted = [line(1, 'applied'), line(2, 'awaiting-approval'), line(3, 'declined'), line(4, 'approved'), line(5, 'awaiting-approval'), line(6, 'withdrawn')].sort(listOrder);
    expect(sorted.map((s) => s.id)).toEqual([2, 5, 4, 6, 3, 1]);
  });
});

describe('needsHead', () => {
  it.each<[string, Proposal, boolean]>([
    ['an allow on staff only', { kind: 'exception', domain: 'a.example', action: 'allow', networks: ['staff'] }, false],
    ['an allow reaching pupils', { kind: 'exception', domain: 'a.example', action: 'allow', networks: ['staff', 'pupil'] }, true],
    ['an allow reaching visitors', { kind: 'exception', domain: 'a.example', action: 'allow', networks: ['guest'] }, true],
    ['an allow on a network that no longer exists', { kind: 'exception', domain: 'a.example', action: 'allow', networks: ['gone'] }, true],
    ['a block on pupils (stricter)', { kind: 'exception', domain: 'a.example', action: 'block', networks: ['pupil'] }, false],
    ['an allow for a named device, even on staff only', { kind: 'exception', domain: 'a.example', action: 'allow', networks: ['staff'], devices: ['aa:bb:cc:dd:ee:01'] }, true],
    ['an allow for named devices in a staff group', { kind: 'exception', domain: 'a.example', action: 'allow', networks: ['staff'], groups: ['x'], devices: ['aa:bb:cc:dd:ee:01', 'aa:bb:cc:dd:ee:02'] }, true],
    ['a block for a named device', { kind: 'exception', domain: 'a.example', action: 'block', networks: ['pupil'], devices: ['aa:bb:cc:dd:ee:01'] }, false],
    ['ending an exception', { kind: 'exception-end', exceptionId: 'change-1' }, false],
    ['a page\'s policy edit', { kind: 'config', action: 'policy.edit', subject: 'pupil', edits: [{ path: '/policies/1/categories/social', after: { disposition: 'acceptable' } }] }, true],
  ])('%s', (_what, proposal, expected) => {
    expect(needsHeadFor(proposal, config)).toBe(expected);
  });
});

describe('requestRefusal', () => {
  const now = new Date(AT);
  const fields = (proposal: Proposal, over: { rationale?: string; riskNote?: string } = {}) => ({
    proposal, rationale: over.rationale ?? 'for the Year 6 history topic', riskNote: over.riskNote ?? 'staff only, for one week',
  });
  const allow = (over: Partial<Extract<Proposal, { kind: 'exception' }>> = {}): Proposal => ({ kind: 'exception', domain: 'a.example', action: 'allow', networks: ['staff'], ...over });
  it.each<[string, ReturnType<typeof fields>, RegExp | undefined]>([
    ['a good request', fields(allow({ expires: '2026-12-19T23:59:00.000Z' })), undefined],
    ['a reason of spaces', fields(allow(), { rationale: '          x' }), /say why/],
    ['a risk note too short once trimmed', fields(allow(), { riskNote: '   short    ' }), /risk/],
    ['an unknown network', fields(allow({ networks: ['staff', 'library'] })), /no network "library" \(networks: staff, pupil, guest\)/],
    ['an unknown group', fields(allow({ groups: ['year-6'] })), /no device group "year-6"/],
    ['an end date in the past', fields(allow({ expires: '2026-12-07T08:59:59.000Z' })), /already passed/],
    ['a device the gateway has not seen yet, typed with dashes', fields(allow({ devices: ['AA-BB-CC-DD-EE-01', 'aabb.ccdd.ee02'] })), undefined],
    ['a device that is no MAC address', fields(allow({ devices: ['aa:bb:cc:dd:ee:01', 'sams-watch'] })), /^a device is named by its MAC address, and "sams-watch" is not a MAC address: expected six pairs of hex digits/],
    ['a broadcast address for a device', fields(allow({ devices: ['ff:ff:ff:ff:ff:ff'] })), /multicast or broadcast MAC address, not a device's own/],
    ['ending an exception that is not there', fields({ kind: 'exception-end', exceptionId: 'change-9' }), /no exception "change-9"/],
  ])('%s', (_what, f, expected) => {
    const refused = requestRefusal(f, config, now);
    if (expected === undefined) expect(refused).toBeUndefined();
    else expect(refused).toMatch(expected);
  });
});

describe('stepRefusal and permissionRefusal, rule by rule', () => {
  const osl = accountCaller('osl', ['online-safety-lead']);
  const head = accountCaller('head', ['headteacher']);
  const staff = accountCaller('sam', ['staff']);
  const tech = accountCaller('tech', ['technician']);
  const ssh = sshCaller('ssh:tech');
  const by = (c: typeof osl, kind: StepKind, extra: Partial<NewStep> = {}): NewStep => ({ kind, by: c.actor, head: c.head, ...extra });

  it('refuses self-approval, the same account twice, SSH, and the second approval without a head when pupils are in scope', () => {
    const h = header({ needsHead: true });
    expect(stepRefusal(foldChange(h, []), by(staff, 'approved'), false)).toMatch(/no one approves their own request/);
    expect(stepRefusal(foldChange(h, []), { kind: 'approved', by: 'ssh:tech', head: false }, false)).toMatch(/not over SSH/);
    const once = play(h, [by(osl, 'approved')]).change;
    expect(once.approvals).toHaveLength(1);
    expect(stepRefusal(once, by(osl, 'approved'), false)).toMatch(/already approved this request/);
    expect(stepRefusal(once, by(accountCaller('dsl', ['dsl']), 'approved'), false)).toBe(HEAD_NEEDED);
    expect(stepRefusal(once, by(head, 'approved'), false)).toBeUndefined();
    // The head asking counts: then any two other approvers will do.
    expect(stepRefusal(once, by(accountCaller('dsl', ['dsl']), 'approved'), true)).toBeUndefined();
    // The head approving first counts too.
    const headFirst = play(h, [by(head, 'approved')]).change;
    expect(stepRefusal(headFirst, by(accountCaller('dsl', ['dsl']), 'approved'), false)).toBeUndefined();
  });

  it('declines need an approver other than the requester, with a reason, while awaiting approval', () => {
    const h = header();
    expect(stepRefusal(foldChange(h, []), by(staff, 'declined', { note: 'no' }), false)).toMatch(/withdraw it instead/);
    expect(stepRefusal(foldChange(h, []), by(osl, 'declined', { note: ' ' }), false)).toMatch(/say why it is declined/);
    expect(stepRefusal(foldChange(h, []), by(osl, 'declined', { note: 'not for pupils' }), false)).toBeUndefined();
    expect(permissionRefusal(staff, 'decline', foldChange(h, []))).toMatch(/cannot decline/);
  });

  it('applies and records upstream only an approved request, with a reference; withdrawn and declined are final', () => {
    const h = header();
    const waiting = play(h, [by(osl, 'approved')]).change;
    expect(stepRefusal(waiting, by(tech, 'applied'), false)).toMatch(/cannot be applied yet: it has 1 of the 2 approvals/);
    const approved = play(h, [by(osl, 'approved'), by(head, 'approved')]).change;
    expect(approved.status).toBe('approved');
    expect(stepRefusal(approved, by(tech, 'applied'), false)).toBeUndefined();
    expect(stepRefusal(approved, by(tech, 'sent-upstream'), false)).toMatch(/reference/);
    expect(stepRefusal(approved, by(tech, 'sent-upstream', { reference: 'SW-123' }), false)).toBeUndefined();
    const declined = play(h, [by(osl, 'declined', { note: 'not needed' })]).change;
    for (const kind of ['approved', 'withdrawn', 'applied', 'declined'] as const) {
      expect(stepRefusal(declined, by(head, kind, { note: 'again' }), false)).toMatch(/declined, and a declined request is final/);
    }
    const withdrawn = play(h, [by(staff, 'withdrawn')]).change;
    expect(stepRefusal(withdrawn, by(osl, 'approved'), false)).toMatch(/withdrawn, and a withdrawn request is final/);
    const applied = play(h, [by(osl, 'approved'), by(head, 'approved'), by(tech, 'applied')]).change;
    expect(stepRefusal(applied, by(tech, 'applied'), false)).toMatch(/it has been applied/);
    expect(stepRefusal(applied, by(staff, 'withdrawn'), false)).toMatch(/it has been applied/);
  });

  it('permissions: who may approve, withdraw, apply; SSH is the IT provider', () => {
    const change = foldChange(header(), []);
    expect(permissionRefusal(ssh, 'approve', change)).toMatch(/not over SSH/);
    expect(permissionRefusal(staff, 'approve', change)).toMatch(/your account cannot approve/);
    expect(permissionRefusal(tech, 'approve', change)).toMatch(/your account cannot approve/);
    expect(permissionRefusal(osl, 'approve', change)).toBeUndefined();
    expect(permissionRefusal(staff, 'withdraw', change)).toBeUndefined();
    expect(permissionRefusal(accountCaller('kim', ['staff']), 'withdraw', change)).toMatch(/only the person who asked, or an approver/);
    expect(permissionRefusal(osl, 'withdraw', change)).toBeUndefined();
    expect(permissionRefusal(head, 'apply', change)).toMatch(/only the IT provider/);
    expect(permissionRefusal(tech, 'apply', change)).toBeUndefined();
    expect(permissionRefusal(ssh, 'upstream', change)).toBeUndefined();
  });

  it('visibility: a member of staff sees their own; approvers, the IT provider and SSH see all', () => {
    const change = foldChange(header(), []);
    expect(seesAll(staff)).toBe(false);
    expect(mayView(staff, change)).toBe(true);
    expect(mayView(accountCaller('kim', ['staff']), change)).toBe(false);
    for (const c of [osl, head, tech, ssh, accountCaller('dsl', ['dsl'])]) expect(seesAll(c)).toBe(true);
  });

  it('actionsFor lists the buttons each person may press', () => {
    const h = header({ needsHead: true });
    const waiting = foldChange(h, []);
    expect(actionsFor(staff, waiting, false)).toEqual(['withdraw']);
    expect(actionsFor(osl, waiting, false)).toEqual(['approve', 'decline', 'withdraw']);
    expect(actionsFor(tech, waiting, false)).toEqual([]);
    const once = play(h, [by(osl, 'approved')]).change;
    expect(actionsFor(accountCaller('dsl', ['dsl']), once, false)).toEqual(['decline', 'withdraw']);
    expect(actionsFor(head, once, false)).toEqual(['approve', 'decline', 'withdraw']);
    const approved = play(h, [by(osl, 'approved'), by(head, 'approved')]).change;
    expect(actionsFor(ssh, approved, false)).toEqual(['apply', 'upstream']);
    expect(actionsFor(staff, approved, false)).toEqual(['withdraw']);
  });
});

describe('properties over any sequence of steps by anyone', () => {
  const PEOPLE = [
    { actor: 'account:sam', head: false }, { actor: 'account:osl', head: false }, { actor: 'account:dsl', head: false },
    { actor: 'account:head', head: true }, { actor: 'account:deputy-head', head: true }, { actor: 'ssh:tech', head: false },
  ];
  const KINDS: StepKind[] = ['approved', 'declined', 'withdrawn', 'applied', 'sent-upstream', 'apply-failed'];
  const arbStep = fc.record({
    kind: fc.constantFrom(...KINDS), who: fc.constantFrom(...PEOPLE), note: fc.constantFrom(undefined, 'a reason'), reference: fc.constantFrom(undefined, 'SW-1'),
  }).map(({ kind, who, note, reference }): NewStep => ({ kind, by: who.actor, head: who.head, note, reference }));
  const arbCase = fc.record({
    needsHead: fc.boolean(), requester: fc.constantFrom(...PEOPLE.slice(0, 5)), steps: fc.array(arbStep, { maxLength: 12 }),
  });

  it('keeps the two-person rule, the head rule, SSH out of approvals, apply after approval, and final outcomes', () => {
    fc.assert(fc.property(arbCase, ({ needsHead, requester, steps }) => {
      const h = header({ needsHead, requestedBy: requester.actor, requestedByHead: requester.head });
      const { change } = play(h, steps);
      const approvers = change.approvals.map((a) => a.by);
      expect(approvers).not.toContain(requester.actor);
      expect(new Set(approvers).size).toBe(approvers.length);
      expect(approvers.every((a) => a.startsWith('account:'))).toBe(true);
      expect(change.approvals.length).toBeLessThanOrEqual(2);
      if (needsHead && change.approvals.length === 2) expect(requester.head || change.approvals.some((a) => a.head)).toBe(true);
      const kinds = change.steps.map((s) => s.kind);
      const approvedAt = kinds.reduce((at, k, i) => (k === 'approved' && kinds.slice(0, i + 1).filter((x) => x === 'approved').length === 2 ? i : at), -1);
      for (const [i, k] of kinds.entries()) {
        if (k === 'applied' || k === 'sent-upstream' || k === 'apply-failed') expect(approvedAt).toBeGreaterThanOrEqual(0), expect(i).toBeGreaterThan(approvedAt);
      }
      // Nothing follows a final step.
      const final = kinds.findIndex((k) => k === 'declined' || k === 'withdrawn' || k === 'applied' || k === 'sent-upstream');
      if (final >= 0) expect(kinds.length).toBe(final + 1);
      // At most one outcome: applied or sent upstream, once.
      expect(kinds.filter((k) => k === 'applied' || k === 'sent-upstream').length).toBeLessThanOrEqual(1);
    }), { numRuns: 2000 });
  });
});

describe('an exception for named devices', () => {
  const forWatch: Proposal = { kind: 'exception', domain: 'roblox.com', action: 'allow', networks: ['staff'], devices: ['AA:BB:CC:DD:EE:01', 'aa-bb-cc-dd-ee-01', 'aabbccddee02'] };

  it('stores each device once, in the spelling the devices table uses', () => {
    expect(canonicalProposal(forWatch)).toEqual({ ...forWatch, devices: ['aa:bb:cc:dd:ee:01', 'aa:bb:cc:dd:ee:02'] });
    const plain: Proposal = { kind: 'exception', domain: 'a.example', action: 'allow', networks: ['staff'] };
    expect(canonicalProposal(plain)).toBe(plain);
  });

  it('waits for the head on a staff network, and says it is for named devices', () => {
    const h = header({ proposal: canonicalProposal(forWatch), needsHead: needsHeadFor(forWatch, config) });
    expect(h.needsHead).toBe(true);
    const osl = accountCaller('osl', ['online-safety-lead']);
    const once = play(h, [{ kind: 'approved', by: osl.actor, head: false }]).change;
    expect(stepRefusal(once, { kind: 'approved', by: 'account:dsl', head: false }, false)).toBe(HEAD_NEEDED_FOR_DEVICES);
    expect(stepRefusal(once, { kind: 'approved', by: 'account:head', head: true }, false)).toBeUndefined();
    expect(headScope(h.proposal)).toBe('it is for named devices: the headteacher must be one of the approvers');
    // A block for a device narrows what it reaches: any two approvers, the usual words.
    expect(headScope({ ...forWatch, action: 'block' })).toMatch(/^pupils are in scope/);
  });
});
