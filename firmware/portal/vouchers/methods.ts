// The control-socket methods behind `schoolgate vouchers …`: issue (the code is in this answer
// and nowhere else, ever), list (never a code), revoke. Issue and revoke are audited in the same
// transaction as the change, under the caller's name.
import { Type, type Static } from 'typebox';
import type { Config } from '../../config/schema.ts';
import { Id } from '../../config/schema-common.ts';
import { IsoTimestamp } from '../../state/schemas.ts';
import type { AuditLog } from '../../control/audit.ts';
import { actorOf } from '../../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../../control/server.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import {
  BandwidthTier, GROUP_NAME_MAX, MAX_DEVICES, MAX_GROUP_COUNT, MAX_VALID_SECONDS, Recipient, REVOKE_REASON_MAX, Visitor, Voucher, VOUCHER_LABEL_MAX,
  VoucherDevice, VoucherGroup, VoucherKind,
} from './schema.ts';
import type { VoucherService } from './service.ts';

export const VoucherIssueParams = Type.Object({
  kind: Type.Optional(VoucherKind),
  validSeconds: Type.Integer({ minimum: 60, maximum: MAX_VALID_SECONDS }),
  maxDevices: Type.Integer({ minimum: 1, maximum: MAX_DEVICES }),
  label: Type.Optional(Type.String({ minLength: 1, maxLength: VOUCHER_LABEL_MAX })),
  tier: Type.Optional(BandwidthTier),
  policyId: Type.Optional(Id),
  recipient: Type.Optional(Recipient),
}, { additionalProperties: false });
export type VoucherIssueParams = Static<typeof VoucherIssueParams>;

export const VoucherIssued = Type.Object({
  code: Type.String({ description: 'shown this once: only its keyed hash is stored' }),
  voucher: Voucher,
});
export type VoucherIssued = Static<typeof VoucherIssued>;

export const VoucherListParams = Type.Object({ all: Type.Optional(Type.Boolean({ description: 'ended and revoked ones too' })) }, { additionalProperties: false });
export type VoucherListParams = Static<typeof VoucherListParams>;

export const VouchersView = Type.Object({
  vouchers: Type.Array(Voucher),
  visitors: Type.Optional(Type.Array(Visitor, { description: 'the visitors the vouchers name (who got each)' })),
});
export type VouchersView = Static<typeof VouchersView>;

export const VoucherRevokeParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  reason: Type.String({ minLength: 1, maxLength: REVOKE_REASON_MAX }),
}, { additionalProperties: false });
export type VoucherRevokeParams = Static<typeof VoucherRevokeParams>;

export const VoucherRevoked = Type.Object({
  voucher: Voucher,
  ended: Type.Array(VoucherDevice),
  enforced: Type.Boolean({ description: 'the nftables set was changed; false while the firewall is off (the record is kept)' }),
});
export type VoucherRevoked = Static<typeof VoucherRevoked>;

export const VoucherGroupParams = Type.Object({
  name: Type.String({ minLength: 1, maxLength: GROUP_NAME_MAX, pattern: '\\S', description: 'the event or group' }),
  count: Type.Integer({ minimum: 1, maximum: MAX_GROUP_COUNT }),
  validFrom: Type.Optional(IsoTimestamp),
  validSeconds: Type.Integer({ minimum: 60, maximum: MAX_VALID_SECONDS }),
  maxDevices: Type.Integer({ minimum: 1, maximum: MAX_DEVICES, description: 'per voucher' }),
  tier: Type.Optional(BandwidthTier),
  policyId: Type.Optional(Id),
}, { additionalProperties: false });
export type VoucherGroupParams = Static<typeof VoucherGroupParams>;

export const VoucherGroupIssued = Type.Object({
  group: VoucherGroup,
  codes: Type.Array(Type.Object({ voucherId: Type.Integer({ minimum: 1 }), code: Type.String() }), { description: 'shown this once: only their keyed hashes are stored' }),
});
export type VoucherGroupIssued = Static<typeof VoucherGroupIssued>;

export const VoucherGroupsParams = Type.Object({ issuedBy: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })) }, { additionalProperties: false });
export type VoucherGroupsParams = Static<typeof VoucherGroupsParams>;
export const VoucherGroupsView = Type.Object({ groups: Type.Array(VoucherGroup) });
export type VoucherGroupsView = Static<typeof VoucherGroupsView>;

export const VoucherGroupRevoked = Type.Object({
  group: VoucherGroup,
  ended: Type.Array(VoucherDevice),
  enforced: Type.Boolean(),
});
export type VoucherGroupRevoked = Static<typeof VoucherGroupRevoked>;

export interface VoucherMethodDeps {
  config: { readonly current: Readonly<Config> };
  vouchers: VoucherService;
  audit: Pick<AuditLog, 'append'>;
}

function asFailure(error: unknown): never {
  if (error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
  if (error instanceof NotFoundError) throw new ControlFailure('unknown-voucher', error.message);
  throw error;
}

function checkPolicy(deps: VoucherMethodDeps, policyId: string | undefined): void {
  const policies = deps.config.current.policies;
  if (policyId !== undefined && !policies.some((p) => p.id === policyId)) {
    throw new ControlFailure('invalid-input', `there is no policy "${policyId}" (policies: ${policies.map((p) => p.id).join(', ')})`);
  }
}

export function registerVoucherMethods(control: Pick<ControlServer, 'register'>, deps: VoucherMethodDeps): void {
  control.register<VoucherIssueParams>('vouchers.issue', {
    params: VoucherIssueParams,
    handle: (params, caller): VoucherIssued => {
      checkPolicy(deps, params.policyId);
      const actor = actorOf(caller);
      try {
        const { recipient, ...voucher } = params;
        const visitor = recipient && {
          name: recipient.name.trim(), organisation: recipient.organisation?.trim() || null,
          sponsorAccount: caller.account ?? null, sponsorName: null,
        };
        return deps.vouchers.issue({ ...voucher, kind: params.kind ?? 'single', ...(visitor ? { visitor } : {}) }, actor, (v) => {
          deps.audit.append({ actor, action: 'voucher.issue', subject: `voucher ${v.id}`, details: {
            kind: v.kind, label: v.label, validFrom: v.validFrom, validUntil: v.validUntil, maxDevices: v.maxDevices, tier: v.tier, policyId: v.policyId,
            ...(params.recipient ? { recipient: params.recipient } : {}),
          } });
        });
      } catch (error) {
        return asFailure(error);
      }
    },
  });
  control.register<VoucherListParams>('vouchers', {
    params: VoucherListParams,
    handle: (params): VouchersView => {
      const vouchers = deps.vouchers.list({ current: params.all !== true });
      return { vouchers, visitors: deps.vouchers.visitorsOf(vouchers) };
    },
  });
  control.register<VoucherGroupParams>('vouchers.issue-group', {
    params: VoucherGroupParams,
    handle: (params, caller): VoucherGroupIssued => {
      checkPolicy(deps, params.policyId);
      const actor = actorOf(caller);
      const { name, count, ...rest } = params;
      try {
        const issued = deps.vouchers.issueGroup(name.trim(), count, rest, actor, (g) => {
          deps.audit.append({ actor, action: 'voucher.issue-group', subject: `voucher-group ${g.id}`, details: {
            name: g.name, count: g.count, validFrom: g.validFrom, validUntil: g.validUntil, maxDevices: g.maxDevices, tier: params.tier ?? null, policyId: params.policyId ?? null,
          } });
        });
        return { group: issued.group, codes: issued.codes.map((c) => ({ voucherId: c.voucher.id, code: c.code })) };
      } catch (error) {
        return asFailure(error);
      }
    },
  });
  control.register<VoucherGroupsParams>('vouchers.groups', {
    params: VoucherGroupsParams,
    handle: (params): VoucherGroupsView => ({ groups: deps.vouchers.groups(params) }),
  });
  control.register<VoucherRevokeParams>('vouchers.revoke-group', {
    params: VoucherRevokeParams,
    handle: async (params, caller): Promise<VoucherGroupRevoked> => {
      const actor = actorOf(caller);
      try {
        return await deps.vouchers.revokeGroup(params.id, actor, params.reason, (g, ended) => {
          deps.audit.append({ actor, action: 'voucher.revoke-group', subject: `voucher-group ${g.id}`, details: { name: g.name, reason: params.reason, devices: ended.map((d) => d.mac) } });
        });
      } catch (error) {
        return asFailure(error);
      }
    },
  });
  control.register<VoucherRevokeParams>('vouchers.revoke', {
    params: VoucherRevokeParams,
    handle: async (params, caller): Promise<VoucherRevoked> => {
      const actor = actorOf(caller);
      try {
        return await deps.vouchers.revoke(params.id, actor, params.reason, (v, ended) => {
          deps.audit.append({ actor, action: 'voucher.revoke', subject: `voucher ${v.id}`, details: { reason: params.reason, devices: ended.map((d) => d.mac) } });
        });
      } catch (error) {
        return asFailure(error);
      }
    },
  });
}
