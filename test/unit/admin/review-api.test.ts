// The weekly review's admin API over the real app and the daemon's review methods called
// in-process: who may read it (monitoring.view) and record outcomes and sign off
// (monitoring.review), the CSRF check on every post, errors as ApiErrors a page shows, actions
// audited as account:USERNAME, and the week as a CSV download.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ControlServer } from '../../../firmware/control/server.ts';
import { EventBuffer } from '../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { QueryLog } from '../../../firmware/monitor/query-log/query-log.ts';
import { registerReviewMethods } from '../../../firmware/monitor/review/review-methods.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, HOST, roleSessions, type RoleSession } from './role-sessions.ts';

const ZONE = 'Europe/London';
let t: TestAdmin;
let log: QueryLog;
let dir: string;
let s: Record<string, RoleSession>;
let alertId: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schoolgate-review-api-'));
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ control });
  log = await QueryLog.open(join(dir, 'logs.db'), { events: new EventBuffer(16), logger: silentLogger(), flushIntervalMs: 60_000, timezone: ZONE });
  const now = () => t.clock.now;
  registerReviewMethods(control, {
    page: () => ({
      reviews: t.state.reviews, alerts: t.state.alerts, queryLog: log, networkEvents: t.state.networkEvents, siteReports: t.state.siteReports,
      vouchers: t.state.vouchers, audit: t.state.audit, timezone: ZONE, now,
    }),
    reviews: t.state.reviews, alerts: t.state.alerts, accounts: () => t.state.accounts.list(), audit: t.state.audit,
    transaction: (fn) => t.state.transaction(fn), timezone: () => ZONE, now,
  });
  alertId = t.state.alerts.record({ kind: 'dns.category', severity: 'medium', at: '2026-12-01T10:00:00.000Z', networkId: 'pupil', mac: null, address: '10.20.0.5', subject: '=cmd|calc.example', reason: 'a blocked category' }, new Date(0)).alert.id;
  s = await roleSessions(t, ['online-safety-lead', 'technician', 'staff', 'governor']);
});

afterAll(async () => {
  log?.close();
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

const as = (role: string) => ({ cookie: s[role]!.cookie, csrf: s[role]!.csrf });

it('lets those with monitoring.view read the review, and no one else', async () => {
  const call = caller(t);
  for (const role of ['headteacher', 'dsl', 'online-safety-lead']) {
    expect((await call({ url: '/api/review', ...as(role) })).status, role).toBe(200);
    expect((await call({ url: '/api/review/week?week=2026-12-01', ...as(role) })).status, role).toBe(200);
  }
  for (const role of ['technician', 'staff', 'governor']) {
    expect((await call({ url: '/api/review', ...as(role) })).status, role).toBe(403);
    expect((await call({ url: '/api/review/week.csv', ...as(role) })).status, role).toBe(403);
  }
  expect((await call({ url: '/api/review' })).status).toBe(401);
  const week = await call({ url: '/api/review/week?week=2026-12-01', ...as('headteacher') });
  expect(week.json.alerts.map((a: { id: number; subject: string }) => [a.id, a.subject])).toEqual([[alertId, '=cmd|calc.example']]);
  expect((await call({ url: '/api/review/week?week=01-12-2026', ...as('headteacher') })).status).toBe(400);
});

it('records outcomes and the sign-off for monitoring.review only, with the CSRF token, audited under the account', async () => {
  const call = caller(t);
  const body = { outcome: 'no-concern', note: 'a football site\'s advert' };
  expect((await call({ method: 'POST', url: `/api/review/alerts/${alertId}/outcome`, body, cookie: s['online-safety-lead']!.cookie })).status).toBe(403);
  expect((await call({ method: 'POST', url: `/api/review/alerts/${alertId}/outcome`, body, ...as('governor') })).status).toBe(403);
  const missing = await call({ method: 'POST', url: '/api/review/weeks/2026-11-30/sign-off', body: {}, ...as('headteacher') });
  expect(missing.status).toBe(409);
  expect(missing.json.error).toMatch(/^1 of the week's 1 alert has no outcome yet/);
  expect((await call({ method: 'POST', url: '/api/review/alerts/9999/outcome', body, ...as('headteacher') })).status).toBe(404);
  const fp = await call({ method: 'POST', url: `/api/review/alerts/${alertId}/outcome`, body: { outcome: 'false-positive', note: 'x' }, ...as('headteacher') });
  expect(fp.status).toBe(400);
  expect(fp.json.fields.note).toMatch(/proposed list change/);
  const done = await call({ method: 'POST', url: `/api/review/alerts/${alertId}/outcome`, body, ...as('online-safety-lead') });
  expect(done.status, JSON.stringify(done.json)).toBe(200);
  expect(done.json).toMatchObject({ alertId, outcome: 'no-concern', by: 'account:a.online-safety-lead', latest: true });
  const choices = await call({ url: '/api/review/on-behalf', ...as('online-safety-lead') });
  expect(choices.json.accounts.map((a: { username: string }) => a.username).sort()).toEqual(['jo.head', 'sam.dsl']);
  const signed = await call({ method: 'POST', url: '/api/review/weeks/2026-12-02/sign-off', body: { onBehalfOf: 'jo.head', summary: '=HYPERLINK("http://evil.example")' }, ...as('online-safety-lead') });
  expect(signed.status, JSON.stringify(signed.json)).toBe(200);
  expect(signed.json).toMatchObject({ week: '2026-11-30', reviewedBy: 'account:a.online-safety-lead', onBehalfOf: 'jo.head', alerts: 1 });
  expect((await call({ method: 'POST', url: '/api/review/weeks/2026-11-30/sign-off', body: {}, ...as('headteacher') })).status).toBe(409);
  // The list and the week name the people by their display names beside their usernames.
  const names = { reviewedBy: 'account:a.online-safety-lead', reviewedByName: 'A online-safety-lead', onBehalfOf: 'jo.head', onBehalfOfName: 'Jo Head' };
  expect((await call({ url: '/api/review/week?week=2026-11-30', ...as('headteacher') })).json.signOff).toMatchObject(names);
  expect((await call({ url: '/api/review?weeks=2', ...as('dsl') })).json.weeks.find((w: { week: string }) => w.week === '2026-11-30')?.signOff).toMatchObject(names);
  expect(t.state.audit.list({ action: 'review.*' }).map((e) => [e.action, e.actor])).toEqual([
    ['review.outcome', 'account:a.online-safety-lead'], ['review.sign-off', 'account:a.online-safety-lead'],
  ]);
});

it('downloads the week as CSV, text that would be a formula in a spreadsheet kept as text', async () => {
  const response = await t.app.inject({ url: '/api/review/week.csv?week=2026-11-30', headers: { host: HOST, cookie: s.headteacher!.cookie } });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(response.headers['content-disposition']).toBe('attachment; filename="weekly-review-2026-11-30.csv"');
  expect(response.body).toMatch(/^alert,2026-12-01T10:00:00\.000Z,dns\.category \(medium\): =cmd\|calc\.example,/m);
  expect(response.body).toMatch(/^sign-off,.*,on behalf of jo\.head,"'=HYPERLINK\(""http:\/\/evil\.example""\)",account:a\.online-safety-lead\r$/m);
});
