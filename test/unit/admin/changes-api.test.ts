// The change-request API through fastify's inject, over change control's real methods, state.db and
// a configuration store in a temporary folder: who may reach each route (the office and governors
// none; a member of staff asks and follows only their own; approvers decide; only the IT provider
// applies or records a request as sent upstream), the list's "waiting for you" and the dashboard's
// counts following the rules (the head needed when pupils are in scope), a decline needing its
// note, an exception ended early through its own request, and nothing changed by a refusal.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChangeListPage, ChangeRequestPage, ExceptionsPage } from '../../../firmware/admin/api/changes-schema.ts';
import type { DashboardView } from '../../../firmware/admin/api/dashboard-schema.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { startChangeControl } from '../../../firmware/control/changes/wiring.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';
import type { ListsView } from '../../../firmware/rules/lists-view.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, roleSessions, type RoleSession } from './role-sessions.ts';

let t: TestAdmin;
let store: ConfigStore;
let file: string;
let s: Record<string, RoleSession>;

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'sg-changes-')), 'config.json');
  store = await ConfigStore.open(file, { createWith: defaultConfig });
  const control = new ControlServer(silentLogger());
  t = await testAdmin({
    config: { current: () => store.current, update: (change, written) => store.update(change, written) }, control,
    // The dashboard's own sources, empty: only its change-request counts are looked at here.
    monitorOf: (state) => ({
      queryLog: { rollupTotals: async () => [] }, alerts: state.alerts, deviceName: () => null,
      lists: () => ({ names: 0, compileMs: 0, loadedAt: null, fromCache: false, lists: [] }) as unknown as ListsView,
      hostFacts: async () => { throw new Error('not asked for'); },
    }),
  });
  startChangeControl({ control, state: t.state, config: store, mailer: null, logger: silentLogger() });
  s = await roleSessions(t, ['online-safety-lead', 'technician', 'staff', 'office', 'governor']);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const WHY = { rationale: 'Year 4 science: the live nest camera for the bird unit', riskNote: 'A single site of the RSPB; teachers supervise its use.' };
const allow = (networks: string[], domain = 'nestcam.example') => ({ proposal: { kind: 'exception', action: 'allow', domain, networks }, ...WHY });

async function as<T = any>(role: string, method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: T }> {
  const session = s[role]!;
  const r = await caller(t)({ method, url, cookie: session.cookie, csrf: session.csrf, ...(body !== undefined ? { body } : {}) });
  return { status: r.status, json: r.json as T };
}

it('refuses the office and governors every route, a member of staff approving or applying, and an approver applying', async () => {
  const before = readFileSync(file, 'utf8');
  for (const role of ['office', 'governor']) {
    expect((await as(role, 'GET', '/api/changes')).status).toBe(403);
    expect((await as(role, 'POST', '/api/changes', allow(['staff']))).status).toBe(403);
  }
  const made = await as<ChangeRequestPage>('staff', 'POST', '/api/changes', allow(['staff']));
  expect(made.status, JSON.stringify(made.json)).toBe(200);
  const id = made.json.request.id;
  expect((await as('staff', 'POST', `/api/changes/${id}/approve`, {})).status).toBe(403);
  expect((await as('staff', 'POST', `/api/changes/${id}/apply`, {})).status).toBe(403);
  expect((await as('headteacher', 'POST', `/api/changes/${id}/apply`, {})).status).toBe(403);
  expect((await as('headteacher', 'POST', `/api/changes/${id}/upstream`, { reference: 'X-1' })).status).toBe(403);
  // The technician asks and applies, but does not approve.
  expect((await as('technician', 'POST', `/api/changes/${id}/approve`, {})).status).toBe(403);
  // Governors read the exceptions as they read the AUP tables.
  expect((await as('governor', 'GET', '/api/exceptions')).status).toBe(200);
  expect(readFileSync(file, 'utf8')).toBe(before);
  expect((await as('staff', 'POST', `/api/changes/${id}/withdraw`, {})).json.request.status).toBe('withdrawn');
});

it('shows a member of staff only their own requests, and everyone else\'s to approvers, the IT provider and auditors', async () => {
  const mine = await as<ChangeRequestPage>('staff', 'POST', '/api/changes', allow(['staff'], 'mine.example'));
  const theirs = await as<ChangeRequestPage>('online-safety-lead', 'POST', '/api/changes', allow(['staff'], 'theirs.example'));
  const list = await as<ChangeListPage>('staff', 'GET', '/api/changes');
  expect(list.json.all).toBe(false);
  expect(list.json.changes.every((c) => c.requestedBy === 'account:a.staff')).toBe(true);
  expect(list.json.changes.map((c) => c.id)).toContain(mine.json.request.id);
  expect((await as('staff', 'GET', `/api/changes/${theirs.json.request.id}`)).status).toBe(403);
  for (const role of ['headteacher', 'technician']) {
    const all = await as<ChangeListPage>(role, 'GET', '/api/changes');
    expect(all.json.all).toBe(true);
    expect(all.json.changes.map((c) => c.id)).toEqual(expect.arrayContaining([mine.json.request.id, theirs.json.request.id]));
  }
  expect((await as<ChangeListPage>('headteacher', 'GET', '/api/changes')).json.names['account:a.staff']).toBe('A staff');
  for (const id of [mine.json.request.id, theirs.json.request.id]) await as('headteacher', 'POST', `/api/changes/${id}/withdraw`, { note: 'tidying up' });
});

it('lists a request as waiting for the approvers who may approve it now, the head\'s when pupils are in scope, and counts it on their dashboards', async () => {
  const made = await as<ChangeRequestPage>('staff', 'POST', '/api/changes', allow(['staff', 'pupil']));
  const id = made.json.request.id;
  expect(made.json.request.needsHead).toBe(true);
  const waiting = async (role: string) => (await as<ChangeListPage>(role, 'GET', '/api/changes')).json.waitingForYou.includes(id);
  expect([await waiting('headteacher'), await waiting('dsl'), await waiting('online-safety-lead')]).toEqual([true, true, true]);
  expect((await as('online-safety-lead', 'POST', `/api/changes/${id}/approve`, { note: 'fine by me' })).status).toBe(200);
  // Now only the head may give the second approval; the DSL is told why, not offered a button.
  expect([await waiting('headteacher'), await waiting('dsl'), await waiting('online-safety-lead')]).toEqual([true, false, false]);
  const dslView = await as<ChangeRequestPage>('dsl', 'GET', `/api/changes/${id}`);
  expect(dslView.json.may).toMatchObject({ approve: false, decline: true });
  expect(dslView.json.waitingOn).toMatch(/headteacher must be one of the approvers/);
  expect((await as('dsl', 'POST', `/api/changes/${id}/approve`, {})).status).toBeGreaterThanOrEqual(400);
  const dashboard = async (role: string) => (await as<DashboardView>(role, 'GET', '/api/dashboard')).json.changes;
  expect(await dashboard('headteacher')).toEqual({ toApprove: 1, toApply: null });
  expect(await dashboard('dsl')).toEqual({ toApprove: 0, toApply: null });
  expect(await dashboard('technician')).toEqual({ toApprove: null, toApply: 0 });

  const approved = await as<ChangeRequestPage>('headteacher', 'POST', `/api/changes/${id}/approve`, {});
  expect(approved.json.request.status).toBe('approved');
  expect(approved.json.request.decisionSeconds).not.toBeNull();
  const tech = await as<ChangeRequestPage>('technician', 'GET', `/api/changes/${id}`);
  expect(tech.json.may).toMatchObject({ apply: true, upstream: true, approve: false });
  expect(await dashboard('technician')).toEqual({ toApprove: null, toApply: 1 });
  expect(await dashboard('headteacher')).toEqual({ toApprove: 0, toApply: null });

  // Recorded as sent upstream, with the provider's reference: nothing changes here.
  const before = readFileSync(file, 'utf8');
  expect((await as('technician', 'POST', `/api/changes/${id}/upstream`, { reference: '' })).status).toBe(400);
  const sent = await as<ChangeRequestPage>('technician', 'POST', `/api/changes/${id}/upstream`, { reference: 'NS-20418', note: 'logged with the provider' });
  expect(sent.status, JSON.stringify(sent.json)).toBe(200);
  expect(sent.json.request.status).toBe('sent-upstream');
  expect(sent.json.request.steps.at(-1)).toMatchObject({ kind: 'sent-upstream', reference: 'NS-20418', by: 'account:a.technician' });
  expect(readFileSync(file, 'utf8')).toBe(before);
});

it('needs a note to decline, and ends an exception early through its own request', async () => {
  const made = await as<ChangeRequestPage>('staff', 'POST', '/api/changes', allow(['staff'], 'decline.example'));
  const declineId = made.json.request.id;
  const noNote = await as('dsl', 'POST', `/api/changes/${declineId}/decline`, {});
  expect(noNote.status).toBe(400);
  expect((await as<ChangeRequestPage>('dsl', 'GET', `/api/changes/${declineId}`)).json.request.status).toBe('awaiting-approval');
  const declined = await as<ChangeRequestPage>('dsl', 'POST', `/api/changes/${declineId}/decline`, { note: 'Use the school library\'s licensed clips instead' });
  expect(declined.json.request).toMatchObject({ status: 'declined', decidedAt: expect.any(String) });

  const asked = await as<ChangeRequestPage>('staff', 'POST', '/api/changes', allow(['staff'], 'ending.example'));
  const id = asked.json.request.id;
  for (const role of ['dsl', 'online-safety-lead']) expect((await as(role, 'POST', `/api/changes/${id}/approve`, {})).status).toBe(200);
  expect((await as('technician', 'POST', `/api/changes/${id}/apply`, {})).status).toBe(200);
  const listed = (await as<ExceptionsPage>('staff', 'GET', '/api/exceptions')).json.exceptions.find((x) => x.domain === 'ending.example')!;
  expect(listed).toMatchObject({ action: 'allow', networks: ['staff'], changeRequest: id, reason: WHY.rationale });
  expect(store.current.exceptions.map((x) => x.domain)).toContain('ending.example');

  const end = await as<ChangeRequestPage>('staff', 'POST', '/api/changes', { proposal: { kind: 'exception-end', exceptionId: listed.id }, rationale: 'The bird unit has finished for the year', riskNote: 'Nothing is lost: the site goes back to the table.' });
  expect(end.status, JSON.stringify(end.json)).toBe(200);
  expect(end.json.request.needsHead).toBe(false);
  for (const role of ['dsl', 'online-safety-lead']) expect((await as(role, 'POST', `/api/changes/${end.json.request.id}/approve`, {})).status).toBe(200);
  expect((await as('technician', 'POST', `/api/changes/${end.json.request.id}/apply`, {})).status).toBe(200);
  expect(store.current.exceptions.map((x) => x.domain)).not.toContain('ending.example');
  expect((await as<ExceptionsPage>('staff', 'GET', '/api/exceptions')).json.exceptions.map((x) => x.domain)).not.toContain('ending.example');
});

it('keeps an investigation request to its requester and safeguarding staff: the IT provider sees one line, is refused its page, and is not asked to apply it', async () => {
  const actor = (role: string) => `account:${s[role]!.username}`;
  const RATIONALE = 'Pupil ref 4471 may be looking up ways to self-harm';
  const proposal = { kind: 'investigation' as const, incidentId: 7, device: 'aa:00:00:00:06:01', policy: 'pupil', until: new Date(t.clock.now.getTime() + 86_400_000).toISOString() };
  const id = t.state.changes.create({
    fields: { proposal, rationale: RATIONALE, riskNote: 'one device, one day; illegal content still blocked' },
    title: 'Investigate Y6 iPad 1 (aa:00:00:00:06:01) for incident 7', summary: ['Y6 iPad 1 on the Pupils policy'], needsHead: false, requestedByHead: false,
  }, actor('online-safety-lead'), t.clock.now).id;
  t.state.changes.append(id, { kind: 'approved', by: actor('headteacher'), head: true, senior: true }, t.clock.now);
  t.state.changes.append(id, { kind: 'approved', by: actor('dsl'), head: false, senior: true }, t.clock.now);
  // Its apply on approval failed: approved, not applied.
  t.state.changes.append(id, { kind: 'apply-failed', by: 'system', head: false, note: 'incident 7 has been signed off since this was asked for' }, t.clock.now);

  const line = async (role: string) => (await as<ChangeListPage>(role, 'GET', '/api/changes')).json.changes.find((c) => c.id === id);
  expect(await line('technician')).toMatchObject({ id, kind: 'investigation', status: 'approved', title: `Investigation request ${id} (details for safeguarding staff only)` });
  expect(JSON.stringify(await line('technician'))).not.toMatch(/aa:00|iPad|incident 7/);
  expect(await line('staff')).toBeUndefined();
  for (const role of ['headteacher', 'dsl', 'online-safety-lead']) expect((await line(role))?.title).toMatch(/^Investigate Y6 iPad 1/);

  const refused = await as('technician', 'GET', `/api/changes/${id}`);
  expect(refused.status).toBe(403);
  expect(refused.json.error).toMatch(/investigation request: its details are for safeguarding staff only/);
  expect(JSON.stringify(refused.json)).not.toContain(RATIONALE);
  expect((await as('staff', 'GET', `/api/changes/${id}`)).status).toBe(403);
  expect((await as('technician', 'POST', `/api/changes/${id}/apply`, {})).status).toBe(403);
  expect((await as('technician', 'POST', `/api/changes/${id}/upstream`, { reference: 'X-1' })).status).toBe(403);
  expect((await as<DashboardView>('technician', 'GET', '/api/dashboard')).json.changes).toEqual({ toApprove: null, toApply: 0 });

  // Safeguarding staff see it all and may retry the apply (change control is not wired to
  // investigations here, so the retry itself is refused in words, as an apply-failed step).
  const head = await as<ChangeRequestPage>('headteacher', 'GET', `/api/changes/${id}`);
  expect(head.json.request.rationale).toBe(RATIONALE);
  expect(head.json.may).toMatchObject({ apply: true, upstream: false, approve: false });
  const retry = await as('online-safety-lead', 'POST', `/api/changes/${id}/apply`, {});
  expect(retry.status).toBe(409);
  expect(retry.json.error).toMatch(/investigations are not available/);
  await as('headteacher', 'POST', `/api/changes/${id}/withdraw`, { note: 'tidying up' });
});
