import type { Migration } from '../migrate.ts';

export const m018: Migration = {
  version: 18,
  name: 'access requests: dismissed, and the change request made from one',
  // An access request from the block page now ends one of three ways: dismissed by someone who
  // reads them (who and when kept), or through the change request made from it (its id kept),
  // granted when that request is approved and refused when it is declined. 009's CHECK names no
  // "dismissed" and SQLite cannot alter a CHECK, so the table is rebuilt with its rows.
  up: `
    CREATE TABLE access_requests_new (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      network_id TEXT NOT NULL,
      mac TEXT,
      address TEXT NOT NULL,
      name TEXT NOT NULL,
      category TEXT,
      reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'granted', 'refused', 'dismissed')),
      change_request INTEGER REFERENCES change_requests (id),
      decided_by TEXT CHECK (decided_by IS NULL OR length(decided_by) BETWEEN 1 AND 200),
      decided_at TEXT,
      CHECK ((status = 'open') = (decided_at IS NULL)),
      CHECK (status <> 'dismissed' OR decided_by IS NOT NULL)
    ) STRICT;
    INSERT INTO access_requests_new (id, at, network_id, mac, address, name, category, reason, status)
      SELECT id, at, network_id, mac, address, name, category, reason, status FROM access_requests;
    DROP TABLE access_requests;
    ALTER TABLE access_requests_new RENAME TO access_requests;
    CREATE INDEX access_requests_by_at ON access_requests (at);
    CREATE INDEX access_requests_by_change ON access_requests (change_request) WHERE change_request IS NOT NULL;
  `,
};
