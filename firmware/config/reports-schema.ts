// The `reports` section: when the anonymised governor report is sent and to whom, and the next
// annual review's date until the annual review pack plans it. Optional: without it no report is
// sent on a schedule (it can still be made on demand).
import { Type, type Static } from 'typebox';
import { EmailAddress } from './alerts-schema.ts';
import { Hhmm } from './schema-common.ts';

export const GovernorReportSettings = Type.Object({
  schedule: Type.Union([Type.Literal('off'), Type.Literal('monthly'), Type.Literal('termly')], {
    description: 'monthly: on the 1st, covering the month before; termly: on 1 January, 1 May and 1 September, covering the four months before; off: on demand only',
  }),
  at: Type.Optional(Hhmm),
  toRoleHolders: Type.Optional(Type.Boolean({ description: 'also send it to every account holding reports.anonymised (governors, head, DSL, online-safety lead) that has an e-mail address (default true)' })),
  recipients: Type.Optional(Type.Array(EmailAddress, { maxItems: 20, description: 'further addresses (the trust\'s reviewer, the clerk to the governors)' })),
}, { additionalProperties: false, description: 'the anonymised governor/trust report, sent by e-mail through the alerts.email relay' });
export type GovernorReportSettings = Static<typeof GovernorReportSettings>;

export const ReportsSettings = Type.Object({
  governor: Type.Optional(GovernorReportSettings),
  nextAnnualReview: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'the day governors next review filtering and monitoring (YYYY-MM-DD), shown on the assurance summary' })),
}, { additionalProperties: false });
export type ReportsSettings = Static<typeof ReportsSettings>;
