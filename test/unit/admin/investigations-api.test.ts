// Investigations through the real admin app and the control methods: seen by the accounts that
// review monitoring (not by staff), linked from their incident; the evidence saved and the
// investigation ended early only by a senior account (the headteacher, the DSL) with the CSRF
// token, each audited under the account (the last saving under whoever ended it). The online safety
// lead may see it but not end it. The list names its people by their display names.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { EventBuffer } from '../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { AttachmentStore } from '../../../firmware/monitor/incidents/attachment-store.ts';
import { registerIncidentMethods } from '../../../firmware/monitor/incidents/incident-methods.ts';
import { IncidentService } from '../../../firmware/monitor/incidents/incident-service.ts';
import { registerInvestigationMethods } from '../../../firmware/monitor/investigations/investigation-methods.ts';
import type { InvestigationListPage } from '../../../firmware/admin/api/investigations-schema.ts';
import type { Investigation, InvestigationListView } from '../../../firmware/monitor/investigations/investigation-schema.ts';
import { InvestigationService } from '../../../firmware/monitor/investigations/investigation-service.ts';
import { QueryLog } from '../../../firmware/monitor/query-log/query-log.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, HOST, roleSessions, type RoleSession } from './role-sessions.ts';

const MAC = 'aa:00:00:00:06:01';
let t: TestAdmin;
let dir: string;
let queryLog: QueryLog;
let sessions: Record<string, RoleSession>;
let id: number;
let incidentId: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sg-investigations-api-'));
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ control });
  const from = t.clock.now.toISOString();
  const until = new Date(t.clock.now.getTime() + 2 * 86_400_000).toISOString();
  incidentId = t.state.incidents.open({ source: 'hand', opened: { occurredAt: from, what: 'A concern', people: '', reportedBy: 'DSL' } }, 'account:sam.dsl', t.clock.now).incident.id;
  const proposal = { kind: 'investigation' as const, incidentId, device: MAC, policy: 'pupil', until };
  id = t.state.changes.create({ fields: { proposal, rationale: 'a safeguarding concern to look into', riskNote: 'one device, two days; illegal content still blocked' }, title: 'Investigate', summary: ['x'], needsHead: false, requestedByHead: false }, 'account:a.online-safety-lead', t.clock.now).id;
  t.state.investigations.record(id, 'started', { incidentId, device: MAC, policy: 'pupil', from, until, requestedBy: 'account:a.online-safety-lead', approvedBy: ['account:jo.head', 'account:sam.dsl'] }, 'ssh:tess', t.clock.now);
  const config = await ConfigStore.open(join(dir, 'config.json'), { createWith: () => ({ ...defaultConfig(), investigations: [{ id, incidentId, device: MAC, policy: 'pupil', from, until }] }) });
  queryLog = await QueryLog.open(join(dir, 'logs.db'), { events: new EventBuffer(100), logger: silentLogger(), flushIntervalMs: 60_000 });
  const attachments = new AttachmentStore(dir);
  registerIncidentMethods(control, new IncidentService({
    incidents: t.state.incidents, alerts: t.state.alerts, reports: t.state.siteReports, attachments, audit: t.state.audit,
    transaction: (fn) => t.state.transaction(fn), now: () => t.clock.now, site: () => ({ name: 'St Mary Primary', timezone: 'Europe/London' }),
  }));
  registerInvestigationMethods(control, new InvestigationService({
    store: t.state.investigations, config, incidents: t.state.incidents, attachments, queryLog, audit: t.state.audit, accounts: t.state.accounts,
    deviceName: () => null, transaction: (fn) => t.state.transaction(fn), now: () => t.clock.now,
  }));
  sessions = await roleSessions(t, ['online-safety-lead', 'staff']);
}, 60_000);

afterAll(async () => {
  await queryLog?.close();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('is seen by the accounts that review monitoring, linked from its incident; not by staff', async () => {
  const call = caller(t);
  expect((await call({ url: '/api/investigations', cookie: sessions.staff!.cookie })).status).toBe(403);
  const osl = await call({ url: '/api/investigations?status=in-force', cookie: sessions['online-safety-lead']!.cookie });
  expect(osl.status, JSON.stringify(osl.json)).toBe(200);
  expect((osl.json as InvestigationListView).investigations.map((i) => [i.id, i.status, i.device])).toEqual([[id, 'in-force', MAC]]);
  const linked = await call({ url: `/api/incidents/${incidentId}/investigations`, cookie: sessions.dsl!.cookie });
  expect((linked.json as InvestigationListView).investigations.map((i) => i.id)).toEqual([id]);
  // The people it names by their names, as the change request's page shows them (SSH users have none).
  expect((linked.json as InvestigationListPage).names).toEqual({ 'account:a.online-safety-lead': 'A online-safety-lead', 'account:jo.head': 'Jo Head', 'account:sam.dsl': 'Sam Dsl' });
  expect((await call({ url: `/api/investigations/${id}`, cookie: sessions.headteacher!.cookie })).json).toMatchObject({ id, incidentId, policyName: 'Pupils' });
  expect((await call({ url: '/api/investigations/99', cookie: sessions.headteacher!.cookie })).status).toBe(404);
});

it('saves the evidence and ends early for a senior account only, with the CSRF token; audited under the account', async () => {
  const call = caller(t);
  const osl = sessions['online-safety-lead']!;
  const head = sessions.headteacher!;
  const dsl = sessions.dsl!;
  const refused = await call({ method: 'POST', url: `/api/investigations/${id}/end`, cookie: osl.cookie, csrf: osl.csrf, body: {} });
  expect(refused.status).toBe(403);
  expect(refused.json.error).toMatch(/only the headteacher or the DSL/);
  expect((await call({ method: 'POST', url: `/api/investigations/${id}/end`, cookie: dsl.cookie, body: {} })).status).toBe(403);
  const saved = await call({ method: 'POST', url: `/api/investigations/${id}/save-evidence`, cookie: head.cookie, csrf: head.csrf, body: {} });
  expect(saved.status, JSON.stringify(saved.json)).toBe(200);
  expect((saved.json as Investigation).evidence).toHaveLength(1);
  t.clock.advance(60_000);
  const ended = await call({ method: 'POST', url: `/api/investigations/${id}/end`, cookie: dsl.cookie, csrf: dsl.csrf, body: { note: 'enough seen' } });
  expect(ended.status, JSON.stringify(ended.json)).toBe(200);
  expect(ended.json).toMatchObject({ status: 'ended', endedBy: 'account:sam.dsl' });
  const again = await call({ method: 'POST', url: `/api/investigations/${id}/end`, cookie: dsl.cookie, csrf: dsl.csrf, body: {} });
  expect(again.status).toBe(409);
  expect(t.state.audit.list({ action: 'investigation.end' }).map((e) => e.actor)).toEqual(['account:sam.dsl']);
  // The last saving is the DSL's, who ended it: not the gateway's.
  expect(t.state.audit.list({ action: 'investigation.evidence' }).map((e) => e.actor)).toEqual(['account:jo.head', 'account:sam.dsl']);
  const listed = (await call({ url: `/api/incidents/${incidentId}/investigations`, cookie: dsl.cookie })).json as InvestigationListPage;
  expect(listed.investigations[0]!.evidence.map((e) => e.by)).toEqual(['account:jo.head', 'account:sam.dsl']);
  expect(listed.names['account:sam.dsl']).toBe('Sam Dsl');
  // The evidence is downloaded as a CSV file, never shown inline.
  const entry = (ended.json as Investigation).evidence[0]!.attachmentId;
  const file = await t.app.inject({ method: 'GET', url: `/api/incidents/${incidentId}/attachments/${entry}`, headers: { host: HOST, cookie: dsl.cookie } });
  expect(file.statusCode, file.body).toBe(200);
  expect(file.headers['content-disposition']).toMatch(/^attachment; filename="investigation-/);
  expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
});
