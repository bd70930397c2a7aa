// The weekly review's reminder and overdue alert, on a fake clock, through the real alert service
// and e-mail sender to an SMTP server (smtp-server) on 127.0.0.1: the reminder reaches those who
// may sign off; past the deadline an alert is stored and reaches the DSL, the governor and the
// alert contacts; each once per week, and nothing for a week signed off. After two deadlines
// missed, one check raises two alerts (one per week), and review.check run again sends nothing.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../firmware/config/schema.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { AlertService } from '../../../../firmware/monitor/alerts/alert-service.ts';
import { AlertSender } from '../../../../firmware/monitor/alerts/delivery/sender.ts';
import { ReviewNotifier } from '../../../../firmware/monitor/review/review-notifier.ts';
import { registerReviewCheck } from '../../../../firmware/monitor/review/review-check.ts';
import { ReviewCheckResult } from '../../../../firmware/admin/api/review-schema.ts';
import { ControlServer } from '../../../../firmware/control/server.ts';
import { Value } from 'typebox/value';
import type { Role } from '../../../../firmware/admin/roles.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';
import { header, startSmtp } from '../alerts/delivery/servers.ts';

let smtp: Awaited<ReturnType<typeof startSmtp>>;
let state: StateDatabase;
let sender: AlertSender;
let clock: Date;
let config: Config;

beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());

beforeEach(async () => {
  smtp.received.length = 0;
  state = StateDatabase.open(':memory:');
  config = defaultConfig();
  config.site.name = 'St Example Primary';
  config.alerts = {
    contacts: [{ name: 'Trust office', role: 'trust-reviewer', email: 'trust@trust.example' }, { name: 'Ms Khan', role: 'dsl', email: 'KHAN@school.example' }],
    email: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'schoolgate@school.example' },
  };
  const account = (username: string, roles: Role[], email: string | null, disabled = false): void => {
    const row = state.accounts.insert({ username, displayName: username, email, passwordHash: 'unused', mustChangePassword: false, breakGlass: false, roles, createdAt: '2026-11-01T00:00:00.000Z' });
    if (disabled) state.accounts.update(row.id, { disabled: true });
  };
  account('head', ['headteacher'], 'head@school.example');
  account('khan', ['dsl'], 'khan@school.example');
  account('osl', ['online-safety-lead'], null);
  account('governor', ['governor'], 'gov@school.example');
  account('tech', ['technician'], 'tech@school.example');
  account('left', ['headteacher'], 'left@school.example', true);
  sender = await AlertSender.fromConfig(config, { dataDir: '/nonexistent' });
});
afterEach(() => {
  sender.close();
  state.close();
});

function notifier(): { notifier: ReviewNotifier; alerts: AlertService } {
  const alerts = new AlertService({ alerts: state.alerts, delivery: sender, config: () => config.alerts, now: () => clock, logger: silentLogger() });
  return {
    alerts,
    notifier: new ReviewNotifier({
      reviews: state.reviews, accounts: () => state.accounts.list(), config: () => config, raise: (c) => alerts.raise(c), mailer: sender, now: () => clock, logger: silentLogger(),
    }),
  };
}

it('reminds those who may sign off on Monday, and alerts the DSL, the governor and the contacts once the deadline passes', async () => {
  const { notifier: n, alerts } = notifier();
  // Installed that Monday: no earlier week is due.
  state.reviews.recordStart('1.0.0', new Date('2026-11-30T07:00:00Z'));
  state.alerts.record({ kind: 'dns.category', severity: 'medium', at: '2026-12-01T10:00:00.000Z', networkId: 'pupils', mac: null, address: '10.0.0.9', subject: 'games.example', reason: 'blocked games' }, new Date(0));

  clock = new Date('2026-12-07T08:55:00Z');
  expect(await n.run()).toEqual([]);
  clock = new Date('2026-12-07T09:00:00Z');
  const [reminder] = await n.run();
  expect(reminder!.notice).toMatchObject({ week: '2026-11-30', kind: 'reminder' });
  expect(reminder!.deliveries.map((d) => [d.to, d.ok])).toEqual([['head', true], ['khan', true]]);
  expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['head@school.example', 'khan@school.example']);
  expect(header(smtp.received[0]!.headers, 'Subject')).toMatch(/weekly review of the week of Monday,? 30 November 2026 is due/);
  expect(smtp.received[0]!.body).toMatch(/One alert is waiting for an outcome/);
  expect(smtp.received[0]!.body).toMatch(/Friday 11 December.*17:00/);
  clock = new Date('2026-12-09T12:00:00Z');
  expect(await n.run()).toEqual([]);

  smtp.received.length = 0;
  clock = new Date('2026-12-11T17:00:00Z');
  const [overdue] = await n.run();
  expect(overdue!.notice).toMatchObject({ week: '2026-11-30', kind: 'overdue' });
  expect(overdue!.alert).toMatchObject({ kind: 'review.overdue', severity: 'high', subject: 'weekly review of the week of 2026-11-30' });
  expect(state.alerts.list().map((a) => a.kind)).toContain('review.overdue');
  // The DSL account and the DSL contact share an address: one message.
  expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['gov@school.example', 'khan@school.example', 'trust@trust.example']);
  const mail = smtp.received.find((m) => m.to[0] === 'gov@school.example')!;
  expect(header(mail.headers, 'Subject')).toMatch(/weekly review was not signed off by its deadline/);
  expect(mail.body).toMatch(/1 alert has no outcome/);
  expect(header(mail.headers, 'X-Schoolgate-Alert')).toBe(String(overdue!.alert!.id));

  clock = new Date('2026-12-11T17:05:00Z');
  expect(await n.run()).toEqual([]);
  await alerts.stop();
});

it('sends nothing for a week signed off in time', async () => {
  const { notifier: n, alerts } = notifier();
  state.reviews.recordStart('1.0.0', new Date('2026-11-02T07:00:00Z'));
  state.reviews.signOff({ week: '2026-11-30', reviewedBy: 'account:head', onBehalfOf: null, summary: '', alerts: 0, at: new Date('2026-12-04T15:00:00Z') });
  state.reviews.signOff({ week: '2026-11-23', reviewedBy: 'account:head', onBehalfOf: null, summary: '', alerts: 0, at: new Date('2026-11-30T15:00:00Z') });
  for (const week of ['2026-11-02', '2026-11-09', '2026-11-16']) state.reviews.signOff({ week, reviewedBy: 'account:head', onBehalfOf: null, summary: '', alerts: 0, at: new Date(`${week}T15:00:00Z`) });
  clock = new Date('2026-12-11T18:00:00Z');
  expect(await n.run()).toEqual([]);
  expect(smtp.received).toEqual([]);
  expect(state.alerts.count()).toBe(0);
  await alerts.stop();
});

it('after two deadlines missed, one check raises an alert per week, each mailed once; review.check then sends nothing, audited', async () => {
  const { notifier: n, alerts } = notifier();
  state.reviews.recordStart('1.0.0', new Date('2026-11-16T08:00:00Z'));
  const control = new ControlServer(silentLogger());
  registerReviewCheck(control, { notifier: n, audit: state.audit, now: () => clock });
  const check = async (): Promise<ReviewCheckResult> => {
    const result = await control.invoke('review.check', {}, { user: 'tech', account: 'tech' });
    expect(Value.Check(ReviewCheckResult, result)).toBe(true);
    return result as ReviewCheckResult;
  };

  // Back on the Monday after both deadlines (Friday 27 November and Friday 4 December).
  clock = new Date('2026-12-07T10:00:00Z');
  const first = await check();
  expect(first.sent.map((s) => [s.week, s.kind])).toEqual([['2026-11-16', 'overdue'], ['2026-11-23', 'overdue'], ['2026-11-30', 'reminder']]);
  const overdue = state.alerts.list().filter((a) => a.kind === 'review.overdue');
  // Dated at their deadlines: two alerts, not one burst.
  expect(overdue.map((a) => [a.subject, a.firstAt, a.count]).sort()).toEqual([
    ['weekly review of the week of 2026-11-16', '2026-11-27T17:00:00.000Z', 1],
    ['weekly review of the week of 2026-11-23', '2026-12-04T17:00:00.000Z', 1],
  ]);
  expect(first.sent.slice(0, 2).map((s) => s.alert)).toEqual(overdue.map((a) => a.id).sort((a, b) => a - b));
  const mailed = smtp.received.filter((m) => header(m.headers, 'X-Schoolgate-Alert') !== undefined);
  expect(mailed).toHaveLength(6);
  for (const a of overdue) expect(mailed.filter((m) => header(m.headers, 'X-Schoolgate-Alert') === String(a.id)).map((m) => m.to[0]).sort()).toEqual(['gov@school.example', 'khan@school.example', 'trust@trust.example']);

  const received = smtp.received.length;
  expect((await check()).sent).toEqual([]);
  expect(smtp.received).toHaveLength(received);
  expect(state.audit.list().filter((e) => e.action === 'review.check').map((e) => [e.actor, (e.details as { sent: unknown[] }).sent.length])).toEqual([['account:tech', 3], ['account:tech', 0]]);
  await alerts.stop();
});
