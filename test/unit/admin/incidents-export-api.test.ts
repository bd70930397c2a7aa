// An incident's export through the real admin app and the incident log's control method: a POST
// with the CSRF token (the passphrase in its body, never in a URL), for those who may read the log
// (monitoring.view); the file comes back sealed, opens with its passphrase, and is audited under
// the account with the content's hash. A governor, the technician and a request without the token
// are refused, a short passphrase is answered beside its field, and none of them is audited.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IncidentExportView } from '../../../firmware/admin/api/incidents-schema.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { AttachmentStore } from '../../../firmware/monitor/incidents/attachment-store.ts';
import { registerIncidentMethods } from '../../../firmware/monitor/incidents/incident-methods.ts';
import { IncidentService } from '../../../firmware/monitor/incidents/incident-service.ts';
import { openExport } from '../../../firmware/monitor/reports/export-seal.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, roleSessions, type RoleSession } from './role-sessions.ts';

const PASSPHRASE = 'four words for the police';
let t: TestAdmin;
let dir: string;
let sessions: Record<string, RoleSession>;
let id: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sg-incident-export-'));
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ control });
  const incidents = new IncidentService({
    incidents: t.state.incidents, alerts: t.state.alerts, reports: t.state.siteReports, attachments: new AttachmentStore(dir), audit: t.state.audit,
    transaction: (fn) => t.state.transaction(fn), now: () => t.clock.now, logger: silentLogger(),
    site: () => ({ name: 'St Mary Primary', timezone: 'Europe/London' }), scrypt: { N: 16_384, r: 8, p: 1 },
  });
  registerIncidentMethods(control, incidents);
  id = incidents.openByHand('account:jo.head', { what: 'A proxy site found in a pupil\'s history', people: 'Pupil ref 4471' }).id;
  sessions = await roleSessions(t, ['governor', 'technician']);
}, 60_000);

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const exports = () => t.state.audit.list({ action: 'incident.export' });

it('refuses a governor, the technician and a request without the CSRF token, auditing nothing', async () => {
  const call = caller(t);
  for (const role of ['governor', 'technician']) {
    const s = sessions[role]!;
    expect((await call({ method: 'POST', url: `/api/incidents/${id}/export`, cookie: s.cookie, csrf: s.csrf, body: { format: 'html' } })).status).toBe(403);
  }
  const dsl = sessions.dsl!;
  expect((await call({ method: 'POST', url: `/api/incidents/${id}/export`, cookie: dsl.cookie, body: { format: 'html' } })).status).toBe(403);
  // The unsealed download is gone.
  expect((await call({ url: `/api/incidents/${id}/export?format=html`, cookie: dsl.cookie })).status).toBe(404);
  expect(exports()).toEqual([]);
});

it('answers a short passphrase beside its field and an unknown incident with 404, auditing nothing', async () => {
  const call = caller(t);
  const dsl = sessions.dsl!;
  const short = await call({ method: 'POST', url: `/api/incidents/${id}/export`, cookie: dsl.cookie, csrf: dsl.csrf, body: { format: 'html', passphrase: 'short' } });
  expect(short.status).toBe(400);
  expect(short.json.fields.passphrase).toMatch(/at least 10 characters/);
  expect((await call({ method: 'POST', url: '/api/incidents/999/export', cookie: dsl.cookie, csrf: dsl.csrf, body: { format: 'json' } })).status).toBe(404);
  expect(exports()).toEqual([]);
});

it('gives the DSL the incident sealed and encrypted, audited under the account with the content\'s hash', async () => {
  const call = caller(t);
  const dsl = sessions.dsl!;
  const r = await call({ method: 'POST', url: `/api/incidents/${id}/export`, cookie: dsl.cookie, csrf: dsl.csrf, body: { format: 'json', passphrase: PASSPHRASE } });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  const file = r.json as IncidentExportView;
  expect(file).toMatchObject({ fileName: `incident-${id}-2026-12-07.json.sgexport`, encrypted: true, entries: 1 });
  const opened = openExport(Buffer.from(file.bodyBase64, 'base64'), PASSPHRASE);
  expect(JSON.parse(opened.body.toString('utf8')).incident).toMatchObject({ id, people: 'Pupil ref 4471' });
  expect(opened.header).toMatchObject({ exportedBy: 'account:sam.dsl', contentSha256: file.contentSha256, auditHead: { verified: true } });
  expect(exports()).toEqual([expect.objectContaining({ actor: 'account:sam.dsl', subject: `incident ${id}`, details: expect.objectContaining({ contentSha256: file.contentSha256, encrypted: true }) })]);
});
