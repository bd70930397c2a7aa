// Signing in and out, and the session behind each request. The rules of the schools' password
// policies live here: six wrong attempts lock an account for 15 minutes (an administrator may
// unlock it sooner), a failure never says whether the username exists, a session ends after 30
// idle minutes or 12 hours whatever, and tokens are kept only as hashes.
import { createHash, randomBytes } from 'node:crypto';
import type { AuditLog } from '../../control/audit.ts';
import type { AlertCandidate } from '../../monitor/alerts/alert-schema.ts';
import type { AccountRepository, AccountRow, SessionRow } from '../../state/accounts.ts';
import type { LoginBody } from '../api/session-schema.ts';
import { AuthError } from './errors.ts';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { verifyTotp } from './totp.ts';
import { totpRequired } from './views.ts';

export const MAX_FAILED_ATTEMPTS = 6;
export const LOCKOUT_MINUTES = 15;

export interface SessionLimits {
  idleMinutes: number;
  absoluteHours: number;
}
export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMinutes: 30, absoluteHours: 12 };

export interface AuthenticatorDeps {
  accounts: AccountRepository;
  audit: Pick<AuditLog, 'append'>;
  transaction: <T>(fn: () => T) => T;
  now: () => Date;
  /** Read at each request, so a configuration change applies to sessions already open. */
  limits?: () => SessionLimits;
  /** The alert service's entry point; the break-glass account's every use raises one. */
  raise?: (candidate: AlertCandidate) => void;
}

/** A request's signed-in state. `stage` says what the account must do before anything else. */
export interface Signed {
  account: AccountRow;
  session: SessionRow;
  stage: 'ready' | 'change-password' | 'enrol-totp';
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
}

export function actorOf(account: Pick<AccountRow, 'username'>): string {
  return `account:${account.username}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What a refused sign-in says, whoever it was: the same words for an unknown name. */
const WRONG = 'the username or password is wrong';
const LOCKED = `too many wrong attempts: this account is locked for ${LOCKOUT_MINUTES} minutes, or until an administrator unlocks it`;

// Unknown usernames lock too, so a locked answer does not tell that a name exists. Bounded: a
// stream of made-up names forgets the oldest first.
const UNKNOWN_MAX = 1000;

export class Authenticator {
  readonly #deps: AuthenticatorDeps;
  readonly #unknown = new Map<string, { failures: number; lockedUntil: number }>();

  constructor(deps: AuthenticatorDeps) {
    this.#deps = deps;
  }

  get #limits(): SessionLimits {
    return this.#deps.limits?.() ?? DEFAULT_SESSION_LIMITS;
  }

  /** Checks the password (and the TOTP code if enrolled); returns the new session's secrets. */
  async signIn(body: LoginBody, source: string): Promise<{ token: string; signed: Signed }> {
    const { accounts, audit } = this.#deps;
    const nowMs = this.#deps.now().getTime();
    const account = accounts.byUsername(body.username);
    if (!account) return this.#unknownName(body.username, body.password, source, nowMs);
    if (account.lockedUntil !== null && Date.parse(account.lockedUntil) > nowMs) {
      audit.append({ actor: 'system:web', action: 'account.login-refused', subject: account.username, details: { source, reason: 'locked' } });
      throw new AuthError(423, 'locked', LOCKED);
    }
    const passwordOk = await verifyPassword(body.password, account.passwordHash);
    if (passwordOk && account.totpSecret !== null && body.totp === undefined) {
      throw new AuthError(401, 'totp-required', 'enter the six-digit code from your authenticator app');
    }
    let totpStep: number | undefined;
    if (passwordOk && account.totpSecret !== null) {
      totpStep = verifyTotp(account.totpSecret, body.totp!, nowMs, account.totpLastStep);
    }
    if (!passwordOk || (account.totpSecret !== null && totpStep === undefined)) {
      this.#failed(account, source, passwordOk ? 'totp' : 'password', nowMs);
    }
    if (account.disabled) {
      audit.append({ actor: 'system:web', action: 'account.login-refused', subject: account.username, details: { source, reason: 'disabled' } });
      throw new AuthError(403, 'disabled', 'this account is disabled: ask an administrator');
    }
    const token = randomBytes(32).toString('base64url');
    const at = new Date(nowMs).toISOString();
    const session: SessionRow = { tokenHash: hashToken(token), accountId: account.id, csrfToken: randomBytes(24).toString('base64url'), createdAt: at, lastSeenAt: at, source };
    this.#deps.transaction(() => {
      accounts.update(account.id, { failedAttempts: 0, lockedUntil: null, lastLoginAt: at, ...(totpStep !== undefined ? { totpLastStep: totpStep } : {}) });
      accounts.insertSession(session);
      audit.append({ actor: actorOf(account), action: 'account.login', subject: account.username, details: { source, totp: totpStep !== undefined } });
    });
    if (account.breakGlass) this.raiseBreakGlass(account, 'signed in', source);
    return { token, signed: this.#signed(accounts.byId(account.id)!, session) };
  }

  /** The session a cookie names, if it is still alive; an expired one is removed as it is found. */
  session(token: string | undefined): Signed | undefined {
    if (!token) return undefined;
    const { accounts } = this.#deps;
    const tokenHash = hashToken(token);
    const session = accounts.session(tokenHash);
    if (!session) return undefined;
    const account = accounts.byId(session.accountId);
    const nowMs = this.#deps.now().getTime();
    const idleEnd = Date.parse(session.lastSeenAt) + this.#limits.idleMinutes * 60_000;
    const absoluteEnd = Date.parse(session.createdAt) + this.#limits.absoluteHours * 3_600_000;
    if (!account || account.disabled || nowMs >= idleEnd || nowMs >= absoluteEnd) {
      accounts.deleteSession(tokenHash);
      return undefined;
    }
    const lastSeenAt = new Date(nowMs).toISOString();
    accounts.touchSession(tokenHash, lastSeenAt);
    return this.#signed(account, { ...session, lastSeenAt });
  }

  signOut(signed: Signed): void {
    this.#deps.transaction(() => {
      this.#deps.accounts.deleteSession(signed.session.tokenHash);
      this.#deps.audit.append({ actor: actorOf(signed.account), action: 'account.logout', subject: signed.account.username });
    });
  }

  /** The signed-in account changes its own password; its other sessions end. */
  async changePassword(signed: Signed, current: string, next: string): Promise<Signed> {
    const { account } = signed;
    if (!(await verifyPassword(current, account.passwordHash))) {
      throw new AuthError(400, 'wrong-password', 'the current password is wrong', { current: 'the current password is wrong' });
    }
    const problem = passwordProblem(next, account.username);
    if (problem) throw new AuthError(400, 'weak-password', `the new password ${problem}`, { next: `the new password ${problem}` });
    if (await verifyPassword(next, account.passwordHash)) {
      throw new AuthError(400, 'weak-password', 'the new password must differ from the current one', { next: 'must differ from the current password' });
    }
    const passwordHash = await hashPassword(next);
    this.#deps.transaction(() => {
      this.#deps.accounts.update(account.id, { passwordHash, mustChangePassword: false });
      this.#deps.accounts.deleteSessionsOf(account.id, signed.session.tokenHash);
      this.#deps.audit.append({ actor: actorOf(account), action: 'account.password-change', subject: account.username });
    });
    return this.#signed(this.#deps.accounts.byId(account.id)!, signed.session);
  }

  raiseBreakGlass(account: AccountRow, what: string, source: string): void {
    const at = this.#deps.now().toISOString();
    this.#deps.raise?.({
      kind: 'system.break-glass', severity: 'critical', at, networkId: null, mac: null, address: source,
      subject: account.username,
      reason: `the break-glass recovery account ${what}: it is kept in the school safe for when nobody else can sign in; check who opened the safe`,
    });
  }

  #signed(account: AccountRow, session: SessionRow): Signed {
    const stage = account.mustChangePassword ? 'change-password' : totpRequired(account) && account.totpSecret === null ? 'enrol-totp' : 'ready';
    return {
      account, session, stage,
      idleExpiresAt: new Date(Date.parse(session.lastSeenAt) + this.#limits.idleMinutes * 60_000),
      absoluteExpiresAt: new Date(Date.parse(session.createdAt) + this.#limits.absoluteHours * 3_600_000),
    };
  }

  #failed(account: AccountRow, source: string, reason: 'password' | 'totp', nowMs: number): never {
    const failures = account.failedAttempts + 1;
    const locks = failures >= MAX_FAILED_ATTEMPTS;
    this.#deps.transaction(() => {
      this.#deps.accounts.update(account.id, {
        failedAttempts: locks ? 0 : failures,
        ...(locks ? { lockedUntil: new Date(nowMs + LOCKOUT_MINUTES * 60_000).toISOString() } : {}),
      });
      this.#deps.audit.append({ actor: 'system:web', action: 'account.login-failed', subject: account.username, details: { source, reason, failures } });
      if (locks) this.#deps.audit.append({ actor: 'system:web', action: 'account.lockout', subject: account.username, details: { source, minutes: LOCKOUT_MINUTES } });
    });
    if (locks) throw new AuthError(423, 'locked', LOCKED);
    throw new AuthError(401, 'credentials', WRONG);
  }

  async #unknownName(username: string, password: string, source: string, nowMs: number): Promise<never> {
    // As long as a known name's check, so the time taken does not tell either.
    await verifyPassword(password, await decoyHash());
    const entry = this.#unknown.get(username) ?? { failures: 0, lockedUntil: 0 };
    this.#unknown.delete(username);
    if (this.#unknown.size >= UNKNOWN_MAX) this.#unknown.delete(this.#unknown.keys().next().value!);
    this.#unknown.set(username, entry);
    // The typed name is not recorded: people type their password into the username field.
    this.#deps.audit.append({ actor: 'system:web', action: 'account.login-failed', details: { source, reason: 'unknown-username' } });
    if (entry.lockedUntil > nowMs) throw new AuthError(423, 'locked', LOCKED);
    entry.failures += 1;
    if (entry.failures >= MAX_FAILED_ATTEMPTS) {
      entry.failures = 0;
      entry.lockedUntil = nowMs + LOCKOUT_MINUTES * 60_000;
      throw new AuthError(423, 'locked', LOCKED);
    }
    throw new AuthError(401, 'credentials', WRONG);
  }
}
