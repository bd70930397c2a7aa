// The Reports API's limits, with the daemon's own report methods called in-process over a real
// state.db and logs.db: a governor gets the summary and the anonymised report but not an export;
// the DSL's export comes back sealed, opens with its passphrase, and is audited under the account.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlServer } from '../../../firmware/control/server.ts';
import { EventBuffer } from '../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { QueryLog } from '../../../firmware/monitor/query-log/query-log.ts';
import { openExport } from '../../../firmware/monitor/reports/export-seal.ts';
import { governorRecipients, sendGovernorReport } from '../../../firmware/monitor/reports/governor-mail.ts';
import { governorReport } from '../../../firmware/monitor/reports/governor-report.ts';
import { registerReportsMethods } from '../../../firmware/monitor/reports/report-methods.ts';
import type { AssuranceSummary, GovernorReport, GovernorSendResult, SealedFile } from '../../../firmware/monitor/reports/report-schema.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, roleSessions, type RoleSession } from './role-sessions.ts';

const MAC = '02:5c:00:20:00:10';
const CONFIG = { site: { name: 'St Mary Primary', timezone: 'Europe/London' }, networks: [{ id: 'pupil', name: 'Pupils' }] };

let t: TestAdmin;
let queryLog: QueryLog;
let dir: string;
let sessions: Record<string, RoleSession>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sg-reports-api-'));
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ control });
  queryLog = await QueryLog.open(join(dir, 'logs.db'), { events: new EventBuffer(1024), logger: silentLogger(), flushIntervalMs: 60_000, timezone: 'Europe/London' });
  const now = () => t.clock.now;
  const governor = { config: () => CONFIG, queryLog, alerts: t.state.alerts, selftest: t.state.selftest, visitors: t.state.vouchers, now };
  registerReportsMethods(control, {
    governor,
    summary: { config: () => CONFIG, alerts: t.state.alerts, selftest: t.state.selftest, audit: t.state.audit, now },
    records: { config: () => CONFIG, state: t.state, queryLog, now },
    // The daemon's sending with no relay configured (alerts.email): every recipient fails, and it is audited.
    sendGovernor: async (span, actor) => sendGovernorReport({ email: () => undefined, dataDir: dir, audit: t.state.audit }, await governorReport(governor, span),
      governorRecipients(t.state.accounts.list(), { schedule: 'off', recipients: ['clerk@governors.example'] }), actor),
  });
  t.state.alerts.record({
    kind: 'dns.category', severity: 'high', at: '2026-12-04T10:00:00.000Z', networkId: 'pupil', mac: MAC, address: '10.20.0.5', subject: 'casino.example', reason: 'gambling', category: 'gambling',
  }, new Date('2026-12-04T10:00:00.000Z'));
  sessions = await roleSessions(t, ['governor']);
}, 60_000);
afterAll(async () => {
  queryLog?.close();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Reports API', () => {
  it('gives a governor the summary and the anonymised report, and refuses them an export', async () => {
    const call = caller(t);
    const gov = sessions.governor!;
    const summary = await call({ url: '/api/reports/summary', cookie: gov.cookie });
    expect(summary.status, JSON.stringify(summary.json)).toBe(200);
    expect((summary.json as AssuranceSummary).openAlerts.high).toBe(1);
    const report = await call({ url: '/api/reports/governor?from=2026-12-01&to=2026-12-06', cookie: gov.cookie });
    expect(report.status, JSON.stringify(report.json)).toBe(200);
    expect((report.json as GovernorReport).alerts.total).toBe(1);
    expect(JSON.stringify(report.json)).not.toContain(MAC);
    const exported = await call({ method: 'POST', url: '/api/reports/export', cookie: gov.cookie, csrf: gov.csrf, body: { subject: { kind: 'device', mac: MAC } } });
    expect(exported.status).toBe(403);
    expect(t.state.audit.list({ action: 'report.export' })).toEqual([]);
  });

  it('lets the DSL send the governor report now, and not a governor; without a relay it says so and records the attempt', async () => {
    const call = caller(t);
    const gov = sessions.governor!;
    const dsl = sessions.dsl!;
    const refused = await call({ method: 'POST', url: '/api/reports/governor/send', cookie: gov.cookie, csrf: gov.csrf, body: {} });
    expect(refused.status).toBe(403);
    expect(t.state.audit.list({ action: 'report.governor.send' })).toEqual([]);
    const noCsrf = await call({ method: 'POST', url: '/api/reports/governor/send', cookie: dsl.cookie, body: {} });
    expect(noCsrf.status).toBe(403);
    const sent = await call({ method: 'POST', url: '/api/reports/governor/send', cookie: dsl.cookie, csrf: dsl.csrf, body: { from: '2026-12-01', to: '2026-12-06' } });
    expect(sent.status, JSON.stringify(sent.json)).toBe(200);
    expect(sent.json as GovernorSendResult).toMatchObject({
      relay: false, sent: [], failed: [{ to: 'clerk@governors.example', error: expect.stringMatching(/no e-mail relay/) }], span: { from: '2026-12-01', to: '2026-12-06' },
    });
    expect(t.state.audit.list({ action: 'report.governor.send' })).toEqual([expect.objectContaining({ actor: 'account:sam.dsl', details: expect.objectContaining({ from: '2026-12-01', recipients: 1 }) })]);
  });

  it('gives the DSL a sealed export that opens with its passphrase, audited as the account', async () => {
    const call = caller(t);
    const dsl = sessions.dsl!;
    const r = await call({ method: 'POST', url: '/api/reports/export', cookie: dsl.cookie, csrf: dsl.csrf, body: { subject: { kind: 'device', mac: MAC }, format: 'json', passphrase: 'a passphrase for the police' } });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const file = r.json as SealedFile;
    const opened = openExport(Buffer.from(file.bodyBase64, 'base64'), 'a passphrase for the police');
    expect(JSON.parse(opened.body.toString('utf8')).alerts).toHaveLength(1);
    expect(opened.header.exportedBy).toBe('account:sam.dsl');
    expect(t.state.audit.list({ action: 'report.export' })).toEqual([expect.objectContaining({ actor: 'account:sam.dsl', subject: MAC })]);
  });

  it('answers a bad request with a clear error and records nothing', async () => {
    const call = caller(t);
    const dsl = sessions.dsl!;
    const short = await call({ method: 'POST', url: '/api/reports/export', cookie: dsl.cookie, csrf: dsl.csrf, body: { subject: { kind: 'device', mac: MAC }, passphrase: 'short' } });
    expect(short.status).toBe(400);
    expect(short.json.error).toMatch(/at least 10 characters/);
    const nobody = await call({ method: 'POST', url: '/api/reports/export', cookie: dsl.cookie, csrf: dsl.csrf, body: { subject: { kind: 'visitor', name: 'Nobody' } } });
    expect(nobody.status).toBe(404);
    const backwards = await call({ url: '/api/reports/governor?from=2026-12-06&to=2026-12-01', cookie: dsl.cookie });
    expect(backwards.status).toBe(400);
    expect(t.state.audit.list({ action: 'report.export' })).toHaveLength(1);
  });
});
