import type { Migration } from '../migrate.ts';

export const m011: Migration = {
  version: 11,
  name: 'AUP acceptances',
  // One row per device, network and AUP version: the first acceptance is the record (accepting
  // again changes nothing), with where the device was then. Kept per device, not per person:
  // the youngest pupils share class devices.
  up: `
    CREATE TABLE aup_acceptances (
      id INTEGER PRIMARY KEY,
      mac TEXT NOT NULL CHECK (length(mac) = 17),
      network_id TEXT NOT NULL,
      version TEXT NOT NULL CHECK (length(version) BETWEEN 1 AND 32),
      at TEXT NOT NULL,
      address TEXT NOT NULL,
      UNIQUE (mac, network_id, version)
    ) STRICT;
    CREATE INDEX aup_acceptances_by_version ON aup_acceptances (network_id, version);
  `,
};
