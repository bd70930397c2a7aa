// First-run setup: while no account exists, a one-time code (printed at start and by `schoolgate
// status`, kept on disk only as a hash) unlocks POST /api/setup, which makes the first accounts
// and the break-glass recovery account. Once any account exists setup is refused for ever.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { SetupBody, SetupResult } from '../api/session-schema.ts';
import { APPROVER_ROLES } from '../roles.ts';
import type { AuthenticatorDeps } from './authenticator.ts';
import { AuthError } from './errors.ts';
import { hashPassword, passwordProblem, temporaryPassword } from './password.ts';
import { accountView } from './views.ts';

export const BREAK_GLASS_USERNAME = 'recovery';
const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

function hashCode(code: string): Buffer {
  return createHash('sha256').update(code.trim().toUpperCase().replace(/[\s-]/g, '')).digest();
}

/** A code of 12 unambiguous characters in groups of four, e.g. "K7QM-3XPA-9RTE". */
export function newSetupCode(): string {
  const chars = [...randomBytes(12)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
  return chars.replace(/(.{4})(?=.)/g, '$1-');
}

/** The setup code's hash in the data directory (mode 0600), made anew at each start before setup. */
export class SetupCodeFile {
  readonly #file: string;
  #code: string | undefined;

  constructor(file: string) {
    this.#file = file;
  }

  /** Makes and stores a new code; the plain code lives only in this process, for status. */
  async issue(): Promise<string> {
    const code = newSetupCode();
    await writeFile(this.#file, `${hashCode(code).toString('hex')}\n`, { mode: 0o600 });
    this.#code = code;
    return code;
  }

  /** The code while setup is still to do, for `schoolgate status` (never sent over HTTP). */
  get code(): string | undefined {
    return this.#code;
  }

  async matches(code: string): Promise<boolean> {
    let stored: Buffer;
    try {
      stored = Buffer.from((await readFile(this.#file, 'utf8')).trim(), 'hex');
    } catch {
      return false;
    }
    const given = hashCode(code);
    return stored.length === given.length && timingSafeEqual(stored, given);
  }

  async spend(): Promise<void> {
    this.#code = undefined;
    await rm(this.#file, { force: true });
  }
}

/** Every reason the body cannot be used, per field (JSON path), before anything is written. */
export function setupProblems(body: SetupBody): Record<string, string> {
  const fields: Record<string, string> = {};
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: body.site.timezone });
  } catch {
    fields['site/timezone'] = `"${body.site.timezone}" is not a time zone (e.g. Europe/London)`;
  }
  const seen = { username: new Map<string, number>(), displayName: new Map<string, number>(), email: new Map<string, number>() };
  body.accounts.forEach((account, i) => {
    if (account.username === BREAK_GLASS_USERNAME) fields[`accounts/${i}/username`] = `"${BREAK_GLASS_USERNAME}" is kept for the break-glass account`;
    for (const key of ['username', 'displayName', 'email'] as const) {
      const value = account[key]?.trim().toLowerCase();
      if (!value) continue;
      const first = seen[key].get(value);
      if (first !== undefined) fields[`accounts/${i}/${key}`] = `the same as account ${first + 1}'s: one account per person`;
      else seen[key].set(value, i);
    }
    const problem = passwordProblem(account.password, account.username);
    if (problem) fields[`accounts/${i}/password`] = `the password ${problem}`;
  });
  const approvers = body.accounts.filter((a) => a.roles.some((r) => APPROVER_ROLES.includes(r))).length;
  if (approvers < 2) {
    fields.accounts = `at least two people must hold an approving role (${APPROVER_ROLES.join(', ')}), so filtering is never one person's`;
  }
  return fields;
}

/** Creates the first accounts and the break-glass account in one transaction. */
export async function completeSetup(deps: AuthenticatorDeps, body: SetupBody, source: string): Promise<SetupResult> {
  const fields = setupProblems(body);
  if (Object.keys(fields).length > 0) throw new AuthError(400, 'invalid', 'some of the answers need changing', fields);
  const breakGlassPassword = temporaryPassword(24);
  const hashes = await Promise.all([...body.accounts.map((a) => hashPassword(a.password)), hashPassword(breakGlassPassword)]);
  const createdAt = deps.now().toISOString();
  const rows = deps.transaction(() => {
    // Checked again inside the transaction: two setups racing must not both succeed.
    if (deps.accounts.count() > 0) throw new AuthError(409, 'setup-done', 'setup has already been done: sign in instead');
    const made = body.accounts.map((a, i) => deps.accounts.insert({
      username: a.username, displayName: a.displayName.trim(), email: a.email ?? null, passwordHash: hashes[i]!,
      mustChangePassword: false, breakGlass: false, roles: a.roles, createdAt,
    }));
    deps.accounts.insert({
      username: BREAK_GLASS_USERNAME, displayName: 'Break-glass recovery account', email: null, passwordHash: hashes.at(-1)!,
      mustChangePassword: false, breakGlass: true, roles: [], createdAt,
    });
    deps.audit.append({
      actor: 'system:setup', action: 'setup.complete', subject: body.site.name,
      details: { source, accounts: made.map((a) => ({ username: a.username, roles: a.roles })), breakGlass: BREAK_GLASS_USERNAME },
    });
    return made;
  });
  return { accounts: rows.map(accountView), breakGlass: { username: BREAK_GLASS_USERNAME, password: breakGlassPassword } };
}
