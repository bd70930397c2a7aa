// Investigation mode's shapes (the school policies: investigating a concern needs a named device,
// a time limit, reduced filtering, senior staff involved, and everything the device does
// recorded). An investigation is asked for through change control (two senior accounts, each a
// headteacher or a DSL, neither the requester), runs on one device until an expiry, and ends with every lookup the device made
// saved as a CSV attachment on its incident. One file, so the change requests, the control
// methods, `schoolgate investigations --json` and the pages name the same fields; the web UI
// imports types only.
import { Type, type Static } from 'typebox';
import { Id } from '../../config/schema-common.ts';
import { IsoTimestamp, MacAddress } from '../../state/schemas.ts';

/** The longest an investigation may run; it may also not outlast the query log's retention. */
export const INVESTIGATION_DAYS_MAX = 14;
export const END_NOTE_MAX = 500;

/** What a change request proposes: one device under another policy until a time, for an open incident. */
export const InvestigationProposal = Type.Object({
  kind: Type.Literal('investigation'),
  incidentId: Type.Integer({ minimum: 1, description: 'the open incident it investigates (its evidence is attached there)' }),
  device: MacAddress,
  policy: Id,
  until: IsoTimestamp,
}, { additionalProperties: false, description: "reduced filtering for one device while a concern is investigated: the policy the device has meanwhile (illegal-content lists still block), until when (at most 14 days ahead and within the query log's retention)" });
export type InvestigationProposal = Static<typeof InvestigationProposal>;

export const INVESTIGATION_STATUSES = ['in-force', 'ended', 'expired'] as const;
export const InvestigationStatus = Type.Union([Type.Literal('in-force'), Type.Literal('ended'), Type.Literal('expired')], {
  description: 'in force from its approval until its expiry; ended early by a senior account or a technician; expired at its time',
});
export type InvestigationStatus = Static<typeof InvestigationStatus>;

/** The words each surface shows for a status. */
export const INVESTIGATION_STATUS_LABELS: Readonly<Record<InvestigationStatus, string>> = {
  'in-force': 'In force',
  ended: 'Ended early',
  expired: 'Expired',
};

/** One saving of the evidence: the CSV attached to the incident and what it holds. */
export const InvestigationEvidence = Type.Object({
  attachmentId: Type.Integer({ minimum: 1, description: "the incident timeline's attachment entry" }),
  at: IsoTimestamp,
  upTo: IsoTimestamp,
  lookups: Type.Integer({ minimum: 0, description: 'how many lookups the CSV lists' }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: "the CSV's SHA-256, as recorded on the timeline" }),
  by: Type.String({ description: 'whose action saved it: the senior account that saved it or ended the investigation, or "system" when the gateway saved it at the expiry (or after a failed try)' }),
}, { additionalProperties: false });
export type InvestigationEvidence = Static<typeof InvestigationEvidence>;

/** An investigation as every surface shows it. Its number is the change request's that started it. */
export const Investigation = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  incidentId: Type.Integer({ minimum: 1 }),
  device: MacAddress,
  deviceName: Type.Union([Type.String(), Type.Null()], { description: "the device's friendly name or host name, when it has one" }),
  policy: Type.String(),
  policyName: Type.String({ description: "the policy's name (its id when the policy is gone)" }),
  from: IsoTimestamp,
  until: IsoTimestamp,
  endedAt: Type.Union([IsoTimestamp, Type.Null()], { description: 'when it ended early or expired' }),
  endedBy: Type.Union([Type.String(), Type.Null()], { description: 'account:USERNAME or ssh:USER who ended it early; "system" on expiry' }),
  status: InvestigationStatus,
  requestId: Type.Integer({ minimum: 1 }),
  requestedBy: Type.String(),
  approvedBy: Type.Array(Type.String(), { description: 'the two senior accounts that approved it, each a headteacher or a DSL (account:USERNAME)' }),
  evidence: Type.Array(InvestigationEvidence, { description: 'each saving, oldest first' }),
}, { additionalProperties: false });
export type Investigation = Static<typeof Investigation>;

// The control methods' parameters (`schoolgate investigations …` and the pages) and results.
export const InvestigationListParams = Type.Object({
  incidentId: Type.Optional(Type.Integer({ minimum: 1, description: "only this incident's investigations" })),
  status: Type.Optional(InvestigationStatus),
}, { additionalProperties: false });
export type InvestigationListParams = Static<typeof InvestigationListParams>;

export const InvestigationListView = Type.Object({
  investigations: Type.Array(Investigation, { description: 'in force first (soonest expiry first), then the rest newest first' }),
  timezone: Type.String({ description: "the school's time zone, for showing times" }),
}, { additionalProperties: false });
export type InvestigationListView = Static<typeof InvestigationListView>;

const InvestigationId = Type.Integer({ minimum: 1, description: 'the investigation number (its change request number)' });
export const InvestigationIdParams = Type.Object({ id: InvestigationId }, { additionalProperties: false });
export type InvestigationIdParams = Static<typeof InvestigationIdParams>;

export const InvestigationEndFields = Type.Object({
  note: Type.Optional(Type.String({ maxLength: END_NOTE_MAX, description: 'why it ends early (recorded on the incident)' })),
}, { additionalProperties: false });
export const InvestigationEndParams = Type.Object({ id: InvestigationId, ...InvestigationEndFields.properties }, { additionalProperties: false });
export type InvestigationEndParams = Static<typeof InvestigationEndParams>;

/** `investigations.end` and `investigations.save-evidence` answer with the investigation as it now is. */
export const InvestigationResult = Investigation;
export type InvestigationResult = Investigation;
