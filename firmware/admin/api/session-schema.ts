// The shapes of signing in, the signed-in account and first-run setup: the contract between the
// admin API (firmware/admin/) and the web UI (webui/), which imports these types. Every error the
// API returns has the ApiError shape, so the UI can put each message beside its field.
import { Type, type Static } from 'typebox';
import { Permission, Role } from '../roles.ts';

export const ApiError = Type.Object({
  error: Type.String({ description: 'what went wrong, in words for the person at the screen' }),
  code: Type.Optional(Type.String({ description: 'a stable machine-readable reason, e.g. "totp-required", "locked", "csrf", "setup-code"' })),
  fields: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'a message per form field (its JSON path, e.g. "accounts/1/password")' })),
}, { additionalProperties: false });
export type ApiError = Static<typeof ApiError>;

export const Username = Type.String({ minLength: 2, maxLength: 64, pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'lower-case letters, digits, dots, dashes, underscores' });
/** At least 12 characters (the schools' password policies); also checked against common passwords. */
export const Password = Type.String({ minLength: 12, maxLength: 256 });
export const TotpCode = Type.String({ pattern: '^[0-9]{6}$' });

export const AccountView = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  username: Username,
  displayName: Type.String({ minLength: 1, maxLength: 120 }),
  email: Type.Union([Type.String({ maxLength: 254 }), Type.Null()]),
  roles: Type.Array(Role, { maxItems: 7 }),
  breakGlass: Type.Boolean({ description: 'the recovery account: may only recover or revoke access; every use alerts' }),
  disabled: Type.Boolean(),
  mustChangePassword: Type.Boolean({ description: 'a temporary password: the next sign-in must change it before anything else' }),
  totpEnrolled: Type.Boolean(),
  totpRequired: Type.Boolean({ description: 'one of its roles requires two-factor' }),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
}, { additionalProperties: false });
export type AccountView = Static<typeof AccountView>;

/** GET /api/session (200 when signed in, 401 ApiError otherwise); the answer to POST /api/session. */
export const SessionView = Type.Object({
  account: AccountView,
  permissions: Type.Array(Permission),
  csrfToken: Type.String({ description: 'sent back in the x-csrf-token header on every request that changes something' }),
  idleExpiresAt: Type.String({ format: 'date-time' }),
  absoluteExpiresAt: Type.String({ format: 'date-time' }),
  site: Type.Object({ name: Type.String(), timezone: Type.String() }, { additionalProperties: false }),
}, { additionalProperties: false });
export type SessionView = Static<typeof SessionView>;

/**
 * POST /api/session. Without `totp` for an account that has it enrolled: 401 with code
 * "totp-required" (the UI then asks for the code; the password is not counted as wrong). Six wrong
 * attempts lock the account (423, code "locked"); the answer never says whether the username exists.
 */
export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  totp: Type.Optional(TotpCode),
}, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

/** POST /api/account/password: the signed-in account changes its own password. */
export const ChangePasswordBody = Type.Object({
  current: Type.String({ minLength: 1, maxLength: 256 }),
  next: Password,
}, { additionalProperties: false });
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

/** POST /api/account/totp: start enrolment; the secret is shown this once. */
export const TotpEnrolment = Type.Object({
  secret: Type.String({ description: 'base32, for typing into an authenticator by hand' }),
  otpauthUrl: Type.String(),
  qrSvg: Type.String({ description: 'the otpauth URL as an SVG QR code (markup generated here, no external resource)' }),
}, { additionalProperties: false });
export type TotpEnrolment = Static<typeof TotpEnrolment>;

/** POST /api/account/totp/confirm: the first code from the authenticator completes enrolment. */
export const TotpConfirmBody = Type.Object({ code: TotpCode }, { additionalProperties: false });
export type TotpConfirmBody = Static<typeof TotpConfirmBody>;

/** GET /api/setup: whether first-run setup is still to do (no account exists yet). */
export const SetupState = Type.Object({
  needed: Type.Boolean(),
  site: Type.Object({ name: Type.String(), timezone: Type.String() }, { additionalProperties: false }),
}, { additionalProperties: false });
export type SetupState = Static<typeof SetupState>;

/** What the wizard's steps after the accounts start from (the technician's, system.manage). */
export const SetupContinueView = Type.Object({
  logo: Type.Object({ present: Type.Boolean(), type: Type.Optional(Type.String()), bytes: Type.Optional(Type.Integer()) }, { additionalProperties: false }),
}, { additionalProperties: false });
export type SetupContinueView = Static<typeof SetupContinueView>;

export const SetupAccount = Type.Object({
  username: Username,
  displayName: Type.String({ minLength: 1, maxLength: 120 }),
  email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
  roles: Type.Array(Role, { minItems: 1, maxItems: 7 }),
  password: Password,
}, { additionalProperties: false });
export type SetupAccount = Static<typeof SetupAccount>;

/**
 * POST /api/setup: unlocked by the one-time code `npm start` and `schoolgate status` print,
 * refused once any account exists. Creates the first accounts (at least two holding an approver
 * role, so filtering is never one person's), the break-glass recovery account (its password in the
 * answer, shown this once for the school safe), and the site's name and time zone. Networks,
 * upstreams and policies are set up on the pages that follow, signed in.
 */
export const SetupBody = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 64 }),
  site: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 120 }),
    timezone: Type.String({ minLength: 1, maxLength: 64 }),
  }, { additionalProperties: false }),
  accounts: Type.Array(SetupAccount, { minItems: 2, maxItems: 16 }),
}, { additionalProperties: false });
export type SetupBody = Static<typeof SetupBody>;

export const SetupResult = Type.Object({
  accounts: Type.Array(AccountView),
  breakGlass: Type.Object({
    username: Username,
    password: Type.String({ description: 'shown this once: print it and keep it in the school safe' }),
  }, { additionalProperties: false }),
}, { additionalProperties: false });
export type SetupResult = Static<typeof SetupResult>;
