// The shapes of a visitor's registration: what the portal's form gives, the request waiting for
// its sponsor, and a sponsor's decision. The web UI's API (firmware/admin/api/visitors-schema.ts)
// answers with these same shapes.
import { Type, type Static } from 'typebox';
import { IsoTimestamp, MacAddress } from '../../state/schemas.ts';
import { MAX_DEVICES, REVOKE_REASON_MAX, Visitor, Voucher } from '../vouchers/schema.ts';

export const RequestState = Type.Union([
  Type.Literal('pending'), Type.Literal('approved'), Type.Literal('declined'), Type.Literal('withdrawn'), Type.Literal('lapsed'),
], { description: 'pending: waiting for the sponsor; lapsed: nobody decided in time, the visitor registers again' });
export type RequestState = Static<typeof RequestState>;

/** What the visitor typed on the portal. The sponsor is an account chosen from a list, never free text. */
export const Registration = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  organisation: Type.String({ minLength: 1, maxLength: 120 }),
  purpose: Type.String({ minLength: 1, maxLength: 300 }),
  sponsorId: Type.Integer({ minimum: 1 }),
  email: Type.Union([Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' }), Type.Null()]),
  phone: Type.Union([Type.String({ minLength: 5, maxLength: 40, pattern: '^[0-9+() -]+$' }), Type.Null()]),
  termsVersion: Type.String({ minLength: 1, maxLength: 32 }),
}, { additionalProperties: false });
export type Registration = Static<typeof Registration>;

export const VisitorRequest = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  visitor: Visitor,
  mac: MacAddress,
  address: Type.String({ minLength: 7, maxLength: 15 }),
  networkId: Type.Union([Type.String(), Type.Null()]),
  created: IsoTimestamp,
  state: RequestState,
  decidedAt: Type.Union([IsoTimestamp, Type.Null()]),
  decidedBy: Type.Union([Type.String({ maxLength: 120 }), Type.Null()]),
  reason: Type.Union([Type.String({ maxLength: REVOKE_REASON_MAX }), Type.Null()]),
  voucherId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
}, { additionalProperties: false });
export type VisitorRequest = Static<typeof VisitorRequest>;

/** How long an approved visitor may stay: until the end of the school day, or a number of hours. */
export const Validity = Type.Union([
  Type.Object({ until: Type.Literal('end-of-day') }, { additionalProperties: false }),
  Type.Object({ hours: Type.Integer({ minimum: 1, maximum: 24 * 7 }) }, { additionalProperties: false }),
]);
export type Validity = Static<typeof Validity>;

export const Approval = Type.Object({
  validity: Validity,
  maxDevices: Type.Integer({ minimum: 1, maximum: Math.min(MAX_DEVICES, 5), description: "the visitor's own devices" }),
}, { additionalProperties: false });
export type Approval = Static<typeof Approval>;

export const Reason = Type.Object({ reason: Type.String({ minLength: 3, maxLength: REVOKE_REASON_MAX }) }, { additionalProperties: false });
export type Reason = Static<typeof Reason>;

/** A visitor's record as the visitors page shows it: the request, its voucher and the devices on it. */
export const VisitorRecord = Type.Object({
  request: VisitorRequest,
  voucher: Type.Union([Voucher, Type.Null()]),
}, { additionalProperties: false });
export type VisitorRecord = Static<typeof VisitorRecord>;

export const SPONSOR_CODE_PATTERN = '^[0-9]{6,12}$';
export const SponsorCodeBody = Type.Object({ code: Type.String({ pattern: SPONSOR_CODE_PATTERN, description: '6 to 12 digits' }) }, { additionalProperties: false });
export type SponsorCodeBody = Static<typeof SponsorCodeBody>;

/** How long a regular visitor's access lasts: to the end of the term, or to a date (both renewable). */
export const RegularUntil = Type.Union([
  Type.Object({ term: Type.Literal('current', { description: 'the last day of the current term (in a holiday, of the next)' }) }, { additionalProperties: false }),
  Type.Object({ date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'the last day, YYYY-MM-DD' }) }, { additionalProperties: false }),
]);
export type RegularUntil = Static<typeof RegularUntil>;

/** A regular visitor (a supply teacher for the term, a governor, a visiting specialist), named by their sponsor. */
export const RegularVisitorForm = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' }),
  organisation: Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' }),
  purpose: Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' }),
  until: RegularUntil,
  maxDevices: Type.Integer({ minimum: 1, maximum: 5, description: "the visitor's own devices" }),
}, { additionalProperties: false });
export type RegularVisitorForm = Static<typeof RegularVisitorForm>;

export const Renewal = Type.Object({ until: RegularUntil }, { additionalProperties: false });
export type Renewal = Static<typeof Renewal>;

export const RegularVisitor = Type.Object({ visitor: Visitor, voucher: Voucher }, { additionalProperties: false });
export type RegularVisitor = Static<typeof RegularVisitor>;

export const RegularIssued = Type.Object({
  visitor: Visitor,
  voucher: Voucher,
  code: Type.String({ description: 'shown this once, to be given to the visitor: only its keyed hash is stored' }),
  term: Type.Union([Type.String(), Type.Null()], { description: 'the term it runs to, when it does' }),
}, { additionalProperties: false });
export type RegularIssued = Static<typeof RegularIssued>;
