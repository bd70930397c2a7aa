// The control-socket methods behind `schoolgate vouchers …`: issue (the code is in this answer
// and nowhere else, ever), list (never a code), revoke. Issue and revoke are audited in the same
// transaction as the change, under the caller's name.
import { Type, type Static } from 'typebox';
import type { Config } from '../../config/schema.ts';
import { Id } from '../../config/schema-common.ts';
import type { AuditLog } from '../../control/audit.ts';
import { actorOf } from '../../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../../control/server.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import { BandwidthTier, MAX_DEVICES, MAX_VALID_SECONDS, REVOKE_REASON_MAX, Voucher, VOUCHER_LABEL_MAX, VoucherDevice, VoucherKind } from './schema.ts';
import type { VoucherService } from './service.ts';

export const VoucherIssueParams = Type.Object({
  kind: Type.Optional(VoucherKind),
  validSeconds: Type.Integer({ minimum: 60, maximum: MAX_VALID_SECONDS }),
  maxDevices: Type.Integer({ minimum: 1, maximum: MAX_DEVICES }),
  label: Type.Optional(Type.String({ minLength: 1, maxLength: VOUCHER_LABEL_MAX })),
  tier: Type.Optional(BandwidthTier),
  policyId: Type.Optional(Id),
}, { additionalProperties: false });
export type VoucherIssueParams = Static<typeof VoucherIssueParams>;

export const VoucherIssued = Type.Object({
  code: Type.String({ description: 'shown this once: only its keyed hash is stored' }),
  voucher: Voucher,
});
export type VoucherIssued = Static<typeof VoucherIssued>;

export const VoucherListParams = Type.Object({ all: Type.Optional(Type.Boolean({ description: 'ended and revoked ones too' })) }, { additionalProperties: false });
export type VoucherListParams = Static<typeof VoucherListParams>;

export const VouchersView = Type.Object({ vouchers: Type.Array(Voucher) });
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

export function registerVoucherMethods(control: Pick<ControlServer, 'register'>, deps: VoucherMethodDeps): void {
  control.register<VoucherIssueParams>('vouchers.issue', {
    params: VoucherIssueParams,
    handle: (params, caller): VoucherIssued => {
      const policies = deps.config.current.policies;
      if (params.policyId !== undefined && !policies.some((p) => p.id === params.policyId)) {
        throw new ControlFailure('invalid-input', `there is no policy "${params.policyId}" (policies: ${policies.map((p) => p.id).join(', ')})`);
      }
      const actor = actorOf(caller);
      try {
        return deps.vouchers.issue({ ...params, kind: params.kind ?? 'single' }, actor, (v) => {
          deps.audit.append({ actor, action: 'voucher.issue', subject: `voucher ${v.id}`, details: {
            kind: v.kind, label: v.label, validFrom: v.validFrom, validUntil: v.validUntil, maxDevices: v.maxDevices, tier: v.tier, policyId: v.policyId,
          } });
        });
      } catch (error) {
        return asFailure(error);
      }
    },
  });
  control.register<VoucherListParams>('vouchers', {
    params: VoucherListParams,
    handle: (params): VouchersView => ({ vouchers: deps.vouchers.list({ current: params.all !== true }) }),
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
