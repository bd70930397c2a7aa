// The shapes of the weekly review's records (state/reviews.ts): outcomes per alert, sign-offs,
// review-due items. One file, so the store, the control methods, the CLI, the admin API and the
// page (types only) name the same fields; the reports and the annual pack read these as they are.
import { Type, type Static } from 'typebox';

export { OUTCOMES, OUTCOME_TEXT } from './outcome-text.ts';

export const Week = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a school week, named by its Monday (YYYY-MM-DD)' });
const Instant = Type.String({ format: 'date-time' });

export const Outcome = Type.Union([
  Type.Literal('no-concern'), Type.Literal('spoke-to-pupil'), Type.Literal('escalated-to-dsl'),
  Type.Literal('referred-externally'), Type.Literal('false-positive'),
], { description: 'what was done about an alert; false-positive carries a proposed list change' });
export type Outcome = Static<typeof Outcome>;

export const ProposedChange = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9*]([a-z0-9.*-]*[a-z0-9])?$', description: 'the name to allow or block (lower case); kept as text for a change request, never applied from here' }),
  action: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
}, { additionalProperties: false });
export type ProposedChange = Static<typeof ProposedChange>;

export const OutcomeRecord = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  week: Week,
  alertId: Type.Integer({ minimum: 1 }),
  alertKind: Type.String(),
  alertSeverity: Type.String(),
  alertSubject: Type.String({ description: 'the alert\'s subject when the outcome was recorded: inert text, never a link' }),
  outcome: Outcome,
  note: Type.String({ minLength: 1, maxLength: 2000 }),
  proposed: Type.Union([ProposedChange, Type.Null()]),
  by: Type.String({ description: 'the actor (account:USERNAME, ssh:USER)' }),
  at: Instant,
  latest: Type.Boolean({ description: 'the outcome that counts for its alert: later rows correct earlier ones, which stay' }),
}, { additionalProperties: false });
export type OutcomeRecord = Static<typeof OutcomeRecord>;

export const SignOff = Type.Object({
  week: Week,
  reviewedBy: Type.String({ description: 'who reviewed (the actor)' }),
  onBehalfOf: Type.Union([Type.String(), Type.Null()], { description: 'the account accountable for the review, when a delegate reviewed for them' }),
  at: Instant,
  summary: Type.String({ maxLength: 4000 }),
  alerts: Type.Integer({ minimum: 0, description: 'alerts of the week, each with an outcome, at sign-off' }),
}, { additionalProperties: false });
export type SignOff = Static<typeof SignOff>;

export const DUE_REASONS = ['filtering-change', 'firmware-update', 'new-network', 'byod-enabled', 'incident'] as const;
export const DueReason = Type.Union([
  Type.Literal('filtering-change'), Type.Literal('firmware-update'), Type.Literal('new-network'), Type.Literal('byod-enabled'), Type.Literal('incident'),
], { description: 'why a review is due (DfE filtering and monitoring standard 2)' });
export type DueReason = Static<typeof DueReason>;

export const DueItem = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  reason: DueReason,
  detail: Type.String({ minLength: 1, maxLength: 500 }),
  at: Instant,
  closedBy: Type.Union([Week, Type.Null()], { description: 'the first review signed off after it, which closes it; null while open' }),
}, { additionalProperties: false });
export type DueItem = Static<typeof DueItem>;
