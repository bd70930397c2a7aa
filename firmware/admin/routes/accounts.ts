// Accounts (accounts.manage): list, create, roles, recovery actions, and the access matrix for
// the annual access review. The break-glass account may list and recover, nothing more.
import { Type, type Static } from 'typebox';
import { AccountView, ApiError, Username } from '../api/session-schema.ts';
import { RECOVERY_ACTIONS, type AccountAction } from '../auth/account-admin.ts';
import { AuthError } from '../auth/errors.ts';
import { ROLES, ROLE_PERMISSIONS, Role } from '../roles.ts';
import type { AdminRoutes } from '../route-deps.ts';
import type { Signed } from '../auth/authenticator.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError };

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

export const RolesBody = Type.Object({ roles: Type.Array(Role, { maxItems: 7 }) }, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const ActionParams = Type.Object({ id: Type.Integer({ minimum: 1 }), action: Type.Enum(RECOVERY_ACTIONS) });

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

function signedIn(signed: Signed | undefined): Signed {
  if (!signed) throw new AuthError(401, 'signed-out', 'sign in first');
  return signed;
}

export const accountRoutes: AdminRoutes = async (app, deps) => {
  const { admin, options } = deps;

  app.get('/api/accounts', {
    schema: { response: { 200: Type.Array(AccountView), ...Errors } },
    config: { permission: 'accounts.manage', breakGlass: true },
  }, async () => admin.list());

  app.post<{ Body: NewAccountBody }>('/api/accounts', {
    schema: { body: NewAccountBody, response: { 200: AccountWithPassword, ...Errors } },
    config: { permission: 'accounts.manage' },
  }, async (request) => admin.create(signedIn(request.signed), request.body));

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof RolesBody> }>('/api/accounts/:id/roles', {
    schema: { params: IdParams, body: RolesBody, response: { 200: AccountView, ...Errors } },
    config: { permission: 'accounts.manage' },
  }, async (request) => admin.setRoles(signedIn(request.signed), request.params.id, request.body.roles));

  app.post<{ Params: Static<typeof ActionParams> }>('/api/accounts/:id/:action', {
    schema: { params: ActionParams, response: { 200: AccountWithPassword, ...Errors } },
    config: { permission: 'accounts.manage', breakGlass: true },
  }, async (request) => admin.act(signedIn(request.signed), request.params.id, request.params.action as AccountAction, request.ip));

  app.get('/api/access-matrix', {
    schema: { response: { 200: AccessMatrix, ...Errors } },
    config: { permission: 'accounts.manage' },
  }, async () => ({
    at: (options.now ?? (() => new Date()))().toISOString(),
    roles: ROLES.map((role) => ({ role, permissions: [...ROLE_PERMISSIONS[role]] })),
    accounts: options.accounts.list().map((a) => ({
      username: a.username, displayName: a.displayName, disabled: a.disabled, breakGlass: a.breakGlass,
      totpEnrolled: a.totpSecret !== null, lastLoginAt: a.lastLoginAt, holds: [...a.roles],
    })),
  }));
};
