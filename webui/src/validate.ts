// Checks the browser makes before sending, so a person hears at once what the server would say
// anyway (the server checks everything again). The rules are the contract's: a 12-character
// password, lower-case usernames, six-digit codes, two approvers at setup.
import type { Role } from '../../firmware/admin/roles.ts';

export type FieldErrors = Record<string, string>;

export const PASSWORD_MIN = 12;
export const PASSWORD_RULE = `At least ${PASSWORD_MIN} characters. A long phrase of ordinary words is good; common passwords are refused.`;

// Kept beside the types they come from: a test compares them with roles.ts, so they cannot drift.
export const ROLE_NAMES: Readonly<Record<Role, string>> = {
  technician: 'Technician (IT provider)',
  headteacher: 'Headteacher',
  dsl: 'Designated safeguarding lead',
  'online-safety-lead': 'Online-safety lead',
  office: 'School office',
  staff: 'Staff',
  governor: 'Governor or trust reviewer',
};
export const ALL_ROLES = Object.keys(ROLE_NAMES) as Role[];
/** Mirrors APPROVER_ROLES in firmware/admin/roles.ts (the UI bundle leaves TypeBox out). */
export const APPROVERS: readonly Role[] = ['headteacher', 'dsl', 'online-safety-lead'];

export function checkPassword(errors: FieldErrors, field: string, password: string, repeat?: string, repeatField?: string): void {
  if (password.length === 0) errors[field] = 'Enter a password.';
  else if ([...password].length < PASSWORD_MIN) errors[field] = `The password has ${[...password].length} characters: it needs at least ${PASSWORD_MIN}.`;
  if (repeat !== undefined && repeatField !== undefined && errors[field] === undefined && repeat !== password) {
    errors[repeatField] = 'The two passwords are not the same.';
  }
}

export function checkTotp(errors: FieldErrors, field: string, code: string): void {
  if (!/^[0-9]{6}$/.test(code.replace(/\s+/g, ''))) errors[field] = 'Enter the six digits your authenticator app shows.';
}

export function checkRequired(errors: FieldErrors, field: string, value: string, what: string): void {
  if (value.trim() === '') errors[field] = `Enter ${what}.`;
}

export interface SetupAccountDraft {
  username: string;
  displayName: string;
  email: string;
  roles: Role[];
  password: string;
  repeat: string;
}

export function checkUsername(errors: FieldErrors, field: string, username: string): void {
  if (username === '') errors[field] = 'Enter a username.';
  else if (!/^[a-z0-9][a-z0-9._-]*$/.test(username) || username.length < 2 || username.length > 64) {
    errors[field] = 'Use 2 to 64 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit.';
  }
}

/** The accounts step of setup: each account complete, usernames distinct, two approvers at least. */
export function checkSetupAccounts(accounts: readonly SetupAccountDraft[]): { fields: FieldErrors; general: string | null } {
  const fields: FieldErrors = {};
  const seen = new Map<string, number>();
  accounts.forEach((a, i) => {
    checkUsername(fields, `accounts/${i}/username`, a.username);
    const first = seen.get(a.username);
    if (a.username !== '' && first !== undefined && fields[`accounts/${i}/username`] === undefined) {
      fields[`accounts/${i}/username`] = `Account ${first + 1} already has this username.`;
    }
    seen.set(a.username, seen.get(a.username) ?? i);
    checkRequired(fields, `accounts/${i}/displayName`, a.displayName, 'the person\'s name');
    if (a.roles.length === 0) fields[`accounts/${i}/roles`] = 'Choose at least one role.';
    checkPassword(fields, `accounts/${i}/password`, a.password, a.repeat, `accounts/${i}/repeat`);
  });
  const approvers = accounts.filter((a) => a.roles.some((r) => APPROVERS.includes(r))).length;
  const general = approvers < 2
    ? `At least two accounts need an approving role (headteacher, DSL or online-safety lead), so filtering is never one person's decision: ${approvers === 1 ? 'one has' : 'none has'} so far.`
    : null;
  return { fields, general };
}
