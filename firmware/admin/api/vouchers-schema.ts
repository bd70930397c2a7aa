// The vouchers API's shapes, shared with the web UI (types only there): office vouchers (single
// use, who got each), group and event vouchers (a printable sheet, revoked as one) and regular
// visitors (a code for the term, renewable). The voucher, group and visitor shapes are the
// portal's own; a code appears only in the answer that issued it.
import { Type, type Static } from 'typebox';
import { Reason, RegularIssued, RegularUntil, RegularVisitor, RegularVisitorForm, Renewal } from '../../portal/registration/schema.ts';
import { GROUP_NAME_MAX, MAX_GROUP_COUNT, MAX_VALID_SECONDS, Recipient, Visitor, Voucher, VoucherGroup } from '../../portal/vouchers/schema.ts';
import { IsoTimestamp } from '../../state/schemas.ts';

export { Reason, RegularIssued, RegularUntil, RegularVisitor, RegularVisitorForm, Renewal, Recipient, Voucher, VoucherGroup };

/** The office's devices per voucher: one visitor's own. */
export const OFFICE_MAX_DEVICES = 5;

/** What the office types: who gets it, how long it lasts, how many of their devices. The same checks as `vouchers.issue`. */
export const OfficeVoucherForm = Type.Object({
  recipient: Recipient,
  validSeconds: Type.Integer({ minimum: 60, maximum: MAX_VALID_SECONDS }),
  maxDevices: Type.Integer({ minimum: 1, maximum: OFFICE_MAX_DEVICES }),
}, { additionalProperties: false });
export type OfficeVoucherForm = Static<typeof OfficeVoucherForm>;

/** One printed slip: the code (shown this once), the portal with it filled in, and its QR code. */
export const SlipView = Type.Object({
  voucherId: Type.Integer({ minimum: 1 }),
  code: Type.String(),
  link: Type.Union([Type.String(), Type.Null()], { description: 'the portal with the code prefilled; null without a guest network' }),
  qrSvg: Type.Union([Type.String(), Type.Null()], { description: 'the QR code of link, an SVG document' }),
}, { additionalProperties: false });
export type SlipView = Static<typeof SlipView>;

/** What every printed slip repeats: the terms in a line and where to sign in. */
export const SlipCommon = Type.Object({
  site: Type.String(),
  portal: Type.Union([Type.String(), Type.Null()]),
  termsSummary: Type.String(),
}, { additionalProperties: false });
export type SlipCommon = Static<typeof SlipCommon>;

export const OfficeVoucherIssued = Type.Object({
  voucher: Voucher,
  recipient: Recipient,
  slip: SlipView,
  common: SlipCommon,
}, { additionalProperties: false });
export type OfficeVoucherIssued = Static<typeof OfficeVoucherIssued>;

export const VoucherList = Type.Object({
  vouchers: Type.Array(Voucher),
  visitors: Type.Array(Visitor, { description: 'the visitors the vouchers name (who got each)' }),
}, { additionalProperties: false });
export type VoucherList = Static<typeof VoucherList>;

export const GroupForm = Type.Object({
  name: Type.String({ minLength: 1, maxLength: GROUP_NAME_MAX, pattern: '\\S', description: 'the event or group' }),
  count: Type.Integer({ minimum: 1, maximum: MAX_GROUP_COUNT }),
  validFrom: IsoTimestamp,
  validUntil: IsoTimestamp,
  maxDevices: Type.Integer({ minimum: 1, maximum: 5, description: 'per voucher' }),
}, { additionalProperties: false });
export type GroupForm = Static<typeof GroupForm>;

export const GroupIssued = Type.Object({
  group: VoucherGroup,
  slips: Type.Array(SlipView),
  common: SlipCommon,
}, { additionalProperties: false });
export type GroupIssued = Static<typeof GroupIssued>;

export const GroupList = Type.Object({ groups: Type.Array(VoucherGroup) }, { additionalProperties: false });
export type GroupList = Static<typeof GroupList>;

export const RegularList = Type.Object({ visitors: Type.Array(RegularVisitor) }, { additionalProperties: false });
export type RegularList = Static<typeof RegularList>;

export const RegularCreated = Type.Object({
  issued: RegularIssued,
  slip: SlipView,
  common: SlipCommon,
}, { additionalProperties: false });
export type RegularCreated = Static<typeof RegularCreated>;
