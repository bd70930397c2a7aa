// The alerts page's API: the stored alerts (the shape `schoolgate alerts --json` prints) with the
// page's filters, and an acknowledgement with its note (the logic of `schoolgate alerts ack`).
import { Type, type Static } from 'typebox';
import { AlertKind, AlertSeverity } from '../../monitor/alerts/alert-schema.ts';

export { AlertListView } from '../../monitor/alerts/alert-methods.ts';

export const AlertsQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('all')], { description: 'open (the default), or all including acknowledged ones' })),
  severity: Type.Optional(AlertSeverity),
  kind: Type.Optional(AlertKind),
  network: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });
export type AlertsQuery = Static<typeof AlertsQuery>;

export const AlertAckBody = Type.Object({
  note: Type.String({ minLength: 1, maxLength: 2000, description: 'what was done about it, for the review' }),
}, { additionalProperties: false });
export type AlertAckBody = Static<typeof AlertAckBody>;

export const AlertIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
