// The weekly review's API shapes (the page, `schoolgate review`, the CSV): one week's page in one
// answer, the list of weeks, and what an outcome and a sign-off send. Every name a device looked
// up travels as plain text, and the page renders it as text: never a link, a preview or a fetch.
import { Type, type Static } from 'typebox';
import { AuditEntry } from '../../control/audit-chain.ts';
import { AlertKind, AlertSeverity } from '../../monitor/alerts/alert-schema.ts';
import { ReviewWeek, ReviewWeekSpan } from '../../monitor/review/review-data-schema.ts';
import { DueItem, Outcome, OutcomeRecord, ProposedChange, SignOff, Week } from '../../monitor/review/review-schema.ts';
import { SiteReport } from '../../portal/reports-schema.ts';
import { NetworkEvent } from '../../state/schemas.ts';

export { DueItem, Outcome, OutcomeRecord, ProposedChange, SignOff, Week };

const Instant = Type.String({ format: 'date-time' });

export const ReviewAlert = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  kind: Type.Union([AlertKind, Type.String()], { description: 'the alert kind (as recorded on its outcome, once the alert itself is past retention)' }),
  severity: Type.Union([AlertSeverity, Type.String()]),
  subject: Type.String({ description: 'what was looked up or seen: inert text' }),
  reason: Type.String(),
  firstAt: Type.Union([Instant, Type.Null()]),
  lastAt: Type.Union([Instant, Type.Null()]),
  count: Type.Integer({ minimum: 0 }),
  networkId: Type.Union([Type.String(), Type.Null()]),
  device: Type.Union([Type.String(), Type.Null()], { description: "the device's name, else its MAC or address" }),
  outcomes: Type.Array(OutcomeRecord, { description: 'every outcome recorded, oldest first; the last counts' }),
  removed: Type.Boolean({ description: 'the alert is past retention: what is shown is what its outcomes recorded' }),
}, { additionalProperties: false });
export type ReviewAlert = Static<typeof ReviewAlert>;

export const WeekTrend = Type.Object({
  week: Week,
  questions: Type.Integer({ minimum: 0 }),
  blocked: Type.Integer({ minimum: 0 }),
  allowed: Type.Integer({ minimum: 0, description: 'questions not blocked' }),
  alerts: Type.Integer({ minimum: 0 }),
}, { additionalProperties: false });
export type WeekTrend = Static<typeof WeekTrend>;

export const WeekVisitor = Type.Object({
  device: Type.String(),
  networkId: Type.Union([Type.String(), Type.Null()]),
  from: Instant,
  until: Instant,
  who: Type.String({ description: '"visitor NAME (ORG), sponsored by STAFF" or who issued the voucher' }),
}, { additionalProperties: false });
export type WeekVisitor = Static<typeof WeekVisitor>;

const DisplayName = (who: string) => Type.Union([Type.String(), Type.Null()], {
  description: `the display name of the account ${who}, as the accounts page holds it; null for a change made over SSH (ssh:USER)`,
});

/** A sign-off as the page shows it: the stored record, and the people it names by their names. */
export const NamedSignOff = Type.Object({
  ...SignOff.properties,
  reviewedByName: DisplayName('that reviewed'),
  onBehalfOfName: DisplayName('signed for'),
}, { additionalProperties: false });
export type NamedSignOff = Static<typeof NamedSignOff>;

export const ReviewStatus = Type.Union([Type.Literal('open'), Type.Literal('signed-off')]);

export const ReviewPage = Type.Object({
  week: ReviewWeekSpan,
  status: ReviewStatus,
  signOff: Type.Union([NamedSignOff, Type.Null()]),
  deadline: Instant,
  overdue: Type.Boolean({ description: 'open and past its deadline' }),
  ended: Type.Boolean({ description: 'the week is over: only then may it be signed off' }),
  alerts: Type.Array(ReviewAlert, { description: 'the alerts first seen in the week, oldest first' }),
  withoutOutcome: Type.Integer({ minimum: 0 }),
  summary: ReviewWeek,
  trend: Type.Array(WeekTrend, { description: 'the 8 weeks before and this one, oldest first' }),
  attempts: Type.Array(NetworkEvent, { description: 'bypass, tethering and peer-to-peer attempts in the week, oldest first' }),
  visitors: Type.Array(WeekVisitor, { description: 'guest devices signed in during the week, with their visitor and sponsor' }),
  reports: Type.Array(SiteReport, { description: 'reports made from the block page in the week' }),
  changes: Type.Array(AuditEntry, { description: 'changes to filtering in the week (the audit log)' }),
  due: Type.Array(DueItem, { description: 'review-due items open, and those this week\'s sign-off closed' }),
}, { additionalProperties: false });
export type ReviewPage = Static<typeof ReviewPage>;

export const ReviewListItem = Type.Object({
  week: Week,
  status: ReviewStatus,
  signOff: Type.Union([NamedSignOff, Type.Null()]),
  deadline: Instant,
  overdue: Type.Boolean(),
  alerts: Type.Integer({ minimum: 0 }),
  withoutOutcome: Type.Integer({ minimum: 0 }),
}, { additionalProperties: false });
export type ReviewListItem = Static<typeof ReviewListItem>;

export const ReviewList = Type.Object({
  weeks: Type.Array(ReviewListItem, { description: 'newest first: the last whole week and those before it, back to the week the gateway first ran' }),
  due: Type.Array(DueItem, { description: 'review-due items still open' }),
  streak: Type.Integer({ minimum: 0, description: 'weeks in a row signed off, back from the last whole week' }),
}, { additionalProperties: false });
export type ReviewList = Static<typeof ReviewList>;

export const ReviewListParams = Type.Object({
  weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 260, description: 'how many weeks back (default 12)' })),
}, { additionalProperties: false });
export type ReviewListParams = Static<typeof ReviewListParams>;

export const ReviewWeekParams = Type.Object({
  week: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'any day of the week (default: the last whole week)' })),
}, { additionalProperties: false });
export type ReviewWeekParams = Static<typeof ReviewWeekParams>;

export const OutcomeBody = Type.Object({
  outcome: Outcome,
  note: Type.String({ minLength: 1, maxLength: 2000, description: 'what was done, and why' }),
  proposed: Type.Optional(ProposedChange),
}, { additionalProperties: false });
export type OutcomeBody = Static<typeof OutcomeBody>;

export const OutcomeParams = Type.Object({
  alert: Type.Integer({ minimum: 1 }),
  ...OutcomeBody.properties,
}, { additionalProperties: false });
export type OutcomeParams = Static<typeof OutcomeParams>;

export const SignOffBody = Type.Object({
  onBehalfOf: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the username of the headteacher (or DSL) the reviewer signs for; absent when they sign for themselves' })),
  summary: Type.Optional(Type.String({ maxLength: 4000 })),
}, { additionalProperties: false });
export type SignOffBody = Static<typeof SignOffBody>;

export const SignOffParams = Type.Object({
  week: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'any day of the week' }),
  ...SignOffBody.properties,
}, { additionalProperties: false });
export type SignOffParams = Static<typeof SignOffParams>;

export const DueParams = Type.Object({
  all: Type.Optional(Type.Boolean({ description: 'closed items too' })),
}, { additionalProperties: false });
export type DueParams = Static<typeof DueParams>;

export const DueView = Type.Object({ due: Type.Array(DueItem, { description: 'newest first' }) }, { additionalProperties: false });
export type DueView = Static<typeof DueView>;

export const OnBehalfChoices = Type.Object({
  accounts: Type.Array(Type.Object({ username: Type.String(), displayName: Type.String() }, { additionalProperties: false }), { description: 'accounts a delegate may sign on behalf of: the headteacher and the DSL' }),
}, { additionalProperties: false });
export type OnBehalfChoices = Static<typeof OnBehalfChoices>;

/** What `schoolgate review check` (review.check) sent: the reminders and overdue alerts due now. */
export const ReviewCheckResult = Type.Object({
  at: Instant,
  sent: Type.Array(Type.Object({
    week: Week,
    kind: Type.Union([Type.Literal('reminder'), Type.Literal('overdue')]),
    dueAt: Instant,
    alert: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'the review.overdue alert raised, for an overdue week' }),
    deliveries: Type.Array(Type.Object({
      channel: Type.Union([Type.Literal('email'), Type.Literal('webhook')]),
      to: Type.String({ description: "the contact's or account's name" }),
      ok: Type.Boolean(),
      error: Type.Optional(Type.String()),
    }, { additionalProperties: false })),
  }, { additionalProperties: false }), { description: 'empty when nothing was due: each notice goes once per week' }),
}, { additionalProperties: false });
export type ReviewCheckResult = Static<typeof ReviewCheckResult>;
