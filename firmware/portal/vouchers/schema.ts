// The shapes of vouchers, the visitors they are for and the devices signed in with them: what
// state.db holds (firmware/state/vouchers.ts), what the control socket returns and the CLI prints.
// A code is never among them: only its keyed hash is stored, and the code is shown once, at issue.
import { Type, type Static } from 'typebox';
import { Id } from '../../config/schema-common.ts';
import { IsoTimestamp, MacAddress } from '../../state/schemas.ts';

export const VOUCHER_LABEL_MAX = 120;
export const REVOKE_REASON_MAX = 300;
/** A group voucher for a whole event still has a ceiling: a code that leaked cannot sign in a crowd. */
export const MAX_DEVICES = 500;
/** A year: a regular visitor's access is renewed by a sponsor, never open-ended. */
export const MAX_VALID_SECONDS = 366 * 86_400;
/** Codes one group may hold: a printed sheet for a hall, not a way round the per-code limits. */
export const MAX_GROUP_COUNT = 200;
export const GROUP_NAME_MAX = 120;

export const VoucherKind = Type.Union([Type.Literal('single'), Type.Literal('group'), Type.Literal('regular')], {
  description: 'single: one visitor, issued by the office; group: an event or a course, many visitors; regular: a named visitor for a term, renewable',
});
export type VoucherKind = Static<typeof VoucherKind>;

const Kbit = Type.Integer({ minimum: 64, maximum: 100_000_000, description: 'kbit/s' });

export const BandwidthTier = Type.Object({
  downKbit: Type.Union([Kbit, Type.Null()]),
  upKbit: Type.Union([Kbit, Type.Null()]),
}, { additionalProperties: false, description: "caps each device signed in with the voucher gets (null: the guest policy's own)" });
export type BandwidthTier = Static<typeof BandwidthTier>;

export const Voucher = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  kind: VoucherKind,
  label: Type.Union([Type.String({ maxLength: VOUCHER_LABEL_MAX }), Type.Null()], { description: 'who it was given to, as the office wrote it' }),
  visitorId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  groupId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'the group or event it was pre-issued with' }),
  validFrom: IsoTimestamp,
  validUntil: IsoTimestamp,
  maxDevices: Type.Integer({ minimum: 1, maximum: MAX_DEVICES }),
  tier: BandwidthTier,
  policyId: Type.Union([Id, Type.Null()]),
  issuedBy: Type.String({ minLength: 1, maxLength: 120 }),
  issuedAt: IsoTimestamp,
  revokedAt: Type.Union([IsoTimestamp, Type.Null()]),
  revokedBy: Type.Union([Type.String({ maxLength: 120 }), Type.Null()]),
  revokeReason: Type.Union([Type.String({ maxLength: REVOKE_REASON_MAX }), Type.Null()]),
  devicesNow: Type.Integer({ minimum: 0, description: 'devices signed in with it now' }),
}, { additionalProperties: false });
export type Voucher = Static<typeof Voucher>;

/** Vouchers pre-issued together for an event or a course: one record, revoked as one. */
export const VoucherGroup = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  name: Type.String({ minLength: 1, maxLength: GROUP_NAME_MAX, description: 'the event or group, as its sponsor wrote it' }),
  issuedBy: Type.String({ minLength: 1, maxLength: 120, description: 'the sponsor: the account that issued them' }),
  issuedAt: IsoTimestamp,
  validFrom: IsoTimestamp,
  validUntil: IsoTimestamp,
  maxDevices: Type.Integer({ minimum: 1, maximum: MAX_DEVICES, description: 'per voucher' }),
  count: Type.Integer({ minimum: 1, maximum: MAX_GROUP_COUNT }),
  revokedAt: Type.Union([IsoTimestamp, Type.Null()]),
  revokedBy: Type.Union([Type.String({ maxLength: 120 }), Type.Null()]),
  revokeReason: Type.Union([Type.String({ maxLength: REVOKE_REASON_MAX }), Type.Null()]),
  devicesNow: Type.Integer({ minimum: 0, description: 'devices signed in with its vouchers now' }),
}, { additionalProperties: false });
export type VoucherGroup = Static<typeof VoucherGroup>;

export const DeviceEnd = Type.Union([Type.Literal('signed-out'), Type.Literal('revoked'), Type.Literal('expired')]);
export type DeviceEnd = Static<typeof DeviceEnd>;

export const VoucherDevice = Type.Object({
  voucherId: Type.Integer({ minimum: 1 }),
  mac: MacAddress,
  address: Type.String({ minLength: 7, maxLength: 15 }),
  networkId: Type.Union([Id, Type.Null()]),
  firstSeen: IsoTimestamp,
  lastSeen: IsoTimestamp,
  authorisedUntil: IsoTimestamp,
  termsVersion: Type.Union([Type.String({ maxLength: 32 }), Type.Null()]),
  endedAt: Type.Union([IsoTimestamp, Type.Null()]),
  endedReason: Type.Union([DeviceEnd, Type.Null()]),
}, { additionalProperties: false });
export type VoucherDevice = Static<typeof VoucherDevice>;

/** A visitor's record: registration (next) fills it; a voucher for a named visitor points at it. */
export const Visitor = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  name: Type.String({ minLength: 1, maxLength: 120 }),
  organisation: Type.Union([Type.String({ maxLength: 120 }), Type.Null()]),
  purpose: Type.Union([Type.String({ maxLength: 300 }), Type.Null()]),
  email: Type.Union([Type.String({ maxLength: 254 }), Type.Null()]),
  phone: Type.Union([Type.String({ maxLength: 40 }), Type.Null()]),
  sponsorAccount: Type.Union([Type.String({ maxLength: 120 }), Type.Null()], { description: "the sponsor's web UI account id" }),
  sponsorName: Type.Union([Type.String({ maxLength: 120 }), Type.Null()], { description: "the sponsor's name as text: it outlives the account" }),
  termsVersion: Type.Union([Type.String({ maxLength: 32 }), Type.Null()]),
  termsAcceptedAt: Type.Union([IsoTimestamp, Type.Null()]),
  created: IsoTimestamp,
}, { additionalProperties: false });
export type Visitor = Static<typeof Visitor>;

/** Who an office voucher was given to: recorded as a visitor, shown with the voucher. */
export const Recipient = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120, pattern: '\\S', description: "the visitor's name" }),
  organisation: Type.Optional(Type.String({ maxLength: 120, description: 'who they are from (blank: none)' })),
}, { additionalProperties: false });
export type Recipient = Static<typeof Recipient>;

export const NewVoucher = Type.Object({
  kind: VoucherKind,
  label: Type.Optional(Type.String({ minLength: 1, maxLength: VOUCHER_LABEL_MAX })),
  visitorId: Type.Optional(Type.Integer({ minimum: 1 })),
  validFrom: Type.Optional(IsoTimestamp),
  validSeconds: Type.Integer({ minimum: 60, maximum: MAX_VALID_SECONDS }),
  maxDevices: Type.Integer({ minimum: 1, maximum: MAX_DEVICES }),
  tier: Type.Optional(BandwidthTier),
  policyId: Type.Optional(Id),
}, { additionalProperties: false });
export type NewVoucher = Static<typeof NewVoucher>;

/** `status`: the vouchers' policies as DNS applies them. */
export const VoucherPolicyStatus = Type.Object({
  devices: Type.Integer({ minimum: 0, description: "guest devices DNS answers under their voucher's policy now" }),
  missing: Type.Array(Type.Object({
    voucherId: Type.Integer({ minimum: 1 }),
    policyId: Id,
    devices: Type.Integer({ minimum: 0, description: "signed in with it now, answered under their network's policy instead" }),
  }, { additionalProperties: false }), { description: 'vouchers naming a policy the configuration no longer has' }),
}, { additionalProperties: false });
export type VoucherPolicyStatus = Static<typeof VoucherPolicyStatus>;
