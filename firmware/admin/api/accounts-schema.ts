// The accounts page's API shapes (accounts.manage): a new account, its roles, the answer that
// carries a temporary password once, and the access matrix for the annual access review.
import { Type, type Static } from 'typebox';
import { Role } from '../roles.ts';
import { AccountView, Username } from './session-schema.ts';

export const NewAccountBody = Type.Object({
  username: Username,
  displayName: Type.String({ minLength: 1, maxLength: 120 }),
  email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
  roles: Type.Array(Role, { minItems: 1, maxItems: 7 }),
}, { additionalProperties: false });
export type NewAccountBody = Static<typeof NewAccountBody>;

/** A temporary password appears in this answer only: it is never shown again. */
export const AccountWithPassword = Type.Object({
  account: AccountView,
  temporaryPassword: Type.Optional(Type.String({ description: 'shown this once; the account must change it at its first sign-in' })),
}, { additionalProperties: false });

export type AccountWithPassword = Static<typeof AccountWithPassword>;

export const RolesBody = Type.Object({ roles: Type.Array(Role, { maxItems: 7 }) }, { additionalProperties: false });

/** Accounts × roles, for the annual access review: printable as it is. */
export const AccessMatrix = Type.Object({
  at: Type.String({ format: 'date-time' }),
  roles: Type.Array(Type.Object({ role: Role, permissions: Type.Array(Type.String()) }, { additionalProperties: false })),
  accounts: Type.Array(Type.Object({
    username: Username, displayName: Type.String(), disabled: Type.Boolean(), breakGlass: Type.Boolean(),
    totpEnrolled: Type.Boolean(), lastLoginAt: Type.Union([Type.String(), Type.Null()]),
    holds: Type.Array(Role),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
export type AccessMatrix = Static<typeof AccessMatrix>;
