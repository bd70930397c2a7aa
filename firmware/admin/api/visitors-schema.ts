// The visitors API's shapes, shared with the web UI (types only there): the sponsors' queue,
// a decision, withdrawal, the records page and the personal sponsor code. The request and record
// shapes are the portal's own (firmware/portal/registration/schema.ts): one definition.
import { Type, type Static } from 'typebox';
import { Approval, Reason, SponsorCodeBody, VisitorRecord, VisitorRequest } from '../../portal/registration/schema.ts';
import { Voucher } from '../../portal/vouchers/schema.ts';

export { Approval, Reason, SponsorCodeBody, VisitorRecord, VisitorRequest };

export const VisitorQueue = Type.Object({
  requests: Type.Array(VisitorRequest),
  pending: Type.Integer({ minimum: 0, description: 'requests waiting for this account (every one for visitors.manage): the navigation shows it' }),
}, { additionalProperties: false });
export type VisitorQueue = Static<typeof VisitorQueue>;

export const ApprovalResult = Type.Object({
  request: VisitorRequest,
  voucher: Voucher,
  deviceOnline: Type.Boolean({ description: 'the device that registered was signed in at once (false: it left the guest Wi-Fi or changed address)' }),
}, { additionalProperties: false });
export type ApprovalResult = Static<typeof ApprovalResult>;

export const SponsorCodeState = Type.Object({ setAt: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false });
export type SponsorCodeState = Static<typeof SponsorCodeState>;
