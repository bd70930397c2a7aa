// How a stored account is shown: never its password hash, TOTP secret or lockout counters.
import type { AccountRow } from '../../state/accounts.ts';
import type { AccountView } from '../api/session-schema.ts';
import { TOTP_REQUIRED_ROLES, permissionsOf, type Permission } from '../roles.ts';

export function totpRequired(account: Pick<AccountRow, 'roles'>): boolean {
  return account.roles.some((r) => TOTP_REQUIRED_ROLES.includes(r));
}

export function accountView(account: AccountRow): AccountView {
  return {
    id: account.id,
    username: account.username,
    displayName: account.displayName,
    email: account.email,
    roles: [...account.roles],
    breakGlass: account.breakGlass,
    disabled: account.disabled,
    mustChangePassword: account.mustChangePassword,
    totpEnrolled: account.totpSecret !== null,
    totpRequired: totpRequired(account),
    lastLoginAt: account.lastLoginAt,
    createdAt: account.createdAt,
  };
}

/**
 * What the break-glass account carries: it holds no role, and only the recovery routes (which
 * say so in their options) let it through; this permission is what those routes ask for.
 */
export const BREAK_GLASS_PERMISSIONS: readonly Permission[] = ['accounts.manage'];

export function accountPermissions(account: AccountRow): Permission[] {
  if (account.breakGlass) return [...BREAK_GLASS_PERMISSIONS];
  return [...permissionsOf(account.roles)].sort();
}
