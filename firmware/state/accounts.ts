// The web UI's accounts, their roles and sessions in state.db. Storage only: the rules (password
// policy, lockout, TOTP, what the break-glass account may do) are in firmware/admin/auth/.
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import type { Role } from '../admin/roles.ts';

export interface AccountRow {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  passwordHash: string;
  mustChangePassword: boolean;
  breakGlass: boolean;
  disabled: boolean;
  totpSecret: string | null;
  totpPendingSecret: string | null;
  totpLastStep: number | null;
  failedAttempts: number;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  roles: Role[];
}

export interface NewAccount {
  username: string;
  displayName: string;
  email: string | null;
  passwordHash: string;
  mustChangePassword: boolean;
  breakGlass: boolean;
  roles: readonly Role[];
  createdAt: string;
}

export interface SessionRow {
  tokenHash: string;
  accountId: number;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  source: string;
}

type Row = Record<string, SQLOutputValue>;

/** The columns a caller may change on an account; each maps to one column. */
const COLUMN: Record<string, string> = {
  passwordHash: 'password_hash', mustChangePassword: 'must_change_password', disabled: 'disabled',
  totpSecret: 'totp_secret', totpPendingSecret: 'totp_pending_secret', totpLastStep: 'totp_last_step',
  failedAttempts: 'failed_attempts', lockedUntil: 'locked_until', lastLoginAt: 'last_login_at',
};
export type AccountChange = Partial<Pick<AccountRow, 'passwordHash' | 'mustChangePassword' | 'disabled' | 'totpSecret'
  | 'totpPendingSecret' | 'totpLastStep' | 'failedAttempts' | 'lockedUntil' | 'lastLoginAt'>>;

export class AccountRepository {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  count(): number {
    return Number(this.#db.prepare('SELECT count(*) AS n FROM accounts').get()?.n ?? 0);
  }

  list(): AccountRow[] {
    return this.#db.prepare('SELECT * FROM accounts ORDER BY username').all().map((row) => this.#toAccount(row));
  }

  byId(id: number): AccountRow | undefined {
    const row = this.#db.prepare('SELECT * FROM accounts WHERE id = ?').get(id);
    return row === undefined ? undefined : this.#toAccount(row);
  }

  byUsername(username: string): AccountRow | undefined {
    const row = this.#db.prepare('SELECT * FROM accounts WHERE username = ?').get(username);
    return row === undefined ? undefined : this.#toAccount(row);
  }

  insert(account: NewAccount): AccountRow {
    const result = this.#db.prepare(`INSERT INTO accounts (username, display_name, email, password_hash, must_change_password, break_glass, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`).run(account.username, account.displayName, account.email, account.passwordHash,
      account.mustChangePassword ? 1 : 0, account.breakGlass ? 1 : 0, account.createdAt);
    const id = Number(result.lastInsertRowid);
    this.setRoles(id, account.roles);
    return this.byId(id)!;
  }

  update(id: number, change: AccountChange): void {
    const entries = Object.entries(change).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const sets = entries.map(([k]) => {
      const column = COLUMN[k];
      if (!column) throw new Error(`not an account column: ${k}`);
      return `${column} = ?`;
    });
    const values = entries.map(([, v]) => (typeof v === 'boolean' ? (v ? 1 : 0) : v as string | number | null));
    this.#db.prepare(`UPDATE accounts SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  }

  setRoles(id: number, roles: readonly Role[]): void {
    this.#db.prepare('DELETE FROM account_roles WHERE account_id = ?').run(id);
    const insert = this.#db.prepare('INSERT INTO account_roles (account_id, role) VALUES (?, ?)');
    for (const role of new Set(roles)) insert.run(id, role);
  }

  insertSession(session: SessionRow): void {
    this.#db.prepare('INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, last_seen_at, source) VALUES (?, ?, ?, ?, ?, ?)')
      .run(session.tokenHash, session.accountId, session.csrfToken, session.createdAt, session.lastSeenAt, session.source);
  }

  session(tokenHash: string): SessionRow | undefined {
    const row = this.#db.prepare('SELECT * FROM sessions WHERE token_hash = ?').get(tokenHash);
    if (row === undefined) return undefined;
    return {
      tokenHash: String(row.token_hash), accountId: Number(row.account_id), csrfToken: String(row.csrf_token),
      createdAt: String(row.created_at), lastSeenAt: String(row.last_seen_at), source: String(row.source),
    };
  }

  touchSession(tokenHash: string, at: string): void {
    this.#db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?').run(at, tokenHash);
  }

  deleteSession(tokenHash: string): void {
    this.#db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  /** Ends every session of an account (disabled, password reset); returns how many there were. */
  deleteSessionsOf(accountId: number, except?: string): number {
    return Number(this.#db.prepare('DELETE FROM sessions WHERE account_id = ? AND token_hash IS NOT ?').run(accountId, except ?? null).changes);
  }

  #toAccount(row: Row): AccountRow {
    const id = Number(row.id);
    const roles = this.#db.prepare('SELECT role FROM account_roles WHERE account_id = ? ORDER BY role').all(id).map((r) => String(r.role) as Role);
    return {
      id,
      username: String(row.username),
      displayName: String(row.display_name),
      email: row.email === null ? null : String(row.email),
      passwordHash: String(row.password_hash),
      mustChangePassword: row.must_change_password === 1,
      breakGlass: row.break_glass === 1,
      disabled: row.disabled === 1,
      totpSecret: row.totp_secret === null ? null : String(row.totp_secret),
      totpPendingSecret: row.totp_pending_secret === null ? null : String(row.totp_pending_secret),
      totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
      failedAttempts: Number(row.failed_attempts),
      lockedUntil: row.locked_until === null ? null : String(row.locked_until),
      lastLoginAt: row.last_login_at === null ? null : String(row.last_login_at),
      createdAt: String(row.created_at),
      roles,
    };
  }
}
