// The weekly review's reminder and its overdue alert. A node-cron run every five minutes (in the
// school's time zone, as the self-test's) asks review-schedule.ts what is due: the reminder goes
// by e-mail to every account that may sign the review off; a review not signed off by its
// deadline raises a 'review.overdue' alert through the alert service (stored, listed, on the
// webhook) and is e-mailed to the DSL and the trust reviewer: accounts holding dsl or governor
// with an e-mail, and the alert contacts. Each is sent once per week (review_notices in state.db),
// also across restarts; a run after the daemon was down catches up on what fell due meanwhile.
import cron, { type ScheduledTask } from 'node-cron';
import type { AlertContact } from '../../config/alerts-schema.ts';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../log.ts';
import { permissionsOf, type Role } from '../../admin/roles.ts';
import type { AccountRow } from '../../state/accounts.ts';
import type { ReviewRepository } from '../../state/reviews.ts';
import type { Alert, AlertCandidate, DeliveryOutcome } from '../alerts/alert-schema.ts';
import { alertEmail, type EmailMessage } from '../alerts/delivery/message.ts';
import { messageContextOf } from '../alerts/delivery/sender.ts';
import { weekOf } from './review-data.ts';
import { dayIn, deadlineOf, noticesDue, type ReviewNotice } from './review-schedule.ts';

/** Every five minutes: a reminder or an alert is at most five minutes late, and a run costs a few queries. */
export const REVIEW_CHECK = '*/5 * * * *';

export interface ReviewMailer {
  sendMessage(recipients: readonly AlertContact[], message: (contact: AlertContact) => EmailMessage, headers: Record<string, string>): Promise<DeliveryOutcome[]>;
}

export interface ReviewNotifierOptions {
  reviews: Pick<ReviewRepository, 'signOffOf' | 'noticeOf' | 'markNotice' | 'firstStart' | 'alertIdsIn' | 'withoutOutcome'>;
  accounts: () => readonly AccountRow[];
  config: () => Readonly<Config>;
  raise: (candidate: AlertCandidate) => { alert: Alert };
  mailer: ReviewMailer | null;
  now: () => Date;
  logger: Logger;
  schedule?: string;
}

export interface NoticeSent {
  notice: ReviewNotice;
  alert?: Alert;
  deliveries: DeliveryOutcome[];
}

const contactRole = (roles: readonly Role[]): AlertContact['role'] => (roles.includes('dsl') ? 'dsl' : roles.includes('headteacher') ? 'headteacher' : roles.includes('online-safety-lead') ? 'online-safety-lead' : 'trust-reviewer');

const asContact = (a: AccountRow): AlertContact => ({ name: a.displayName || a.username, role: contactRole(a.roles), email: a.email! });

/** Accounts in use with an e-mail address that may sign the weekly review off. */
export function reminderRecipients(accounts: readonly AccountRow[]): AlertContact[] {
  return accounts.filter((a) => !a.disabled && a.email !== null && permissionsOf(a.roles).has('monitoring.review')).map(asContact);
}

/** The DSL and the trust reviewer: accounts holding dsl or governor with an e-mail, and the alert contacts; each address once. */
export function overdueRecipients(accounts: readonly AccountRow[], contacts: readonly AlertContact[]): AlertContact[] {
  const all = [
    ...accounts.filter((a) => !a.disabled && a.email !== null && (a.roles.includes('dsl') || a.roles.includes('governor'))).map(asContact),
    ...contacts.filter((c) => c.email !== undefined),
  ];
  const seen = new Set<string>();
  return all.filter((c) => {
    const key = c.email!.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const longDay = (day: string): string => new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const schoolTime = (at: number, timezone: string): string => new Date(at).toLocaleString('en-GB', { timeZone: timezone, weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });

/** The reminder's words. Plain text, no links: the reader opens the admin pages themselves. */
export function reminderEmail(o: { site: string; week: string; deadline: number; timezone: string; waiting: number; contact: AlertContact }): EmailMessage {
  return {
    subject: `[Schoolgate] The weekly review of the week of ${longDay(o.week)} is due`,
    text: [
      `The weekly monitoring review for ${o.site}, week of ${longDay(o.week)}, is ready.`,
      '',
      `${o.waiting === 0 ? 'No alert is' : o.waiting === 1 ? 'One alert is' : `${o.waiting} alerts are`} waiting for an outcome.`,
      `Please sign it off by ${schoolTime(o.deadline, o.timezone)}; after that the DSL and the trust reviewer are told it is overdue.`,
      '',
      `Open Review in the Schoolgate admin pages, or on the gateway run: schoolgate review week --week ${o.week}`,
      '',
      `You receive this because your account (${o.contact.name}) may sign the weekly review off.`,
      '',
    ].join('\n'),
  };
}

export class ReviewNotifier {
  readonly #o: ReviewNotifierOptions;
  #task: ScheduledTask | undefined;
  #running: Promise<NoticeSent[]> = Promise.resolve([]);

  constructor(options: ReviewNotifierOptions) {
    this.#o = options;
  }

  start(): void {
    this.#task = cron.schedule(this.#o.schedule ?? REVIEW_CHECK, () => {
      this.run().catch((err: Error) => this.#o.logger.error({ err }, 'the weekly review reminder check failed; it runs again in five minutes'));
    }, { timezone: this.#o.config().site.timezone, name: 'weekly-review', noOverlap: true });
  }

  async stop(): Promise<void> {
    await this.#task?.stop();
    this.#task = undefined;
    await this.#running.catch(() => undefined);
  }

  /** Sends whatever is due now (after any run in progress); resolves to what was sent. */
  run(): Promise<NoticeSent[]> {
    this.#running = this.#running.catch(() => []).then(() => this.#runNow());
    return this.#running;
  }

  async #runNow(): Promise<NoticeSent[]> {
    const now = this.#o.now();
    const config = this.#o.config();
    const timezone = config.site.timezone;
    const first = this.#o.reviews.firstStart();
    const due = noticesDue({
      now: now.getTime(), timezone, settings: config.review, firstWeek: first === undefined ? dayIn(now.getTime(), timezone) : dayIn(Date.parse(first), timezone),
      signedOff: (week) => this.#o.reviews.signOffOf(week) !== undefined,
      sent: (week, kind) => this.#o.reviews.noticeOf(week, kind) !== undefined,
    });
    const sent: NoticeSent[] = [];
    for (const notice of due) {
      sent.push(notice.kind === 'reminder' ? await this.#remind(notice, config, now) : await this.#overdue(notice, config, now));
    }
    return sent;
  }

  #waiting(week: string, timezone: string): number {
    const span = weekOf(week, timezone);
    return this.#o.reviews.withoutOutcome(this.#o.reviews.alertIdsIn(new Date(span.fromMs).toISOString(), new Date(span.toMs).toISOString())).length;
  }

  async #remind(notice: ReviewNotice, config: Readonly<Config>, now: Date): Promise<NoticeSent> {
    if (!this.#o.reviews.markNotice(notice.week, 'reminder', now)) return { notice, deliveries: [] };
    const timezone = config.site.timezone;
    const waiting = this.#waiting(notice.week, timezone);
    const deadline = deadlineOf(notice.week, timezone, config.review);
    const recipients = reminderRecipients(this.#o.accounts());
    this.#o.logger.info({ week: notice.week, recipients: recipients.length, waiting }, 'weekly review reminder');
    const deliveries = this.#o.mailer === null || recipients.length === 0 ? [] : await this.#o.mailer.sendMessage(recipients,
      (contact) => reminderEmail({ site: config.site.name, week: notice.week, deadline, timezone, waiting, contact }), { 'X-Schoolgate-Review': notice.week });
    this.#report(deliveries, notice);
    return { notice, deliveries };
  }

  async #overdue(notice: ReviewNotice, config: Readonly<Config>, now: Date): Promise<NoticeSent> {
    const timezone = config.site.timezone;
    const waiting = this.#waiting(notice.week, timezone);
    // Dated at the deadline, when the week became overdue: a gateway that was off over two
    // deadlines raises two alerts, which the alert store's burst rule (one kind, no device, within
    // minutes) would otherwise fold into one naming the first week only.
    const { alert } = this.#o.raise({
      kind: 'review.overdue', severity: 'high', at: new Date(notice.dueAt).toISOString(), networkId: null, mac: null, address: null,
      subject: `weekly review of the week of ${notice.week}`,
      reason: `The weekly monitoring review of the week of ${longDay(notice.week)} was not signed off by ${schoolTime(notice.dueAt, timezone)}`
        + `${waiting > 0 ? `; ${waiting} alert${waiting === 1 ? ' has' : 's have'} no outcome` : ''}. A review that is late is itself a concern.`,
      details: { week: notice.week, deadline: new Date(notice.dueAt).toISOString(), withoutOutcome: waiting },
    });
    if (!this.#o.reviews.markNotice(notice.week, 'overdue', now, alert.id)) return { notice, alert, deliveries: [] };
    const recipients = overdueRecipients(this.#o.accounts(), config.alerts?.contacts ?? []);
    this.#o.logger.warn({ week: notice.week, alert: alert.id, recipients: recipients.length }, 'weekly review overdue');
    const context = messageContextOf(config);
    const deliveries = this.#o.mailer === null || recipients.length === 0 ? [] : await this.#o.mailer.sendMessage(recipients,
      (contact) => alertEmail(alert, contact, 'new', context), { 'X-Schoolgate-Alert': String(alert.id) });
    this.#report(deliveries, notice);
    return { notice, alert, deliveries };
  }

  #report(deliveries: readonly DeliveryOutcome[], notice: ReviewNotice): void {
    for (const d of deliveries.filter((x) => !x.ok)) this.#o.logger.error({ week: notice.week, kind: notice.kind, to: d.to, reason: d.error }, 'weekly review e-mail failed');
  }
}
