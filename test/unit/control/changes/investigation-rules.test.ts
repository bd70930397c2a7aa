// Change control's rules for an investigation, pure: asked for only by accounts that review
// monitoring; approved only by two senior accounts (headteacher, DSL), never the requester, never
// over SSH, whatever else they hold; the limits on its end (14 days, the query log's retention);
// and the configuration's own checks on the entries the daemon writes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../../firmware/admin/roles.ts';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import { foldChange, type ChangeHeader, type StoredStep } from '../../../../firmware/control/changes/change-fold.ts';
import {
  accountCaller, investigationLimit, investigationRequestForbidden, requestRefusal, SENIOR_NEEDED, sshCaller, stepRefusal, type NewStep,
} from '../../../../firmware/control/changes/change-rules.ts';
import type { ChangeRequestFields } from '../../../../firmware/control/changes/change-schema.ts';
import { recipientsOf } from '../../../../firmware/control/changes/change-notifier.ts';
import type { AccountRow } from '../../../../firmware/state/accounts.ts';
import { investigationsConfigIssues } from '../../../../firmware/monitor/investigations/investigations-config-check.ts';

const NOW = new Date('2026-12-07T09:00:00.000Z');
const DAY = 86_400_000;
const config = defaultConfig();
const proposal = { kind: 'investigation' as const, incidentId: 3, device: 'aa:00:00:00:06:01', policy: config.policies[0]!.id, until: new Date(NOW.getTime() + 2 * DAY).toISOString() };
const fields = (over: Partial<typeof proposal> = {}): ChangeRequestFields => ({
  proposal: { ...proposal, ...over }, rationale: 'a safeguarding concern to look into', riskNote: 'one device for two days; illegal content still blocked',
});
const open = { incidentStatus: (id: number) => (id === 3 ? 'open' as const : id === 4 ? 'closed' as const : undefined) };

describe('asking', () => {
  it('is for accounts that review monitoring, never over SSH', () => {
    const may = (roles: Role[]) => investigationRequestForbidden(accountCaller('x', roles)) === undefined;
    expect([may(['headteacher']), may(['dsl']), may(['online-safety-lead']), may(['technician']), may(['staff']), may(['office'])]).toEqual([true, true, true, false, false, false]);
    expect(investigationRequestForbidden(sshCaller('ssh:tess'))).toMatch(/only the headteacher, the DSL or the online safety lead/);
  });

  it('needs an open incident, a policy, an end ahead within 14 days and the retention, and no other investigation of the device', () => {
    expect(requestRefusal(fields(), config, NOW, open)).toBeUndefined();
    expect(requestRefusal(fields({ incidentId: 5 }), config, NOW, open)).toMatch(/there is no incident 5/);
    expect(requestRefusal(fields({ incidentId: 4 }), config, NOW, open)).toMatch(/is closed/);
    expect(requestRefusal(fields(), config, NOW, undefined)).toMatch(/there is no incident 3/);
    expect(requestRefusal(fields({ policy: 'gone' }), config, NOW, open)).toMatch(/there is no policy "gone"/);
    expect(requestRefusal(fields({ until: NOW.toISOString() }), config, NOW, open)).toMatch(/already passed/);
    const limit = investigationLimit(config, NOW).getTime();
    expect(limit).toBe(NOW.getTime() + 14 * DAY);
    expect(requestRefusal(fields({ until: new Date(limit).toISOString() }), config, NOW, open)).toBeUndefined();
    expect(requestRefusal(fields({ until: new Date(limit + 1000).toISOString() }), config, NOW, open)).toMatch(/at most 14 days/);
    const short = { ...config, retention: { ...config.retention, queryEventsDays: 3 } };
    expect(requestRefusal(fields({ until: new Date(NOW.getTime() + 4 * DAY).toISOString() }), short, NOW, open)).toMatch(/at most 3 days \(the query log's retention/);
    const busy = { ...config, investigations: [{ id: 1, incidentId: 3, device: proposal.device, policy: proposal.policy, from: NOW.toISOString(), until: proposal.until }] };
    expect(requestRefusal(fields(), busy, NOW, open)).toMatch(/already under investigation/);
  });
});

describe('approving', () => {
  const ROLES: Role[] = ['headteacher', 'dsl', 'online-safety-lead', 'technician', 'staff'];
  const header: ChangeHeader = {
    id: 1, proposal, summary: ['x'], title: 't', rationale: fields().rationale, riskNote: fields().riskNote, fromAlert: null,
    requestedBy: 'account:a', requestedAt: NOW.toISOString(), needsHead: false, requestedByHead: false,
  };

  it('property: an investigation is approved only by two different senior accounts, neither the requester', () => {
    const people = fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd'), roles: fc.subarray(ROLES, { minLength: 1 }), ssh: fc.boolean() });
    fc.assert(fc.property(fc.array(people, { maxLength: 6 }), (approvers) => {
      const stored: StoredStep[] = [];
      for (const p of approvers) {
        const caller = p.ssh ? sshCaller(`ssh:${p.name}`) : accountCaller(p.name, p.roles);
        const step: NewStep = { kind: 'approved', by: caller.actor, head: caller.head, senior: caller.senior };
        if (stepRefusal(foldChange(header, stored), step, false) === undefined) {
          stored.push({ id: stored.length + 1, kind: 'approved', by: step.by, at: NOW.toISOString(), note: null, reference: null, head: step.head });
          expect(p.ssh).toBe(false);
          expect(p.roles.some((r) => r === 'headteacher' || r === 'dsl')).toBe(true);
        }
      }
      const change = foldChange(header, stored);
      const by = change.approvals.map((a) => a.by);
      expect(new Set(by).size).toBe(by.length);
      expect(by).not.toContain('account:a');
      if (change.status === 'approved') expect(by).toHaveLength(2);
    }), { numRuns: 500 });
  });

  it('asks only the senior approvers, not the online safety lead', () => {
    const account = (username: string, roles: Role[]): AccountRow => ({
      id: 1, username, displayName: username, email: `${username}@school.example`, passwordHash: 'x', mustChangePassword: false, breakGlass: false, disabled: false,
      totpSecret: null, totpPendingSecret: null, totpLastStep: null, failedAttempts: 0, lockedUntil: null, lastLoginAt: null, createdAt: NOW.toISOString(), roles,
    });
    const accounts = [account('a', ['dsl']), account('head', ['headteacher']), account('dsl', ['dsl']), account('osl', ['online-safety-lead'])];
    const notice = { event: 'requested' as const, change: foldChange(header, []), title: 't', requestedByHead: false };
    expect(recipientsOf(notice, accounts).map((a) => a.username)).toEqual(['head', 'dsl']);
  });

  it('says why an online safety lead cannot approve one', () => {
    const osl = accountCaller('b', ['online-safety-lead']);
    expect(stepRefusal(foldChange(header, []), { kind: 'approved', by: osl.actor, head: false, senior: osl.senior }, false)).toBe(SENIOR_NEEDED);
  });
});

describe("the configuration's checks", () => {
  const entry = { id: 1, incidentId: 3, device: 'aa:00:00:00:06:01', policy: config.policies[0]!.id, from: NOW.toISOString(), until: new Date(NOW.getTime() + DAY).toISOString() };
  it('refuses an unknown policy, a span over 14 days or backwards, a duplicate id, two at once on a device', () => {
    const issues = (investigations: (typeof entry)[]) => investigationsConfigIssues({ ...config, investigations }).map((i) => `${i.path}: ${i.message}`);
    expect(issues([entry])).toEqual([]);
    expect(issues([{ ...entry, until: entry.from }])).toEqual([]);
    expect(issues([{ ...entry, policy: 'gone' }])[0]).toMatch(/^\/investigations\/0\/policy: policy "gone" does not exist/);
    expect(issues([{ ...entry, until: new Date(NOW.getTime() + 15 * DAY).toISOString() }])).toEqual(['/investigations/0/until: an investigation may last at most 14 days']);
    expect(issues([{ ...entry, until: new Date(NOW.getTime() - 1).toISOString() }])).toEqual(['/investigations/0/until: an investigation cannot end before it starts']);
    expect(issues([entry, { ...entry }])).toEqual(['/investigations/1/id: investigation 1 is listed twice', '/investigations/1/device: device aa:00:00:00:06:01 is under another investigation at the same time']);
  });
});
