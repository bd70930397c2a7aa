// The shapes of a subject-access export and of an erasure's result (subject-access.ts): what the
// control methods return and `schoolgate data export` writes, described once.
import { Type, type Static } from 'typebox';
import { AuditEntry } from '../../control/audit-chain.ts';
import { Alert } from '../alerts/alert-schema.ts';
import { QueryEventSchema } from '../../dns/events/events-schema.ts';
import { Device, IsoTimestamp, Lease, NetworkEvent } from '../../state/schemas.ts';

export const SubjectKind = Type.Union([Type.Literal('device'), Type.Literal('address')], {
  description: 'device: a MAC address; address: a client address DHCP never named (a fixed address), whose records are kept under it',
});
export type SubjectKind = Static<typeof SubjectKind>;

export const SubjectParams = Type.Object({
  kind: SubjectKind,
  value: Type.String({ minLength: 1, maxLength: 64, description: 'the MAC address or the IP address' }),
}, { additionalProperties: false });
export type SubjectParams = Static<typeof SubjectParams>;

export const ExportParams = Type.Object({
  subject: SubjectParams,
  since: Type.Optional(IsoTimestamp),
}, { additionalProperties: false });
export type ExportParams = Static<typeof ExportParams>;

export const RollupRowSchema = Type.Object({
  period: Type.Union([Type.Integer({ description: 'start of the hour, ms since the epoch' }), Type.String({ description: "the school's day, YYYY-MM-DD" })]),
  network: Type.String({ description: "'' when the question came from no known network" }),
  device: Type.String(),
  category: Type.String({ description: "'' when the name is in no category" }),
  verdict: Type.String(),
  count: Type.Integer({ minimum: 1 }),
}, { additionalProperties: false });

/** A DNS question as kept, and on guest the visitor and sponsor behind the device then. */
export const ExportedQueryEvent = Type.Object({
  ...QueryEventSchema.properties,
  visitor: Type.Optional(Type.String({ description: 'on guest: "visitor NAME (ORG), sponsored by STAFF", from the voucher the device was signed in with at the time' })),
}, { additionalProperties: false });
export type ExportedQueryEvent = Static<typeof ExportedQueryEvent>;

/** A time the device was signed in on guest, and whom its voucher named. */
export const GuestVisit = Type.Object({
  networkId: Type.Union([Type.String(), Type.Null()]),
  from: IsoTimestamp,
  until: IsoTimestamp,
  visitor: Type.String({ description: '"visitor NAME (ORG), sponsored by STAFF" (or the office\'s voucher label and who issued it)' }),
}, { additionalProperties: false });
export type GuestVisit = Static<typeof GuestVisit>;

export const SubjectExport = Type.Object({
  subject: SubjectParams,
  exportedAt: IsoTimestamp,
  since: Type.Union([IsoTimestamp, Type.Null()], { description: 'only records from this instant on (the device record and its leases are whole); null for everything kept' }),
  device: Type.Union([Device, Type.Null()], { description: 'the device record, or null (an address, or a MAC never seen or erased)' }),
  leases: Type.Array(Lease, { description: 'DHCP leases the device holds or held' }),
  networkEvents: Type.Array(NetworkEvent, { description: 'network events of the device or whose details name it, oldest first' }),
  guestVisits: Type.Array(GuestVisit, { description: 'the times a device was signed in on guest, with the visitor and sponsor: the visitor records the questions are joined to' }),
  queryEvents: Type.Array(ExportedQueryEvent, { description: 'every DNS question still kept (retention.queryEventsDays), oldest first' }),
  hourlyRollups: Type.Array(RollupRowSchema, { description: 'questions counted per hour, network, category and verdict' }),
  dailyRollups: Type.Array(RollupRowSchema, { description: "questions counted per school day" }),
  alerts: Type.Array(Alert, { description: 'alerts raised about the device (or kept under the address), open and acknowledged, oldest first; with since, those last raised from then on' }),
  auditEntries: Type.Array(AuditEntry, { description: 'audit log entries whose subject it is or whose details name it (changes to the device, earlier exports, an erasure)' }),
}, { additionalProperties: false });
export type SubjectExport = Static<typeof SubjectExport>;

export const ERASE_REASON_MAX = 500;

export const EraseParams = Type.Object({
  subject: SubjectParams,
  reason: Type.String({ minLength: 3, maxLength: ERASE_REASON_MAX, description: 'why (the request it answers), kept in the audit log' }),
}, { additionalProperties: false });
export type EraseParams = Static<typeof EraseParams>;

/** What an erasure deleted: counts and kinds, never the content. The audit entry's details. */
export const Erased = Type.Object({
  device: Type.Boolean({ description: 'the device row was deleted' }),
  leases: Type.Integer({ minimum: 0 }),
  networkEvents: Type.Record(Type.String(), Type.Integer({ minimum: 1 }), { description: 'deleted network events per kind' }),
  queryEvents: Type.Integer({ minimum: 0 }),
  hourlyRollups: Type.Integer({ minimum: 0 }),
  dailyRollups: Type.Integer({ minimum: 0 }),
  // A count only, not per kind: the audit log is kept for good, and "dns.restricted: 2" beside a
  // MAC would keep a fact about a child that the erasure was asked to remove.
  alerts: Type.Integer({ minimum: 0, description: 'deleted alerts (acknowledged ones: an open alert stops the erasure)' }),
  reason: Type.String(),
}, { additionalProperties: false });
export type Erased = Static<typeof Erased>;

export const EraseResult = Type.Object({
  erased: Erased,
  auditSeq: Type.Integer({ minimum: 1, description: 'the audit entry that records the erasure' }),
}, { additionalProperties: false });
export type EraseResult = Static<typeof EraseResult>;
