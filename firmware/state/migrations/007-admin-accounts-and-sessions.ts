import type { Migration } from '../migrate.ts';

export const m007: Migration = {
  version: 7,
  name: 'admin accounts and sessions',
  // The web UI's accounts (one per person), the roles each holds, sessions (only a hash of each
  // token is kept, so a copy of the file signs nobody in), TOTP secrets and the TOTP step last
  // used (a code is never accepted twice), and failed sign-ins for the lockout.
  up: `
    CREATE TABLE accounts (
      id INTEGER PRIMARY KEY,
      username TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 2 AND 64),
      display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
      email TEXT,
      password_hash TEXT NOT NULL,
      must_change_password INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
      break_glass INTEGER NOT NULL DEFAULT 0 CHECK (break_glass IN (0, 1)),
      disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
      totp_secret TEXT,
      totp_pending_secret TEXT,
      totp_last_step INTEGER,
      failed_attempts INTEGER NOT NULL DEFAULT 0,
      locked_until TEXT,
      last_login_at TEXT,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX accounts_one_break_glass ON accounts (break_glass) WHERE break_glass = 1;
    CREATE TABLE account_roles (
      account_id INTEGER NOT NULL REFERENCES accounts (id),
      role TEXT NOT NULL,
      PRIMARY KEY (account_id, role)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE sessions (
      token_hash TEXT PRIMARY KEY,
      account_id INTEGER NOT NULL REFERENCES accounts (id),
      csrf_token TEXT NOT NULL,
      created_at TEXT NOT NULL,
      last_seen_at TEXT NOT NULL,
      source TEXT NOT NULL
    ) STRICT;
    CREATE INDEX sessions_by_account ON sessions (account_id);
  `,
};
