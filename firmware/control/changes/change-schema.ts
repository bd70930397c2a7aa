// Change control's shapes (the school policies: any member of staff may ask for a filtering change
// in writing, with the educational reason and a benefit-against-risk note; two other people with
// approval rights agree, the head among them when pupils are in scope; the IT provider applies it
// here or records it as sent to the upstream filtering provider; an investigation, need-to-know,
// is applied by the gateway on its second approval). One file, so state.db, the
// control methods, `schoolgate changes --json` and the pages name the same fields. The web UI
// imports types only.
//
// A request is a header (what is proposed, why, by whom) and an append-only timeline of steps;
// its status is folded from the steps (change-fold.ts), never stored, so nothing can be edited
// after the fact.
import { Type, type Static } from 'typebox';
import { Hostname, Id } from '../../config/schema-common.ts';
import { IsoTimestamp } from '../../state/schemas.ts';
import { InvestigationProposal } from '../../monitor/investigations/investigation-schema.ts';

export const RATIONALE_MAX = 500;
export const NOTE_MAX = 2000;
export const REFERENCE_MAX = 200;
/** The most devices one exception names (the configuration's limit too). */
export const MAX_EXCEPTION_DEVICES = 16;

/** An exception (allow or block a name) for some networks, device groups and devices, until an expiry. */
export const ExceptionProposal = Type.Object({
  kind: Type.Literal('exception'),
  domain: Hostname,
  action: Type.Union([Type.Literal('allow'), Type.Literal('block')], { description: 'allow lets the name through its blocked categories (never an illegal-content list); block stops it' }),
  networks: Type.Array(Id, { minItems: 1, maxItems: 32, uniqueItems: true, description: "the networks it applies on; the request form starts with the staff networks (pupils keep standard filtering unless the head decides otherwise)" }),
  groups: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 64, uniqueItems: true, description: 'only devices in these groups (default: every device on those networks)' })),
  // Any spelling a person types (AA-BB-…, aabb.ccdd.eeff): the request refuses one that is no MAC
  // address in words, and stores the lower-case, colon-separated spelling the devices table uses.
  devices: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 1, maxItems: MAX_EXCEPTION_DEVICES, description: 'only these devices, by MAC address (also with the networks and groups); an allow for named devices needs the headteacher among the approvers' })),
  expires: Type.Optional(IsoTimestamp),
}, { additionalProperties: false });
export type ExceptionProposal = Static<typeof ExceptionProposal>;

/** End an exception before its expiry (it is removed from the configuration when applied). */
export const ExceptionEndProposal = Type.Object({
  kind: Type.Literal('exception-end'),
  exceptionId: Id,
}, { additionalProperties: false });
export type ExceptionEndProposal = Static<typeof ExceptionEndProposal>;

/**
 * One value in the configuration document, before and after: `path` is a JSON pointer
 * ("/policies/1/categories/social"). `before` absent means the value did not exist; `after`
 * absent means it is removed. Applying refuses when the value is no longer `before`.
 */
export const ConfigEdit = Type.Object({
  path: Type.String({ minLength: 1, maxLength: 512, pattern: '^/' }),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
}, { additionalProperties: false });
export type ConfigEdit = Static<typeof ConfigEdit>;

/** An edit made on a web UI page (a policy's AUP rows) held for approval instead of saved. */
export const ConfigProposal = Type.Object({
  kind: Type.Literal('config'),
  action: Type.String({ minLength: 3, maxLength: 64, pattern: '^[a-z][a-z0-9-]*\\.[a-z0-9.-]+$', description: 'the audit action once applied, e.g. "policy.edit"' }),
  subject: Type.String({ minLength: 1, maxLength: 200, description: 'what it edits, e.g. the policy id' }),
  edits: Type.Array(ConfigEdit, { minItems: 1, maxItems: 256 }),
}, { additionalProperties: false });
export type ConfigProposal = Static<typeof ConfigProposal>;

/**
 * A device moved into another device group when the move lets it reach more (widening.ts): the
 * group lives in state.db's devices table, not the configuration, so applying it moves the device
 * there, and only if it is still in `from`.
 */
export const DeviceGroupProposal = Type.Object({
  kind: Type.Literal('device-group'),
  mac: Type.String({ minLength: 1, maxLength: 40, description: "the device's MAC address (stored in the devices table's spelling)" }),
  from: Type.Union([Id, Type.Null()], { description: 'its group when asked (null: the network\'s default)' }),
  to: Type.Union([Id, Type.Null()], { description: 'the group it moves into (null: the network\'s default)' }),
}, { additionalProperties: false });
export type DeviceGroupProposal = Static<typeof DeviceGroupProposal>;

export const Proposal = Type.Union([ExceptionProposal, ExceptionEndProposal, ConfigProposal, InvestigationProposal, DeviceGroupProposal], { description: 'what the request would change' });
export type Proposal = Static<typeof Proposal>;

export const ChangeRequestFields = Type.Object({
  proposal: Proposal,
  rationale: Type.String({ minLength: 10, maxLength: RATIONALE_MAX, description: 'the educational reason, in writing (also the exception\'s reason)' }),
  riskNote: Type.String({ minLength: 10, maxLength: NOTE_MAX, description: 'benefit against risk: who could reach what, and why that is acceptable' }),
  fromAlert: Type.Optional(Type.Integer({ minimum: 1, description: 'the alert whose weekly-review outcome (a false positive) proposed it' })),
}, { additionalProperties: false });
export type ChangeRequestFields = Static<typeof ChangeRequestFields>;

export const STEP_KINDS = ['approved', 'declined', 'withdrawn', 'applied', 'sent-upstream', 'apply-failed'] as const;
export const StepKind = Type.Enum(STEP_KINDS, {
  description: 'approved and declined: an approver; withdrawn: the requester (or an approver); applied, sent-upstream: the IT provider; apply-failed: applying was refused (the configuration had changed)',
});
export type StepKind = Static<typeof StepKind>;

export const ChangeStep = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  kind: StepKind,
  by: Type.String({ description: 'the actor: account:USERNAME or ssh:USER' }),
  at: IsoTimestamp,
  note: Type.Union([Type.String({ maxLength: NOTE_MAX }), Type.Null()]),
  reference: Type.Union([Type.String({ maxLength: REFERENCE_MAX }), Type.Null()], { description: "sent-upstream: the filtering provider's reference; applied: the exception's id" }),
}, { additionalProperties: false });
export type ChangeStep = Static<typeof ChangeStep>;

export const CHANGE_STATUSES = ['awaiting-approval', 'approved', 'applied', 'sent-upstream', 'declined', 'withdrawn'] as const;
export const ChangeStatus = Type.Enum(CHANGE_STATUSES, {
  description: 'awaiting-approval until two approvals (or a decline); approved until applied here or sent upstream',
});
export type ChangeStatus = Static<typeof ChangeStatus>;

/** The words each surface shows for a status. */
export const STATUS_LABELS: Readonly<Record<ChangeStatus, string>> = {
  'awaiting-approval': 'Awaiting approval',
  approved: 'Approved: to be applied',
  applied: 'Applied here',
  'sent-upstream': 'Sent to the filtering provider',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
};

export const ChangeRequest = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  proposal: Proposal,
  /** What it changes, in words (from the proposal and the configuration when requested). */
  summary: Type.Array(Type.String(), { description: 'what it would change, a line each, in plain words' }),
  rationale: Type.String(),
  riskNote: Type.String(),
  fromAlert: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  requestedBy: Type.String({ description: 'the actor who asked' }),
  requestedAt: IsoTimestamp,
  needsHead: Type.Boolean({ description: 'pupils (or any network that is not a staff network) are in scope: one approval must come from a headteacher' }),
  status: ChangeStatus,
  approvals: Type.Array(Type.Object({ by: Type.String(), at: IsoTimestamp, note: Type.Union([Type.String(), Type.Null()]), head: Type.Boolean() }), { maxItems: 2 }),
  steps: Type.Array(ChangeStep, { description: 'every step in order, as recorded' }),
  decidedAt: Type.Union([IsoTimestamp, Type.Null()], { description: 'the second approval or the decline' }),
  decisionSeconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'from the request to the decision' }),
}, { additionalProperties: false });
export type ChangeRequest = Static<typeof ChangeRequest>;

/** A request as a list shows it. */
export const ChangeSummary = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  kind: Type.Union([Type.Literal('exception'), Type.Literal('exception-end'), Type.Literal('config'), Type.Literal('investigation'), Type.Literal('device-group')]),
  title: Type.String({ description: 'one line: "Allow www.youtube.com on Staff, Pupils until 19 Dec"' }),
  requestedBy: Type.String(),
  requestedAt: IsoTimestamp,
  status: ChangeStatus,
  approvals: Type.Integer({ minimum: 0, maximum: 2 }),
  // Who approved, on the line so a list can tell which requests wait for its reader's approval
  // without reading each request. Left off a line whose details the reader may not see (an
  // investigation request to the IT provider): it says no more than the count.
  approvedBy: Type.Optional(Type.Array(Type.String(), { maxItems: 2, description: 'the approvers so far (actors), in order; absent on an investigation request listed without its details' })),
  headApproved: Type.Optional(Type.Boolean({ description: 'a headteacher is among those approvals; absent where approvedBy is' })),
  needsHead: Type.Boolean(),
  decidedAt: Type.Union([IsoTimestamp, Type.Null()]),
}, { additionalProperties: false });
export type ChangeSummary = Static<typeof ChangeSummary>;

// The control methods' parameters (`schoolgate changes …` and the pages, called in-process as
// account:USERNAME). Their results: ChangeListView, ChangeRequest, ExceptionListView.
const RequestId = Type.Integer({ minimum: 1, description: 'the change request number' });
export const ChangeListParams = Type.Object({
  status: Type.Optional(ChangeStatus),
  mine: Type.Optional(Type.Boolean({ description: "only the caller's own requests" })),
}, { additionalProperties: false });
export type ChangeListParams = Static<typeof ChangeListParams>;
export const ChangeListView = Type.Object({
  changes: Type.Array(ChangeSummary, { description: 'awaiting approval first (oldest first), then approved, then the rest newest first' }),
  /** How many accounts other than a requester could approve: fewer than two means no request can be approved. */
  approvers: Type.Integer({ minimum: 0 }),
}, { additionalProperties: false });
export type ChangeListView = Static<typeof ChangeListView>;
export const ChangeIdParams = Type.Object({ id: RequestId }, { additionalProperties: false });
export type ChangeIdParams = Static<typeof ChangeIdParams>;
export const ChangeNoteFields = Type.Object({ note: Type.Optional(Type.String({ maxLength: NOTE_MAX })) }, { additionalProperties: false });
export const ChangeNoteParams = Type.Object({ id: RequestId, ...ChangeNoteFields.properties }, { additionalProperties: false });
export type ChangeNoteParams = Static<typeof ChangeNoteParams>;
export const ChangeDeclineFields = Type.Object({ note: Type.String({ minLength: 3, maxLength: NOTE_MAX, description: 'why it is declined (the requester is told)' }) }, { additionalProperties: false });
export const ChangeDeclineParams = Type.Object({ id: RequestId, ...ChangeDeclineFields.properties }, { additionalProperties: false });
export type ChangeDeclineParams = Static<typeof ChangeDeclineParams>;
export const ChangeUpstreamFields = Type.Object({
  reference: Type.String({ minLength: 1, maxLength: REFERENCE_MAX, description: "the filtering provider's reference for the change" }),
  note: Type.Optional(Type.String({ maxLength: NOTE_MAX })),
}, { additionalProperties: false });
export const ChangeUpstreamParams = Type.Object({ id: RequestId, ...ChangeUpstreamFields.properties }, { additionalProperties: false });
export type ChangeUpstreamParams = Static<typeof ChangeUpstreamParams>;

/** An exception in force (or past its expiry, until removed), as the pages and `schoolgate changes exceptions` show it. */
export const ExceptionView = Type.Object({
  id: Type.String(),
  domain: Type.String(),
  action: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
  where: Type.String({ description: 'the networks, groups and devices in words: "Staff, Pupils (Year 6 only)", "Pupils, for Sam\'s watch (aa:bb:cc:dd:ee:ff) only" or "every network"' }),
  networks: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'network ids, null for every network' }),
  groups: Type.Union([Type.Array(Type.String()), Type.Null()]),
  devices: Type.Union([Type.Array(Type.Object({
    mac: Type.String(),
    name: Type.Union([Type.String(), Type.Null()], { description: "the device's name in the devices table; null when it has none or has not joined yet" }),
  }, { additionalProperties: false })), Type.Null()], { description: 'the only devices it applies to; null for every device' }),
  reason: Type.String(),
  requestedBy: Type.String(),
  expires: Type.Union([IsoTimestamp, Type.Null()]),
  expired: Type.Boolean(),
  changeRequest: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'the change request that made it, when one did' }),
}, { additionalProperties: false });
export type ExceptionView = Static<typeof ExceptionView>;
export const ExceptionListView = Type.Object({
  exceptions: Type.Array(ExceptionView),
  timezone: Type.String({ description: "the school's time zone: an end date a person gives (the CLI's --until) is on its clocks" }),
}, { additionalProperties: false });
export type ExceptionListView = Static<typeof ExceptionListView>;
