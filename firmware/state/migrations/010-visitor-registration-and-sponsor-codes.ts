import type { Migration } from '../migrate.ts';

export const m010: Migration = {
  version: 10,
  name: 'visitor registration requests and sponsor codes',
  // A visitor registers on the portal from one device (address and MAC, from its lease) naming a
  // sponsor; the request waits for that sponsor, and its decision (who, when, why) stays with it.
  // A sponsor code is kept only as the keyed hash the voucher codes use: a copy of state.db
  // gives no one a code that approves visitors.
  up: `
    CREATE TABLE visitor_requests (
      id INTEGER PRIMARY KEY,
      visitor_id INTEGER NOT NULL REFERENCES visitors (id),
      mac TEXT NOT NULL,
      address TEXT NOT NULL,
      network_id TEXT,
      created TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'declined', 'withdrawn', 'lapsed')),
      decided_at TEXT,
      decided_by TEXT,
      reason TEXT,
      voucher_id INTEGER REFERENCES vouchers (id),
      CHECK ((state = 'pending') = (decided_at IS NULL))
    ) STRICT;
    CREATE INDEX visitor_requests_by_mac ON visitor_requests (mac, created);
    CREATE INDEX visitor_requests_pending ON visitor_requests (state) WHERE state = 'pending';
    CREATE TABLE sponsor_codes (
      account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
      code_hash TEXT NOT NULL CHECK (length(code_hash) = 64),
      set_at TEXT NOT NULL
    ) STRICT;
  `,
};
