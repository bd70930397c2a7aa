// The weekly review through its control methods, on a real state.db and a real query log: the
// week's page holds what was stored for the week (alerts with every outcome, the trend from the
// rollups, attempts, reports, filtering changes, review-due items) and fits its schema; the CSV
// keeps formulas inert; sign-off is refused before the week is over, while an alert has no
// outcome (saying how many), and a second time; a delegate signs on behalf of the head.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ReviewPage, type ReviewList } from '../../../../firmware/admin/api/review-schema.ts';
import { ControlFailure, ControlServer } from '../../../../firmware/control/server.ts';
import { EventBuffer } from '../../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { QueryLog } from '../../../../firmware/monitor/query-log/query-log.ts';
import { reviewCsv } from '../../../../firmware/monitor/review/review-csv.ts';
import { registerReviewMethods, type ReviewMethodDeps } from '../../../../firmware/monitor/review/review-methods.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';

const ZONE = 'Europe/London';
let dir: string;
let state: StateDatabase;
let log: QueryLog;
let clock: Date;
let control: ControlServer;

const as = (account: string) => ({ user: account, account });
const call = <T>(method: string, params: unknown, account = 'head'): Promise<T> => control.invoke(method, params, as(account)) as Promise<T>;
const failure = async (promise: Promise<unknown>): Promise<ControlFailure> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ControlFailure) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schoolgate-review-methods-'));
  clock = new Date('2026-11-01T00:00:00Z');
  state = StateDatabase.open(':memory:', { now: () => clock });
  const buffer = new EventBuffer(8192);
  log = await QueryLog.open(join(dir, 'logs.db'), { events: buffer, logger: silentLogger(), flushIntervalMs: 60_000, timezone: ZONE });
  // The reviewed week (30 Nov) and two weeks before it.
  for (const [day, n, blocked] of [['2026-11-17', 30, 5], ['2026-12-01', 50, 12], ['2026-12-03', 20, 3]] as const) {
    for (let i = 0; i < n; i++) {
      buffer.push({ at: Date.parse(`${day}T10:00:00Z`) + i * 1000, network: 'pupil', client: '10.20.0.5', device: '02:00:00:00:00:01', transport: 'udp', name: 'x.example', qtype: 1,
        verdict: i < blocked ? 'blocked' : 'forwarded', rcode: 0, latencyMs: 1, ...(i < blocked ? { category: 'games' } : {}) });
    }
  }
  log.flush();
  for (const [username, roles] of [['head', ['headteacher']], ['osl', ['online-safety-lead']], ['tech', ['technician']]] as const) {
    state.accounts.insert({ username, displayName: { head: 'Alex Head', osl: 'Olu Sule', tech: 'Tess Tech' }[username], email: null, passwordHash: 'unused', mustChangePassword: false, breakGlass: false, roles, createdAt: '2026-11-01T00:00:00.000Z' });
  }
  const deps: ReviewMethodDeps = {
    page: () => ({
      reviews: state.reviews, alerts: state.alerts, queryLog: log, networkEvents: state.networkEvents, siteReports: state.siteReports,
      vouchers: state.vouchers, audit: state.audit, timezone: ZONE, now: () => clock,
    }),
    reviews: state.reviews, alerts: state.alerts, accounts: () => state.accounts.list(), audit: state.audit,
    transaction: (fn) => state.transaction(fn), timezone: () => ZONE, now: () => clock,
  };
  control = new ControlServer(silentLogger());
  registerReviewMethods(control, deps);
});

afterEach(async () => {
  log?.close();
  state.close();
  await rm(dir, { recursive: true, force: true });
});

/** A visitor sponsored by a member of staff, signed in on guest with a voucher during the week. */
function visitorIn(state: StateDatabase, mac: string, at: string): void {
  const visitor = state.vouchers.createVisitor({ name: 'Pat Visitor', organisation: 'County Music Service', sponsorAccount: 'amy', sponsorName: 'Amy Teacher', created: new Date(at) });
  const voucher = state.vouchers.insert({
    codeHash: createHash('sha256').update(mac).digest('hex'), kind: 'single', label: null, visitorId: visitor.id, validFrom: new Date(at), validUntil: new Date(Date.parse(at) + 8 * 3_600_000),
    maxDevices: 1, downKbit: null, upKbit: null, policyId: null, issuedBy: 'account:office', issuedAt: new Date(at),
  });
  state.vouchers.authorise({ voucherId: voucher.id, mac, address: '10.30.0.100', networkId: 'guest', until: new Date(Date.parse(at) + 8 * 3_600_000), termsVersion: null, at: new Date(at) });
}

function seedWeek(): number[] {
  const alert = (at: string, subject: string, mac = '02:00:00:00:00:01') => state.alerts.record({ kind: 'dns.category', severity: 'medium', at, networkId: 'pupil', mac, address: null, subject, reason: 'a blocked category' }, new Date(Date.parse(at)));
  const ids = [alert('2026-12-01T10:00:00.000Z', 'games.example').alert.id, alert('2026-12-02T11:00:00.000Z', '=HYPERLINK("http://evil.example")').alert.id];
  alert('2026-11-29T23:30:00.000Z', 'sunday.example', '02:00:00:00:00:02'); // the week before, by the school's clock
  state.networkEvents.append({ at: new Date('2026-12-02T09:00:00Z'), kind: 'net.bypass', networkId: 'pupil', mac: '02:00:00:00:00:01', details: { port: 853 } });
  state.networkEvents.append({ at: new Date('2026-12-09T09:00:00Z'), kind: 'net.p2p', networkId: 'pupil', mac: '02:00:00:00:00:01', details: {} });
  state.siteReports.addReport({ at: '2026-12-03T09:00:00.000Z', blockedAt: '2026-12-03T08:59:00.000Z', networkId: 'pupil', mac: null, address: '10.20.0.5', name: 'maths.example', category: 'games', verdict: 'blocked', kind: 'should-not-be-blocked', comment: 'needed for homework' });
  clock = new Date('2026-12-02T12:00:00Z');
  state.audit.append({ actor: 'account:tech', action: 'policy.edit', subject: 'pupils', details: {} });
  state.audit.append({ actor: 'account:tech', action: 'account.create', subject: 'x', details: {} });
  state.reviews.addDue('filtering-change', 'filtering changed: policies', clock);
  visitorIn(state, '02:00:00:00:00:09', '2026-12-03T09:00:00.000Z');
  visitorIn(state, '02:00:00:00:00:0a', '2026-11-20T09:00:00.000Z');
  return ids;
}

it('builds the week\'s page from what was stored, and its CSV', async () => {
  const [first, second] = seedWeek();
  clock = new Date('2026-12-07T10:00:00Z');
  await call('review.outcome', { alert: first, outcome: 'no-concern', note: 'a game at lunch' });
  await call('review.outcome', { alert: first, outcome: 'spoke-to-pupil', note: 'on reflection, spoke to them' }, 'osl');
  const page = await call<ReviewPage>('review.week', {});
  expect(Value.Check(ReviewPage, page), JSON.stringify([...Value.Errors(ReviewPage, page)].slice(0, 3))).toBe(true);
  expect(page.week.from).toBe('2026-11-30');
  expect(page.alerts.map((a) => [a.id, a.outcomes.map((o) => [o.outcome, o.latest, o.by])])).toEqual([
    [first, [['no-concern', false, 'account:head'], ['spoke-to-pupil', true, 'account:osl']]],
    [second, []],
  ]);
  expect(page.withoutOutcome).toBe(1);
  expect(page.trend).toHaveLength(9);
  expect(page.trend.at(-1)).toEqual({ week: '2026-11-30', questions: 70, blocked: 15, allowed: 55, alerts: 2 });
  expect(page.trend.at(-3)).toEqual({ week: '2026-11-16', questions: 30, blocked: 5, allowed: 25, alerts: 0 });
  expect(page.trend.at(-2)!.alerts).toBe(1);
  expect(page.attempts.map((e) => e.kind)).toEqual(['net.bypass']);
  expect(page.reports.map((r) => r.name)).toEqual(['maths.example']);
  expect(page.visitors.map((v) => [v.device, v.who])).toEqual([['02:00:00:00:00:09', 'visitor Pat Visitor (County Music Service), sponsored by Amy Teacher']]);
  expect(page.changes.map((c) => c.action)).toEqual(['policy.edit']);
  expect(page.due.map((d) => d.detail)).toEqual(['filtering changed: policies']);
  expect(page.status).toBe('open');
  expect(page.ended).toBe(true);
  expect(page.overdue).toBe(false);

  const csv = reviewCsv(page);
  expect(csv.split('\r\n')[0]).toBe('section,time,what,device,network,count,outcome,note,by');
  expect(csv).toMatch(/^outcome \(corrected\),.*No concern,a game at lunch,account:head$/m);
  expect(csv).toMatch(/^block-page report,.*maths\.example/m);
  // Quoted as CSV (it holds quotes), and inside its cell after the kind: no spreadsheet runs it.
  expect(csv).toMatch(/^alert,[^,]+,"dns\.category \(medium\): =HYPERLINK\(""http:\/\/evil\.example""\)",/m);
  expect(state.audit.list({ action: 'review.outcome' }).map((e) => e.actor)).toEqual(['account:head', 'account:osl']);
  // The first outcome acknowledged the alert; the correction left that as it was.
  expect(state.alerts.get(first!)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'account:head', note: 'No concern (weekly review): a game at lunch' });
  expect(state.alerts.get(second!).status).toBe('open');
});

it('signs a week off only once it is over and every alert has an outcome; a delegate signs on behalf of the head', async () => {
  const [first, second] = seedWeek();
  clock = new Date('2026-12-06T20:00:00Z');
  expect((await failure(call('review.sign-off', { week: '2026-12-01' }))).code).toBe('week-not-over');
  clock = new Date('2026-12-07T10:00:00Z');
  await call('review.outcome', { alert: first, outcome: 'no-concern', note: 'fine' });
  const missing = await failure(call('review.sign-off', { week: '2026-12-01' }));
  expect(missing.code).toBe('outcomes-missing');
  expect(missing.message).toMatch(new RegExp(`^1 of the week's 2 alerts has no outcome yet \\(alert ${second}\\)`));
  expect((await failure(call('review.outcome', { alert: second!, outcome: 'false-positive', note: 'a maths site' }))).code).toBe('invalid-input');
  expect((await failure(call('review.outcome', { alert: 999, outcome: 'no-concern', note: 'x' }))).code).toBe('unknown-alert');
  await call('review.outcome', { alert: second, outcome: 'false-positive', note: 'a maths site', proposed: { name: 'maths.example', action: 'allow' } }, 'osl');
  expect((await failure(call('review.sign-off', { week: '2026-12-01', onBehalfOf: 'tech' }, 'osl'))).message).toMatch(/not an account in use holding headteacher or dsl/);
  expect((await failure(call('review.sign-off', { week: '2026-12-01', onBehalfOf: 'head' }, 'head'))).message).toMatch(/you sign for yourself/);
  const signed = await call('review.sign-off', { week: '2026-12-01', onBehalfOf: 'head', summary: 'a quiet week' }, 'osl');
  expect(signed).toEqual({ week: '2026-11-30', reviewedBy: 'account:osl', onBehalfOf: 'head', at: '2026-12-07T10:00:00.000Z', summary: 'a quiet week', alerts: 2 });
  expect((await failure(call('review.sign-off', { week: '2026-11-30' }))).code).toBe('already-signed-off');
  expect(state.audit.list({ action: 'review.sign-off' }).map((e) => [e.actor, e.subject])).toEqual([['account:osl', 'week 2026-11-30']]);

  const list = await call<ReviewList>('review.list', { weeks: 3 });
  expect(list.weeks.map((w) => [w.week, w.status, w.alerts, w.withoutOutcome])).toEqual([
    ['2026-11-30', 'signed-off', 2, 0], ['2026-11-23', 'open', 1, 1], ['2026-11-16', 'open', 0, 0],
  ]);
  expect(list.weeks[1]!.overdue).toBe(true);
  expect(list.streak).toBe(1);
  // The sign-off closed the review-due item raised before it.
  expect(list.due).toEqual([]);
  const page = await call<ReviewPage>('review.week', { week: '2026-12-03' });
  expect(page.due.map((d) => d.closedBy)).toEqual(['2026-11-30']);
  // The record keeps usernames; the page names the people too.
  expect(page.signOff).toMatchObject({ reviewedBy: 'account:osl', reviewedByName: 'Olu Sule', onBehalfOf: 'head', onBehalfOfName: 'Alex Head' });
  expect(list.weeks[0]!.signOff).toMatchObject({ reviewedByName: 'Olu Sule', onBehalfOfName: 'Alex Head' });
  expect(state.reviews.signOffOf('2026-11-30')).not.toHaveProperty('reviewedByName');
});
