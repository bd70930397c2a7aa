import type { Migration } from '../migrate.ts';

export const m012: Migration = {
  version: 12,
  name: 'voucher groups',
  // Vouchers staff pre-issue for an event or a course: the group keeps who issued them, when
  // and what for, so the whole group is listed and revoked as one. Codes stay hashes only.
  up: `
    CREATE TABLE voucher_groups (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
      issued_by TEXT NOT NULL,
      issued_at TEXT NOT NULL,
      valid_from TEXT NOT NULL,
      valid_until TEXT NOT NULL,
      max_devices INTEGER NOT NULL CHECK (max_devices BETWEEN 1 AND 500),
      count INTEGER NOT NULL CHECK (count BETWEEN 1 AND 200),
      revoked_at TEXT,
      revoked_by TEXT,
      revoke_reason TEXT,
      CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
    ) STRICT;
    ALTER TABLE vouchers ADD COLUMN group_id INTEGER REFERENCES voucher_groups (id);
    CREATE INDEX vouchers_by_group ON vouchers (group_id) WHERE group_id IS NOT NULL;
  `,
};
