// Which buttons a change request's page offers: never approving one's own or approving twice, the
// head's approval needed as the second one when pupils are in scope (unless a head already asked
// or approved), declines by approvers other than the requester, withdrawal by the requester or an
// approver while open, applying and "sent upstream" only by the IT provider once approved. The
// list's "waiting for your approval" reads the same rule from a list line, with the same answers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approvalBlockedBy, changeMay, HEAD_NEEDED, seesAllChanges, waitsForApproval, type ChangeViewer } from '../../../firmware/admin/change-may.ts';
import { permissionsOf } from '../../../firmware/admin/roles.ts';
import { summaryOf } from '../../../firmware/control/changes/change-fold.ts';
import { accountCaller, listedFor } from '../../../firmware/control/changes/change-rules.ts';
import type { ChangeRequest } from '../../../firmware/control/changes/change-schema.ts';

const AT = '2026-12-07T09:00:00.000Z';
const viewer = (username: string, roles: Parameters<typeof permissionsOf>[0]): ChangeViewer => ({
  actor: `account:${username}`, permissions: [...permissionsOf(roles)], head: roles.includes('headteacher'), senior: roles.includes('headteacher') || roles.includes('dsl'),
});
const staff = viewer('pat', ['staff']);
const osl = viewer('olu', ['online-safety-lead']);
const dsl = viewer('sam', ['dsl']);
const head = viewer('jo', ['headteacher']);
const tech = viewer('lee', ['technician']);

function request(patch: Partial<ChangeRequest> = {}): ChangeRequest {
  return {
    id: 1, proposal: { kind: 'exception', domain: 'www.youtube.com', action: 'allow', networks: ['staff'] }, summary: ['Allow www.youtube.com on Staff'],
    rationale: 'Year 6 history videos', riskNote: 'Staff network only', fromAlert: null, requestedBy: staff.actor, requestedAt: AT,
    needsHead: false, status: 'awaiting-approval', approvals: [], steps: [], decidedAt: null, decisionSeconds: null, ...patch,
  };
}
const approvedBy = (v: ChangeViewer) => ({ by: v.actor, at: AT, note: null, head: v.head });

describe('approvalBlockedBy', () => {
  it('lets any other approver give the first approval, the head or not', () => {
    expect(approvalBlockedBy(request(), osl, false)).toBeNull();
    expect(approvalBlockedBy(request({ needsHead: true }), osl, false)).toBeNull();
  });

  it('refuses the requester and a second approval by the same account', () => {
    expect(approvalBlockedBy(request({ requestedBy: osl.actor }), osl, false)).toMatch(/no one approves their own request/);
    expect(approvalBlockedBy(request({ approvals: [approvedBy(osl)] }), osl, false)).toMatch(/already approved this request/);
  });

  it('needs the head as the second approver when pupils are in scope, unless the requester or first approver is one', () => {
    const one = request({ needsHead: true, approvals: [approvedBy(osl)] });
    expect(approvalBlockedBy(one, dsl, false)).toBe(HEAD_NEEDED);
    expect(approvalBlockedBy(one, head, false)).toBeNull();
    expect(approvalBlockedBy(one, dsl, true)).toBeNull();
    expect(approvalBlockedBy(request({ needsHead: true, approvals: [approvedBy(head)] }), dsl, false)).toBeNull();
    expect(approvalBlockedBy(request({ approvals: [approvedBy(osl)] }), dsl, false)).toBeNull();
  });

  it('refuses once the request is no longer awaiting approval', () => {
    expect(approvalBlockedBy(request({ status: 'approved' }), dsl, false)).toMatch(/cannot be approved/);
  });
});

describe('waitsForApproval', () => {
  const investigation = { kind: 'investigation' as const, incidentId: 3, device: 'aa:00:00:00:06:01', policy: 'pupil', until: AT };
  const people = [staff, osl, dsl, head];

  it('property: a list line waits for an approver exactly when its request could be approved by them', () => {
    const requestArb = fc.record({
      investigation: fc.boolean(), needsHead: fc.boolean(), requester: fc.constantFrom(...people),
      first: fc.option(fc.constantFrom(osl, dsl, head), { nil: undefined }), status: fc.constantFrom('awaiting-approval' as const, 'approved' as const, 'declined' as const),
    });
    fc.assert(fc.property(requestArb, fc.constantFrom(osl, dsl, head), fc.boolean(), (r, who, requesterHead) => {
      const req = request({
        ...(r.investigation ? { proposal: investigation } : {}), needsHead: r.needsHead, requestedBy: r.requester.actor, status: r.status,
        approvals: r.first === undefined ? [] : [approvedBy(r.first)],
      });
      expect(waitsForApproval(summaryOf(req, 'x'), who, requesterHead)).toBe(approvalBlockedBy(req, who, requesterHead) === null);
    }));
  });

  it('tells, from the line alone, that the head approved first', () => {
    const line = summaryOf(request({ needsHead: true, approvals: [approvedBy(head)] }), 'x');
    expect(line).toMatchObject({ approvals: 1, approvedBy: [head.actor], headApproved: true });
    expect(waitsForApproval(line, dsl, false)).toBe(true);
    expect(waitsForApproval(summaryOf(request({ needsHead: true, approvals: [approvedBy(osl)] }), 'x'), dsl, false)).toBe(false);
  });

  it('an investigation line listed to the IT provider says no more than its count of approvals, and waits for no one', () => {
    const line = summaryOf(request({ proposal: investigation, requestedBy: osl.actor, approvals: [approvedBy(head)] }), 'Investigate aa:00:00:00:06:01');
    const shown = listedFor(accountCaller('lee', ['technician']), line);
    expect(shown).not.toHaveProperty('approvedBy');
    expect(shown).not.toHaveProperty('headApproved');
    expect(shown.approvals).toBe(1);
    expect(waitsForApproval(shown, dsl, false)).toBe(false);
    // Safeguarding staff see it whole.
    expect(listedFor(accountCaller('sam', ['dsl']), line)).toEqual(line);
  });
});

describe('changeMay', () => {
  it('gives the requester only withdrawal, while the request is open', () => {
    expect(changeMay(request(), staff, false)).toEqual({ may: { approve: false, decline: false, withdraw: true, apply: false, upstream: false }, waitingOn: null });
    expect(changeMay(request({ status: 'declined' }), staff, false).may.withdraw).toBe(false);
  });

  it('gives an approver approve, decline and withdraw, and says why approval is not theirs when it is not', () => {
    expect(changeMay(request(), osl, false).may).toEqual({ approve: true, decline: true, withdraw: true, apply: false, upstream: false });
    const blocked = changeMay(request({ needsHead: true, approvals: [approvedBy(osl)] }), dsl, false);
    expect(blocked.may.approve).toBe(false);
    expect(blocked.may.decline).toBe(true);
    expect(blocked.waitingOn).toBe(HEAD_NEEDED);
    expect(changeMay(request({ requestedBy: osl.actor }), osl, false).may).toMatchObject({ approve: false, decline: false, withdraw: true });
  });

  it('gives the IT provider apply and sent-upstream once approved, and nothing to approve', () => {
    expect(changeMay(request(), tech, false).may).toEqual({ approve: false, decline: false, withdraw: false, apply: false, upstream: false });
    const approved = request({ status: 'approved', approvals: [approvedBy(osl), approvedBy(head)], decidedAt: AT, decisionSeconds: 60 });
    expect(changeMay(approved, tech, false).may).toEqual({ approve: false, decline: false, withdraw: false, apply: true, upstream: true });
    expect(changeMay({ ...approved, status: 'applied' }, tech, false).may.apply).toBe(false);
  });
});

it('shows every request to approvers, the IT provider and auditors, and a member of staff their own', () => {
  expect([staff, osl, dsl, head, tech].map((v) => seesAllChanges(v.permissions))).toEqual([false, true, true, true, true]);
});
