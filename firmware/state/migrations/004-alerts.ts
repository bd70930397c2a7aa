import type { Migration } from '../migrate.ts';

export const m004: Migration = {
  version: 4,
  name: 'alerts',
  // device_key is the MAC, else the address, else '': de-duplication looks an open alert up by
  // kind, device and severity, so a burst is one row with a count. Acknowledged rows are never
  // reopened (the partial index holds open ones only).
  up: `
    CREATE TABLE alerts (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
      first_at TEXT NOT NULL,
      last_at TEXT NOT NULL,
      count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
      network_id TEXT,
      mac TEXT,
      address TEXT,
      device_key TEXT NOT NULL,
      subject TEXT NOT NULL,
      reason TEXT NOT NULL,
      category TEXT,
      details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
      status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged')),
      acknowledged_at TEXT,
      acknowledged_by TEXT,
      note TEXT,
      escalation_level INTEGER NOT NULL DEFAULT 0 CHECK (escalation_level >= 0),
      notified_at TEXT,
      CHECK ((status = 'open') = (acknowledged_at IS NULL))
    ) STRICT;
    CREATE INDEX alerts_open ON alerts (kind, device_key, severity, last_at) WHERE status = 'open';
    CREATE INDEX alerts_by_last ON alerts (last_at);
  `,
};
