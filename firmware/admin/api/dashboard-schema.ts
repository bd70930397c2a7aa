// The dashboard's shape (GET /api/dashboard): counts over time from the query log's rollups, the
// most blocked categories and devices, open alerts by severity, the lists' freshness and a health
// summary. Counts only: the alerts' subjects are on the alerts page, behind monitoring.view.
import { Type, type Static } from 'typebox';
import { ListSourceKind } from '../../rules/lists-view.ts';
import { Attention } from '../../monitor/attention-schema.ts';

export const DashboardSpan = Type.Union([Type.Literal('today'), Type.Literal('week')], {
  description: "today: the school's day so far, hour by hour; week: the last 7 days (168 hours)",
});
export type DashboardSpan = Static<typeof DashboardSpan>;

export const DashboardQuery = Type.Object({ span: Type.Optional(DashboardSpan) }, { additionalProperties: false });
export type DashboardQuery = Static<typeof DashboardQuery>;

const Count = Type.Integer({ minimum: 0 });
const Instant = Type.String({ format: 'date-time' });

export const DashboardHour = Type.Object({
  hour: Instant,
  questions: Count,
  blocked: Count,
}, { additionalProperties: false });
export type DashboardHour = Static<typeof DashboardHour>;

/** One list as the dashboard and the health page show its freshness. */
export const ListFreshness = Type.Object({
  id: Type.String(),
  name: Type.String(),
  category: Type.String(),
  source: ListSourceKind,
  entries: Count,
  updatedAt: Type.Union([Instant, Type.Null()], { description: "when the list's content last changed" }),
  failed: Type.Boolean({ description: "the list could not be read, or its feed's last download failed (the last good copy is in service)" }),
  problem: Type.Union([Type.String(), Type.Null()], { description: 'why, in words' }),
}, { additionalProperties: false });
export type ListFreshness = Static<typeof ListFreshness>;

export const HealthSummary = Type.Object({
  uptimeSeconds: Type.Number(),
  upstreamsFailing: Type.Array(Type.String(), { description: 'names of the upstream resolvers whose last tries failed' }),
  queryLogWriteErrors: Count,
  firewallError: Type.Union([Type.String(), Type.Null()]),
  problems: Type.Array(Attention, { description: "what needs a technician or the head, each with what to do: the status's attention list; empty when all is well" }),
}, { additionalProperties: false });
export type HealthSummary = Static<typeof HealthSummary>;

export const DashboardView = Type.Object({
  span: DashboardSpan,
  timezone: Type.String(),
  from: Instant,
  to: Instant,
  totals: Type.Object({ questions: Count, blocked: Count }, { additionalProperties: false }),
  hours: Type.Array(DashboardHour, { description: 'every hour of the span up to now, oldest first, zero where nothing was asked' }),
  topCategories: Type.Array(Type.Object({ category: Type.String(), count: Count }, { additionalProperties: false }), { description: 'blocked questions by category, most first' }),
  topDevices: Type.Union([Type.Array(Type.Object({
    network: Type.String(),
    device: Type.String({ description: 'the MAC, or the address of a device DHCP never named' }),
    name: Type.Union([Type.String(), Type.Null()], { description: "the device's name in the device table; on guest, the visitor and sponsor of its voucher" }),
    count: Count,
  }, { additionalProperties: false })), Type.Null()], { description: 'the most blocked devices of each network, most first; null for an account that may not see devices' }),
  alerts: Type.Object({
    open: Type.Object({ critical: Count, high: Count, medium: Count, low: Count }, { additionalProperties: false }),
  }, { additionalProperties: false }),
  lists: Type.Array(ListFreshness),
  health: HealthSummary,
  changes: Type.Union([Type.Object({
    toApprove: Type.Union([Count, Type.Null()], { description: 'change requests waiting for this account\'s approval; null for an account that cannot approve' }),
    toApply: Type.Union([Count, Type.Null()], { description: 'approved changes for the IT provider to apply; null for an account that cannot apply' }),
  }, { additionalProperties: false }), Type.Null()], { description: 'null when this account neither approves nor applies changes, or change control does not answer' }),
}, { additionalProperties: false });
export type DashboardView = Static<typeof DashboardView>;
