// A voucher's state in words: in force, ended (ran out) or revoked (by whom, why).
import { when } from '../visitors/when.ts';

export interface VoucherLike {
  validFrom: string;
  validUntil: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
}

export function voucherStatus(v: VoucherLike, timezone: string, now = Date.now()): { kind: 'in-force' | 'ended' | 'revoked' | 'not-yet'; text: string } {
  if (v.revokedAt !== null) return { kind: 'revoked', text: `Revoked ${when(v.revokedAt, timezone)} by ${(v.revokedBy ?? '').replace(/^account:/, '')}${v.revokeReason ? `: ${v.revokeReason}` : ''}` };
  if (Date.parse(v.validUntil) <= now) return { kind: 'ended', text: 'Lapsed' };
  if (Date.parse(v.validFrom) > now) return { kind: 'not-yet', text: `From ${when(v.validFrom, timezone)}` };
  return { kind: 'in-force', text: 'In force' };
}
