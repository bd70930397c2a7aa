import type { Migration } from '../migrate.ts';

export const m008: Migration = {
  version: 8,
  name: 'visitors, vouchers and code attempts',
  // A voucher's code is kept only as a keyed hash (HMAC with a key in the data directory): a
  // copy of state.db signs no one in. Visitors are named for the portal's records and kept
  // retention.visitorRecordsDays after their last voucher ended; the devices signed in with a
  // voucher are its records too. code_attempts are the brute-force limits' memory, an hour deep.
  up: `
    CREATE TABLE visitors (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
      organisation TEXT,
      purpose TEXT,
      email TEXT,
      phone TEXT,
      sponsor_account TEXT,
      sponsor_name TEXT,
      terms_version TEXT,
      terms_accepted_at TEXT,
      created TEXT NOT NULL
    ) STRICT;
    CREATE TABLE vouchers (
      id INTEGER PRIMARY KEY,
      code_hash TEXT NOT NULL UNIQUE CHECK (length(code_hash) = 64),
      kind TEXT NOT NULL CHECK (kind IN ('single', 'group', 'regular')),
      label TEXT,
      visitor_id INTEGER REFERENCES visitors (id),
      valid_from TEXT NOT NULL,
      valid_until TEXT NOT NULL,
      max_devices INTEGER NOT NULL CHECK (max_devices BETWEEN 1 AND 500),
      down_kbit INTEGER CHECK (down_kbit IS NULL OR down_kbit BETWEEN 64 AND 100000000),
      up_kbit INTEGER CHECK (up_kbit IS NULL OR up_kbit BETWEEN 64 AND 100000000),
      policy_id TEXT,
      issued_by TEXT NOT NULL,
      issued_at TEXT NOT NULL,
      revoked_at TEXT,
      revoked_by TEXT,
      revoke_reason TEXT,
      CHECK (valid_until > valid_from),
      CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
    ) STRICT;
    CREATE INDEX vouchers_by_until ON vouchers (valid_until);
    CREATE TABLE voucher_devices (
      voucher_id INTEGER NOT NULL REFERENCES vouchers (id),
      mac TEXT NOT NULL,
      address TEXT NOT NULL,
      network_id TEXT,
      first_seen TEXT NOT NULL,
      last_seen TEXT NOT NULL,
      authorised_until TEXT NOT NULL,
      terms_version TEXT,
      ended_at TEXT,
      ended_reason TEXT CHECK (ended_reason IS NULL OR ended_reason IN ('signed-out', 'revoked', 'expired')),
      CHECK ((ended_at IS NULL) = (ended_reason IS NULL)),
      PRIMARY KEY (voucher_id, mac)
    ) STRICT;
    CREATE INDEX voucher_devices_open ON voucher_devices (mac) WHERE ended_at IS NULL;
    CREATE TABLE code_attempts (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      mac TEXT,
      address TEXT NOT NULL,
      ok INTEGER NOT NULL CHECK (ok IN (0, 1))
    ) STRICT;
    CREATE INDEX code_attempts_by_at ON code_attempts (at);
  `,
};
