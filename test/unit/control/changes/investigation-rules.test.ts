// Change control's rules for an investigation, pure: asked for only by accounts that review
// monitoring; approved only by two senior accounts (headteacher, DSL), never the requester, never
// over SSH, whatever else they hold; the limits on its end (14 days, the query log's retention);
// need to know (only the requester and safeguarding staff see one; the IT provider a line without
// its details); applied by the gateway on its second approval, retried only by safeguarding
// staff; the incident kept open and the device's records kept while it is pending or running;
// and the configuration's own checks on the entries the daemon writes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../../firmware/admin/roles.ts';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import { foldChange, type ChangeHeader, type StoredStep } from '../../../../firmware/control/changes/change-fold.ts';
import {
  accountCaller, actionsFor, appliesOnApproval, hiddenInvestigationTitle, investigationLimit, investigationRequestForbidden, listedFor, mayView, permissionRefusal, requestRefusal,
  SENIOR_APPROVERS, SENIOR_NEEDED, sshCaller, stepRefusal, SYSTEM_ACTOR, viewRefusal, type NewStep,
} from '../../../../firmware/control/changes/change-rules.ts';
import { approvedInvestigations, erasureBlock, signOffBlock } from '../../../../firmware/monitor/investigations/investigation-rules.ts';
import type { ChangeRequestFields } from '../../../../firmware/control/changes/change-schema.ts';
import { recipientsOf } from '../../../../firmware/control/changes/change-notifier.ts';
import { proposalWords } from '../../../../firmware/control/changes/change-words.ts';
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

  it('says the same rule on the request as in the refusal: two senior accounts, each a headteacher or a DSL (a head who is also the DSL is one)', () => {
    const words = proposalWords(proposal, { config, categoryTitle: (id) => id });
    expect(words.lines).toContain('To be approved by two senior accounts, each a headteacher or a DSL, neither of them the person asking');
    expect(SENIOR_NEEDED).toBe(`an investigation is approved by ${SENIOR_APPROVERS}`);
  });
});

describe('need to know, applying on approval', () => {
  const header: ChangeHeader = {
    id: 5, proposal, summary: ['x'], title: 'Investigate Y6 iPad 1 for incident 3', rationale: fields().rationale, riskNote: fields().riskNote, fromAlert: null,
    requestedBy: 'account:osl', requestedAt: NOW.toISOString(), needsHead: false, requestedByHead: false,
  };
  const step = (kind: StoredStep['kind'], by: string, id: number, head = false): StoredStep => ({ id, kind, by, at: NOW.toISOString(), note: null, reference: null, head });
  const waiting = foldChange(header, []);
  const approved = foldChange(header, [step('approved', 'account:head', 1, true), step('approved', 'account:dsl', 2)]);
  const failed = foldChange(header, [step('approved', 'account:head', 1, true), step('approved', 'account:dsl', 2), step('apply-failed', SYSTEM_ACTOR, 3)]);
  const tech = accountCaller('tech', ['technician']);
  const ssh = sshCaller('ssh:tess');
  const line = { id: 5, kind: 'investigation' as const, title: header.title, requestedBy: 'account:osl', requestedAt: NOW.toISOString(), status: 'approved' as const, approvals: 2, needsHead: false, decidedAt: NOW.toISOString() };

  it('is seen by its requester and the accounts that review monitoring; the IT provider and SSH get one line and a refusal in words', () => {
    const sees = (roles: Role[]) => mayView(accountCaller('x', roles), waiting);
    expect([sees(['headteacher']), sees(['dsl']), sees(['online-safety-lead']), sees(['technician']), sees(['staff']), sees(['office'])]).toEqual([true, true, true, false, false, false]);
    expect(mayView(accountCaller('osl', ['staff']), waiting)).toBe(true);
    expect(mayView(ssh, waiting)).toBe(false);
    // An auditor who also holds audit.view sees every other request, not this one.
    expect(mayView(tech, { ...waiting, proposal: { kind: 'exception-end', exceptionId: 'x' } })).toBe(true);
    for (const who of [tech, ssh]) {
      expect(viewRefusal(who, waiting)).toBe('change request 5 is an investigation request: its details are for safeguarding staff only (the headteacher, the DSL and the online safety lead)');
      const shown = listedFor(who, line);
      expect(shown).toEqual({ ...line, title: hiddenInvestigationTitle(5) });
      expect(JSON.stringify(shown)).not.toMatch(/iPad|incident 3|aa:00/);
    }
    expect(listedFor(accountCaller('osl', ['online-safety-lead']), line)).toBe(line);
    expect(listedFor(tech, { ...line, kind: 'exception' })).toEqual({ ...line, kind: 'exception' });
  });

  it('is applied by the gateway once approved; a failed apply is retried by safeguarding staff, never the IT provider, never sent upstream', () => {
    expect([appliesOnApproval(waiting), appliesOnApproval(approved), appliesOnApproval({ ...approved, proposal: { kind: 'exception-end', exceptionId: 'x' } })]).toEqual([false, true, false]);
    expect(stepRefusal(approved, { kind: 'applied', by: SYSTEM_ACTOR, head: false, note: 'applied on approval' }, false)).toBeUndefined();
    expect(stepRefusal(approved, { kind: 'applied', by: 'ssh:tess', head: false }, false)).toMatch(/the headteacher, the DSL or the online safety lead tries again/);
    expect(stepRefusal(approved, { kind: 'sent-upstream', by: 'account:tech', head: false, reference: 'R' }, false)).toMatch(/never sent to the filtering provider/);
    expect(permissionRefusal(tech, 'apply', failed)).toMatch(/tries again/);
    expect(permissionRefusal(ssh, 'apply', failed)).toMatch(/tries again/);
    expect(permissionRefusal(accountCaller('osl', ['online-safety-lead']), 'apply', failed)).toBeUndefined();
    expect(permissionRefusal(accountCaller('dsl', ['dsl']), 'upstream', failed)).toMatch(/never sent/);
    expect(actionsFor(tech, failed, false)).toEqual([]);
    expect(actionsFor(accountCaller('dsl', ['dsl']), failed, false)).toEqual(['withdraw', 'apply']);
    // Any other request is still the IT provider's to apply.
    const other = { ...failed, proposal: { kind: 'exception-end' as const, exceptionId: 'x' } };
    expect(permissionRefusal(tech, 'apply', other)).toBeUndefined();
    expect(permissionRefusal(accountCaller('dsl', ['dsl']), 'apply', other)).toMatch(/only the IT provider/);
  });

  it('tells only the requester when its apply on approval failed, never the IT provider', () => {
    const account = (username: string, roles: Role[]): AccountRow => ({
      id: 1, username, displayName: username, email: `${username}@school.example`, passwordHash: 'x', mustChangePassword: false, breakGlass: false, disabled: false,
      totpSecret: null, totpPendingSecret: null, totpLastStep: null, failedAttempts: 0, lockedUntil: null, lastLoginAt: null, createdAt: NOW.toISOString(), roles,
    });
    const accounts = [account('osl', ['online-safety-lead']), account('head', ['headteacher']), account('tech', ['technician'])];
    const notice = (change: typeof failed) => ({ event: 'approved' as const, change, title: 't', requestedByHead: false });
    expect(recipientsOf(notice(failed), accounts).map((a) => a.username)).toEqual(['osl']);
    expect(recipientsOf(notice({ ...failed, proposal: { kind: 'exception-end', exceptionId: 'x' } }), accounts).map((a) => a.username)).toEqual(['tech', 'osl']);
  });

  it('keeps its incident open from its approval, and its device\'s records while it is in the configuration', () => {
    const pending = approvedInvestigations([waiting, approved, { ...approved, id: 6, status: 'applied' }, { ...approved, id: 7, proposal: { kind: 'exception-end', exceptionId: 'x' } }]);
    expect(pending).toEqual([{ id: 5, incidentId: 3 }]);
    expect(signOffBlock(config, 3, pending)).toBe('investigation request 5 on this incident is approved and not yet applied: let it apply (or withdraw it) before signing off');
    expect(signOffBlock(config, 4, pending)).toBeUndefined();
    const running = { ...config, investigations: [{ id: 5, incidentId: 3, device: proposal.device, policy: proposal.policy, from: NOW.toISOString(), until: proposal.until }] };
    expect(signOffBlock(running, 3)).toMatch(/investigation 5 on this incident is still running/);
    expect(erasureBlock(running, proposal.device)).toBe('the device is under investigation 5 (incident 3), whose evidence is its lookups: erase it once the investigation has ended and its evidence is saved on the incident');
    // Ended, its evidence not yet saved: the entry is still there, past its end.
    const ended = { ...config, investigations: [{ ...running.investigations[0]!, until: NOW.toISOString() }] };
    expect(erasureBlock(ended, proposal.device)).toMatch(/under investigation 5/);
    expect(erasureBlock(running, 'aa:00:00:00:06:02')).toBeUndefined();
    expect(erasureBlock(config, proposal.device)).toBeUndefined();
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
