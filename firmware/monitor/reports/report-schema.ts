// The shapes of the governors' reports and the exports (reports/*.ts): the control methods, the
// admin API, the CLI's --json and the Reports page take these, described once. The governor
// report and the assurance summary hold counts, rates, dates and configuration ids only: there
// is no field in them a pupil's MAC, address, device name, owner or a visitor's name could go in.
import { Type, type Static, type TSchema } from 'typebox';
import { AlertKind } from '../alerts/alert-schema.ts';

export const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: "a day of the school's calendar, YYYY-MM-DD" });

const Share = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'a fraction from 0 to 1; null when there was nothing to divide' });
const Count = Type.Integer({ minimum: 0 });
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$', description: 'a configuration id (network, category), never a person or device' });

export const ReportSpan = Type.Object({
  from: Day,
  to: Day,
  timezone: Type.String({ description: "the school's time zone, whose days these are" }),
}, { additionalProperties: false, description: 'the days covered: `from` included, `to` included' });
export type ReportSpan = Static<typeof ReportSpan>;

export const CategoryFiltering = Type.Object({
  category: Type.String({ maxLength: 64, description: "a category id; '' for names in no category" }),
  questions: Count,
  blocked: Count,
  blockedShare: Share,
}, { additionalProperties: false });

export const NetworkFiltering = Type.Object({
  network: Type.String({ maxLength: 64, description: "a network id; '' for questions from no known network" }),
  networkName: Type.String({ maxLength: 120 }),
  questions: Count,
  blocked: Count,
  blockedShare: Share,
  categories: Type.Array(CategoryFiltering, { description: 'most questions first' }),
}, { additionalProperties: false });
export type NetworkFiltering = Static<typeof NetworkFiltering>;

export const OutcomeCount = Type.Object({
  outcome: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9-]*$', description: 'an outcome code (no-concern, spoke-to-pupil, …), never free text' }),
  count: Count,
}, { additionalProperties: false });
export type OutcomeCount = Static<typeof OutcomeCount>;

export const SeverityCounts = Type.Object({ critical: Count, high: Count, medium: Count, low: Count }, { additionalProperties: false });
export type SeverityCounts = Static<typeof SeverityCounts>;

export const SelftestRate = Type.Object({
  network: Id,
  networkName: Type.String({ maxLength: 120 }),
  runs: Count,
  runsPassed: Count,
  passRate: Share,
  lastRun: Type.Union([Type.String(), Type.Null()], { description: 'the last run in the span, ISO-8601 UTC' }),
}, { additionalProperties: false });
export type SelftestRate = Static<typeof SelftestRate>;

/** A section another part of Schoolgate records: null until it is wired in ("not recorded yet"). */
const Recorded = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const GovernorReport = Type.Object({
  site: Type.String({ maxLength: 120 }),
  span: ReportSpan,
  generatedAt: Type.String(),
  filtering: Type.Object({
    questions: Count,
    blocked: Count,
    blockedShare: Share,
    networks: Type.Array(NetworkFiltering),
  }, { additionalProperties: false }),
  alerts: Type.Object({
    total: Count,
    bySeverity: SeverityCounts,
    byKind: Type.Array(Type.Object({ kind: AlertKind, count: Count }, { additionalProperties: false })),
    acknowledged: Count,
    open: Count,
    byOutcome: Recorded(Type.Array(OutcomeCount, { description: "the weekly review's outcomes of the span's alerts" })),
  }, { additionalProperties: false }),
  selftest: Type.Array(SelftestRate),
  visitors: Type.Object({
    visitors: Count,
    devices: Count,
  }, { additionalProperties: false, description: 'how many visitors (and their devices) signed in to guest Wi-Fi: counts, never names' }),
  incidents: Recorded(Type.Object({
    opened: Count,
    byOutcome: Type.Array(OutcomeCount),
  }, { additionalProperties: false })),
  reviews: Recorded(Type.Object({
    weeks: Count,
    signedOff: Count,
    signedOffLate: Count,
  }, { additionalProperties: false })),
}, { additionalProperties: false });
export type GovernorReport = Static<typeof GovernorReport>;

export const LastReview = Type.Object({
  week: Day,
  signedOffAt: Type.String(),
  by: Type.String({ maxLength: 120, description: 'the member of staff who signed it off' }),
  onBehalfOf: Type.Union([Type.String({ maxLength: 120 }), Type.Null()], { description: 'the headteacher, when a delegate reviewed' }),
}, { additionalProperties: false });
export type LastReview = Static<typeof LastReview>;

export const AssuranceSummary = Type.Object({
  site: Type.String({ maxLength: 120 }),
  timezone: Type.String(),
  generatedAt: Type.String(),
  reviews: Recorded(Type.Object({
    last: Type.Union([LastReview, Type.Null()], { description: 'null: none signed off yet' }),
    streakWeeks: Count,
  }, { additionalProperties: false })),
  selftestDays: Type.Integer({ minimum: 1 }),
  selftest: Type.Array(SelftestRate),
  openAlerts: SeverityCounts,
  incidents: Recorded(Type.Object({ openIncidents: Count, openActions: Count }, { additionalProperties: false })),
  nextAnnualReview: Type.Union([Type.Object({
    date: Day,
    source: Type.Union([Type.Literal('configuration'), Type.Literal('annual-pack')]),
  }, { additionalProperties: false }), Type.Null()]),
  auditChain: Type.Object({
    verified: Type.Boolean(),
    entries: Count,
    head: Type.String(),
  }, { additionalProperties: false }),
}, { additionalProperties: false });
export type AssuranceSummary = Static<typeof AssuranceSummary>;

export const GovernorReportParams = Type.Object({
  from: Type.Optional(Day),
  to: Type.Optional(Day),
}, { additionalProperties: false, description: 'the days to cover (both included); by default the last 30 days to yesterday' });
export type GovernorReportParams = Static<typeof GovernorReportParams>;

export const ExportSubject = Type.Union([
  Type.Object({ kind: Type.Literal('device'), mac: Type.String({ minLength: 11, maxLength: 17 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('visitor'), name: Type.String({ minLength: 1, maxLength: 120 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('range') }, { additionalProperties: false }),
], { description: "one device's records, one visitor's, or everyone's in the days given" });
export type ExportSubject = Static<typeof ExportSubject>;

export const RecordsExportParams = Type.Object({
  subject: ExportSubject,
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')], { description: 'default csv' })),
  passphrase: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'encrypt the export with this (at least 10 characters); it is never stored or logged' })),
}, { additionalProperties: false });
export type RecordsExportParams = Static<typeof RecordsExportParams>;

export const SealedFile = Type.Object({
  fileName: Type.String(),
  mediaType: Type.String(),
  bodyBase64: Type.String({ description: 'the sealed file (docs/export-format.md), base64' }),
  contentSha256: Type.String(),
  records: Type.Integer({ minimum: 0, description: 'rows in the export' }),
  encrypted: Type.Boolean(),
}, { additionalProperties: false });
export type SealedFile = Static<typeof SealedFile>;

export const GovernorSendResult = Type.Object({
  relay: Type.Boolean({ description: 'whether an e-mail relay (alerts.email) is configured: without one nothing can be sent' }),
  sent: Type.Array(Type.String(), { description: 'the addresses the report reached' }),
  failed: Type.Array(Type.Object({ to: Type.String(), error: Type.String() }, { additionalProperties: false })),
  span: ReportSpan,
}, { additionalProperties: false });
export type GovernorSendResult = Static<typeof GovernorSendResult>;
