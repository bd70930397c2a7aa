// The incident log's shapes: the paper log's fields as timeline entries, the folded view every
// surface shows (CLI, API, pages, export), and the anonymised shape governors' reports count.
// One file, so state.db, the control methods, `schoolgate incidents --json` and the pages name the
// same fields. The web UI imports types only.
import { Type, type Static } from 'typebox';
import { IsoTimestamp } from '../../state/schemas.ts';

export const INCIDENT_OUTCOMES = ['no-substance', 'internal-action', 'trust-or-la', 'police'] as const;
export const IncidentOutcome = Type.Union([
  Type.Literal('no-substance'), Type.Literal('internal-action'), Type.Literal('trust-or-la'), Type.Literal('police'),
], { description: 'how the incident ended: no substance, internal action, referred to the trust or local authority, referred to the police' });
export type IncidentOutcome = Static<typeof IncidentOutcome>;

/** The words the paper log uses, for the CLI, the pages and the export. */
export const OUTCOME_LABELS: Readonly<Record<IncidentOutcome, string>> = {
  'no-substance': 'No substance',
  'internal-action': 'Internal action',
  'trust-or-la': 'Referred to the trust or local authority',
  police: 'Referred to the police',
};

export const IncidentSource = Type.Union([Type.Literal('alert'), Type.Literal('report'), Type.Literal('hand')], {
  description: 'opened from an alert, from a block-page report, or by hand',
});
export type IncidentSource = Static<typeof IncidentSource>;

export const IncidentStatus = Type.Union([Type.Literal('open'), Type.Literal('closed')], { description: 'closed once signed off' });
export type IncidentStatus = Static<typeof IncidentStatus>;

export const TEXT_MAX = 4000;
const Text = (description: string, minLength = 1) => Type.String({ minLength, maxLength: TEXT_MAX, description });
const Line = (description: string, maxLength = 200) => Type.String({ minLength: 1, maxLength, description });

/** The alert's facts as they were when the incident was opened (alerts are purged by retention). */
export const LinkedAlert = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  kind: Type.String(),
  severity: Type.String(),
  firstAt: Type.String(),
  lastAt: Type.String(),
  count: Type.Integer({ minimum: 1 }),
  networkId: Type.Union([Type.String(), Type.Null()]),
  device: Type.Union([Type.String(), Type.Null()], { description: "the device's name, else its MAC, else its address" }),
  mac: Type.Union([Type.String(), Type.Null()]),
  subject: Type.String({ description: 'what was looked up or seen, inert text (a restricted entry is never shown)' }),
  reason: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
}, { additionalProperties: false });
export type LinkedAlert = Static<typeof LinkedAlert>;

/** The block-page report's facts as they were when the incident was opened. */
export const LinkedReport = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  at: Type.String(),
  blockedAt: Type.String(),
  networkId: Type.String(),
  mac: Type.Union([Type.String(), Type.Null()]),
  address: Type.String(),
  name: Type.Union([Type.String(), Type.Null()], { description: 'null for a restricted list' }),
  category: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(),
  comment: Type.String(),
}, { additionalProperties: false });
export type LinkedReport = Static<typeof LinkedReport>;

// Each kind of timeline entry: what its body holds. The timeline is the record; nothing is updated.
export const OpenedBody = Type.Object({
  occurredAt: IsoTimestamp,
  what: Text('what happened'),
  people: Type.String({ maxLength: TEXT_MAX, description: "people involved, free text (pupils by the school's own reference); may be empty" }),
  reportedBy: Line('who reported it: an account, "system", or a name'),
  alert: Type.Optional(LinkedAlert),
  report: Type.Optional(LinkedReport),
}, { additionalProperties: false });
export const NoteBody = Type.Object({ text: Text('investigation notes') }, { additionalProperties: false });
export const ActionBody = Type.Object({
  what: Text('what was done or is to be done'),
  by: Line('who does it'),
  at: IsoTimestamp,
  itProvider: Type.Boolean({ description: 'a task for the IT provider ("refer to technical support"), open until marked done' }),
}, { additionalProperties: false });
export const TaskDoneBody = Type.Object({
  action: Type.Integer({ minimum: 1, description: 'the action entry this task was' }),
  note: Type.String({ maxLength: TEXT_MAX, description: 'what the IT provider did' }),
}, { additionalProperties: false });
export const OutcomeBody = Type.Object({ outcome: IncidentOutcome, note: Type.String({ maxLength: TEXT_MAX }) }, { additionalProperties: false });
export const AttachmentBody = Type.Object({
  description: Text('what the attachment shows'),
  fileName: Line('the name it was uploaded under', 120),
  mediaType: Type.Union([Type.Literal('image/png'), Type.Literal('image/jpeg'), Type.Literal('text/csv')], { description: 'a screenshot (uploaded), or an investigation\'s evidence (CSV, written by the gateway)' }),
  bytes: Type.Integer({ minimum: 1 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
}, { additionalProperties: false });
export const SignOffBody = Type.Object({ note: Type.String({ maxLength: TEXT_MAX }) }, { additionalProperties: false });
export const CorrectionBody = Type.Object({
  corrects: Type.Integer({ minimum: 1, description: 'the entry this corrects (which stays on the timeline)' }),
  text: Text('the corrected wording, or what was wrong'),
  reason: Text('why it is corrected'),
}, { additionalProperties: false });

export const EntryKind = Type.Union([
  Type.Literal('opened'), Type.Literal('note'), Type.Literal('action'), Type.Literal('task-done'), Type.Literal('outcome'),
  Type.Literal('attachment'), Type.Literal('sign-off'), Type.Literal('correction'),
]);
export type EntryKind = Static<typeof EntryKind>;

export const BODY_OF = {
  opened: OpenedBody, note: NoteBody, action: ActionBody, 'task-done': TaskDoneBody, outcome: OutcomeBody,
  attachment: AttachmentBody, 'sign-off': SignOffBody, correction: CorrectionBody,
} as const;
export type EntryBodies = { [K in keyof typeof BODY_OF]: Static<(typeof BODY_OF)[K]> };

export const IncidentEntry = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  incidentId: Type.Integer({ minimum: 1 }),
  at: IsoTimestamp,
  by: Type.String({ description: 'who recorded it: account:USERNAME, ssh:USER or system' }),
  kind: EntryKind,
  body: Type.Record(Type.String(), Type.Unknown(), { description: "the kind's fields" }),
  correctedBy: Type.Array(Type.Integer(), { description: 'later correction entries naming this one' }),
}, { additionalProperties: false });
export type IncidentEntry = Static<typeof IncidentEntry>;

export const IncidentAction = Type.Object({
  entry: Type.Integer({ minimum: 1 }),
  ...ActionBody.properties,
  recordedBy: Type.String(),
  task: Type.Union([Type.Null(), Type.Object({
    status: Type.Union([Type.Literal('open'), Type.Literal('done')]),
    doneAt: Type.Union([IsoTimestamp, Type.Null()]),
    doneBy: Type.Union([Type.String(), Type.Null()], { description: 'who closed it' }),
    note: Type.Union([Type.String(), Type.Null()]),
  })], { description: 'null unless it is a task for the IT provider' }),
}, { additionalProperties: false });
export type IncidentAction = Static<typeof IncidentAction>;

/** An incident as the paper log shows it: the timeline folded into its fields, with the timeline itself. */
export const Incident = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  openedAt: IsoTimestamp,
  openedBy: Type.String(),
  source: IncidentSource,
  alertId: Type.Union([Type.Integer(), Type.Null()]),
  reportId: Type.Union([Type.Integer(), Type.Null()]),
  status: IncidentStatus,
  occurredAt: IsoTimestamp,
  what: Type.String(),
  people: Type.String(),
  reportedBy: Type.String(),
  alert: Type.Union([LinkedAlert, Type.Null()]),
  report: Type.Union([LinkedReport, Type.Null()]),
  notes: Type.Array(Type.Object({ entry: Type.Integer(), at: IsoTimestamp, by: Type.String(), text: Type.String() })),
  actions: Type.Array(IncidentAction),
  attachments: Type.Array(Type.Object({ entry: Type.Integer(), at: IsoTimestamp, by: Type.String(), ...AttachmentBody.properties })),
  outcome: Type.Union([Type.Object({ entry: Type.Integer(), at: IsoTimestamp, by: Type.String(), outcome: IncidentOutcome, note: Type.String() }), Type.Null()]),
  signOff: Type.Union([Type.Object({ entry: Type.Integer(), at: IsoTimestamp, by: Type.String(), note: Type.String() }), Type.Null()]),
  openTasks: Type.Integer({ minimum: 0 }),
  timeline: Type.Array(IncidentEntry, { description: 'every entry, oldest first; nothing is ever removed' }),
}, { additionalProperties: false });
export type Incident = Static<typeof Incident>;

/** One line of the list. */
export const IncidentSummary = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  openedAt: IsoTimestamp,
  occurredAt: IsoTimestamp,
  source: IncidentSource,
  alertId: Type.Union([Type.Integer(), Type.Null()], { description: 'the alert it was opened from' }),
  status: IncidentStatus,
  what: Type.String({ description: 'the first line of what happened' }),
  reportedBy: Type.String(),
  outcome: Type.Union([IncidentOutcome, Type.Null()]),
  openTasks: Type.Integer({ minimum: 0 }),
  signedOffAt: Type.Union([IsoTimestamp, Type.Null()]),
}, { additionalProperties: false });
export type IncidentSummary = Static<typeof IncidentSummary>;

/** An IT-provider task, for the technician's list: the task's words and its incident's number only. */
export const IncidentTask = Type.Object({
  incidentId: Type.Integer({ minimum: 1 }),
  action: Type.Integer({ minimum: 1 }),
  what: Type.String(),
  by: Type.String(),
  at: IsoTimestamp,
  recordedBy: Type.String(),
}, { additionalProperties: false });
export type IncidentTask = Static<typeof IncidentTask>;

/**
 * An incident for governors and the annual pack: no text anyone typed (it may name a pupil), no
 * device, no account; only what kind of thing happened, when, and how it ended.
 */
export const AnonymisedIncident = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  occurredAt: IsoTimestamp,
  openedAt: IsoTimestamp,
  source: IncidentSource,
  alertKind: Type.Union([Type.String(), Type.Null()]),
  category: Type.Union([Type.String(), Type.Null()]),
  status: IncidentStatus,
  outcome: Type.Union([IncidentOutcome, Type.Null()]),
  actions: Type.Integer({ minimum: 0 }),
  itTasks: Type.Integer({ minimum: 0 }),
  openTasks: Type.Integer({ minimum: 0 }),
  signedOffAt: Type.Union([IsoTimestamp, Type.Null()]),
}, { additionalProperties: false });
export type AnonymisedIncident = Static<typeof AnonymisedIncident>;
