// The shapes of what people send from the block page: a site report ("should" or "should not be
// blocked", which joins the weekly review and raises an alert) and, on staff networks, a request
// for access (listed on the Change requests page, dismissed there or made into a change request,
// whose decision it then follows). One file, so state.db's repository, the control methods,
// `schoolgate reports --json` and the web UI name the same fields.
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

export const AccessRequestStatus = Type.Union([Type.Literal('open'), Type.Literal('granted'), Type.Literal('refused'), Type.Literal('dismissed')], {
  description: 'open until dismissed, or until the change request made from it is approved (granted) or declined (refused)',
});
export type AccessRequestStatus = Static<typeof AccessRequestStatus>;

export const AccessRequest = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  ...NewAccessRequest.properties,
  status: AccessRequestStatus,
  changeRequest: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'the change request made from it, once one is' }),
  decidedBy: Type.Union([Type.String(), Type.Null()], { description: 'who dismissed it, or the approver whose step decided its change request' }),
  decidedAt: Type.Union([Instant, Type.Null()]),
}, { additionalProperties: false });
export type AccessRequest = Static<typeof AccessRequest>;

/**
 * An open access request as the Change requests page lists it: the network and the device in
 * words, the category's title, and the change request made from it (if one was) with its status.
 */
export const AccessRequestLine = Type.Object({
  ...AccessRequest.properties,
  networkName: Type.String(),
  deviceName: Type.Union([Type.String(), Type.Null()], { description: 'the device table\'s name for its MAC, when it has one' }),
  categoryTitle: Type.Union([Type.String(), Type.Null()]),
  change: Type.Union([Type.Object({
    id: Type.Integer({ minimum: 1 }),
    status: Type.String({ description: 'the change request\'s status (change-schema.ts ChangeStatus)' }),
  }, { additionalProperties: false }), Type.Null()]),
}, { additionalProperties: false });
export type AccessRequestLine = Static<typeof AccessRequestLine>;

export const OpenAccessRequests = Type.Object({
  requests: Type.Array(AccessRequestLine, { description: 'open ones, oldest first' }),
}, { additionalProperties: false });
export type OpenAccessRequests = Static<typeof OpenAccessRequests>;

const AccessRequestId = Type.Integer({ minimum: 1, description: 'the access request number' });
export const AccessRequestIdParams = Type.Object({ id: AccessRequestId }, { additionalProperties: false });
export type AccessRequestIdParams = Static<typeof AccessRequestIdParams>;
export const AccessRequestLinkParams = Type.Object({
  id: AccessRequestId,
  changeRequest: Type.Integer({ minimum: 1, description: 'the change request just made from it, by the caller' }),
}, { additionalProperties: false });
export type AccessRequestLinkParams = Static<typeof AccessRequestLinkParams>;

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
