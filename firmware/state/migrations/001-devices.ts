import type { Migration } from '../migrate.ts';

export const m001: Migration = {
  version: 1,
  name: 'devices',
  up: `
    CREATE TABLE devices (
      mac TEXT PRIMARY KEY CHECK (length(mac) = 17 AND mac GLOB '[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]'),
      name TEXT NOT NULL DEFAULT '',
      group_id TEXT,
      network_id TEXT NOT NULL,
      first_seen TEXT NOT NULL,
      last_seen TEXT NOT NULL,
      school_owned INTEGER NOT NULL DEFAULT 0 CHECK (school_owned IN (0, 1)),
      notes TEXT NOT NULL DEFAULT '',
      suspended_until TEXT,
      suspend_reason TEXT,
      CHECK ((suspended_until IS NULL) = (suspend_reason IS NULL))
    ) STRICT;
    CREATE INDEX devices_by_network ON devices (network_id, last_seen);
    CREATE INDEX devices_by_group ON devices (group_id) WHERE group_id IS NOT NULL;
  `,
};
