// The shapes of what people send from the block page: a site report ("should" or "should not be
// blocked", which joins the weekly review and raises an alert) and, on staff networks, a request
// for access (the change-request flow will read these). One file, so state.db's repository, the
// control method, `schoolgate reports --json` and later the web UI name the same fields.
import { Type, type Static } from 'typebox';

const Instant = Type.String({ format: 'date-time' });
const Mac = Type.String({ pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$' });

export const ReportKind = Type.Union([Type.Literal('should-not-be-blocked'), Type.Literal('should-be-blocked')], {
  description: 'what the person reporting thinks',
});
export type ReportKind = Static<typeof ReportKind>;

export const ReportVerdict = Type.Union([Type.Literal('blocked'), Type.Literal('restricted')], {
  description: "the gateway's decision the page showed: restricted means an illegal-content list, whose entries are never stored or shown",
});
export type ReportVerdict = Static<typeof ReportVerdict>;

export const ReportStatus = Type.Union([Type.Literal('open'), Type.Literal('reviewed')]);
export type ReportStatus = Static<typeof ReportStatus>;

const Comment = Type.String({ maxLength: 500 });

/** What the block page's handler hands the store; the store adds id and status. */
export const NewSiteReport = Type.Object({
  at: Instant,
  blockedAt: Instant,
  networkId: Type.String({ minLength: 1, maxLength: 32 }),
  mac: Type.Union([Mac, Type.Null()]),
  address: Type.String({ minLength: 1, maxLength: 45 }),
  name: Type.Union([Type.String({ minLength: 1, maxLength: 253 }), Type.Null()], { description: 'null for a restricted list' }),
  category: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  verdict: ReportVerdict,
  kind: ReportKind,
  comment: Comment,
}, { additionalProperties: false });
export type NewSiteReport = Static<typeof NewSiteReport>;

export const SiteReport = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  ...NewSiteReport.properties,
  blockedAt: Type.String({ description: 'when the page was shown: with the device, how the report is linked to its block event in the query log' }),
  status: ReportStatus,
}, { additionalProperties: false });
export type SiteReport = Static<typeof SiteReport>;

export const NewAccessRequest = Type.Object({
  at: Instant,
  networkId: Type.String({ minLength: 1, maxLength: 32 }),
  mac: Type.Union([Mac, Type.Null()]),
  address: Type.String({ minLength: 1, maxLength: 45 }),
  name: Type.String({ minLength: 1, maxLength: 253 }),
  category: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  reason: Type.String({ minLength: 1, maxLength: 500 }),
}, { additionalProperties: false });
export type NewAccessRequest = Static<typeof NewAccessRequest>;

export const AccessRequest = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  ...NewAccessRequest.properties,
  status: Type.Union([Type.Literal('open'), Type.Literal('granted'), Type.Literal('refused')]),
}, { additionalProperties: false });
export type AccessRequest = Static<typeof AccessRequest>;

/** `schoolgate reports --json`. */
export const ReportsView = Type.Object({
  reports: Type.Array(SiteReport, { description: 'newest first' }),
  requests: Type.Array(AccessRequest, { description: 'newest first' }),
}, { additionalProperties: false });
export type ReportsView = Static<typeof ReportsView>;

export const ReportsParams = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
}, { additionalProperties: false });
export type ReportsParams = Static<typeof ReportsParams>;
