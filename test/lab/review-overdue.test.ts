// The weekly review's overdue alert reaches the lab internet's SMTP server. The daemon runs in `gw`
// with alerts.email pointing at the relay in `wan` (STARTTLS required, the lab's certificate
// verified: the daemon is told to trust the lab CA through NODE_EXTRA_CA_CERTS, the way a school
// would add its relay's private CA). The daemon itself has no fake clock: time passing is seeded
// instead. state.db records that the gateway first ran three weeks ago (the review store's
// recordStart), with no week signed off, so at start the review check finds weeks whose deadline
// has passed. Proves: the start check raises review.overdue per overdue week, `schoolgate alerts`
// lists it, its e-mail arrives addressed to the alert contact and to the DSL's account, naming the
// week and the deadline; and `schoolgate review check` then sends nothing twice, audited.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { INTERNET } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT } from '../../scripts/netlab/gateway.ts';
import { mailHeader, type LabMail } from '../../scripts/netlab/lab.ts';
import type { ReviewCheckResult } from '../../firmware/admin/api/review-schema.ts';
import type { AuditListView } from '../../firmware/control/audit-methods.ts';
import type { AlertListView } from '../../firmware/monitor/alerts/alert-methods.ts';
import { dayIn, deadlineOf, noticesDue } from '../../firmware/monitor/review/review-schedule.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { VERSION } from '../../firmware/version.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'review-overdue.test', clients: 'none' });

const DAY_MS = 86_400_000;
const CONTACT = 'trust-office@trust.test';
const DSL = 'dsl@school.test';

async function cli<T>(args: string[]): Promise<{ code: number | null; out: T }> {
  const r = await lab().exec('gw', [NODE, MAIN, ...args, '--json', '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT, timeoutMs: 60_000 });
  try {
    return { code: r.code, out: JSON.parse(r.stdout) as T };
  } catch {
    throw new Error(`schoolgate ${args.join(' ')} printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

const longDay = (day: string): string => new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const schoolTime = (at: number, timezone: string): string => new Date(at).toLocaleString('en-GB', { timeZone: timezone, weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });

test('a gateway off over the deadline alerts at start, by e-mail through the lab relay, and a check sends nothing twice', async () => {
  const smtp = await lab().startSmtp();
  const config = lab().gatewayConfig();
  config.alerts = {
    contacts: [{ name: 'Trust office', role: 'trust-reviewer', email: CONTACT }],
    email: { host: INTERNET.smtp, port: INTERNET.smtpPort, security: 'starttls', from: 'schoolgate@school.test' },
  };
  const timezone = config.site.timezone;

  const dataDir = join(lab().dir, 'gateway-data');
  await mkdir(dataDir, { recursive: true });
  const firstRun = new Date(Date.now() - 21 * DAY_MS);
  const state = StateDatabase.open(join(dataDir, 'state.db'));
  try {
    state.reviews.recordStart(VERSION, firstRun);
    state.accounts.insert({ username: 'khan', displayName: 'Ms Khan', email: DSL, passwordHash: 'not-used-to-sign-in', mustChangePassword: false, breakGlass: false, roles: ['dsl'], createdAt: firstRun.toISOString() });
  } finally {
    state.close();
  }
  // What is due now by the same pure schedule the daemon asks: at least the week the gateway
  // first ran in, whose deadline (Friday of the week after) is two weeks past.
  const due = noticesDue({ now: Date.now(), timezone, settings: config.review, firstWeek: dayIn(firstRun.getTime(), timezone), signedOff: () => false, sent: () => false });
  const overdueWeeks = due.filter((n) => n.kind === 'overdue').map((n) => n.week);
  expect(overdueWeeks.length).toBeGreaterThanOrEqual(1);
  const reminders = due.filter((n) => n.kind === 'reminder').length;
  const isOverdueMail = (m: LabMail): boolean => /not signed off by its deadline/.test(mailHeader(m, 'Subject') ?? '');

  await lab().startGateway(config, { env: { NODE_EXTRA_CA_CERTS: lab().tls.caFile } });
  // The check at start: one overdue mail per week to the contact and the DSL, one reminder to the DSL for a week still open.
  const received = await smtp.waitFor((r) => r.filter(isOverdueMail).length >= overdueWeeks.length * 2 && r.length >= overdueWeeks.length * 2 + reminders)
    .catch((e: Error) => { throw new Error(`${e.message}\nthe gateway's output:\n${lab().gateway!.output()}`); });

  const { code, out: listed } = await cli<AlertListView>(['alerts']);
  expect(code).toBe(0);
  const alerts = listed.alerts.filter((a) => a.kind === 'review.overdue');
  expect(alerts.map((a) => a.subject).sort()).toEqual(overdueWeeks.map((w) => `weekly review of the week of ${w}`).sort());

  const overdueMail = received.filter(isOverdueMail);
  expect(overdueMail.every((m) => m.secure), 'sent after STARTTLS').toBe(true);
  for (const alert of alerts) {
    const week = (alert.details as { week: string }).week;
    const mails = overdueMail.filter((m) => mailHeader(m, 'X-Schoolgate-Alert') === String(alert.id));
    expect(mails.flatMap((m) => m.to).sort(), `week ${week}`).toEqual([DSL, CONTACT].sort());
    for (const m of mails) {
      expect(m.body).toContain(`week of ${longDay(week)}`);
      expect(m.body).toContain(schoolTime(deadlineOf(week, timezone, config.review), timezone));
    }
  }

  // Run now by hand: everything due was sent at start, so nothing goes again.
  const before = smtp.received.length;
  const check = await cli<ReviewCheckResult>(['review', 'check']);
  expect(check.code).toBe(0);
  expect(check.out.sent).toEqual([]);
  expect(smtp.received.length).toBe(before);
  const again = await cli<AlertListView>(['alerts']);
  expect(again.out.alerts.filter((a) => a.kind === 'review.overdue').length).toBe(alerts.length);
  // Audited as the operator who ran it over SSH.
  const audit = await cli<AuditListView>(['audit', '--action', 'review.check']);
  expect(audit.out.entries.map((e) => [e.actor.startsWith('ssh:'), e.details])).toEqual([[true, { sent: [] }]]);
}, 60_000);
