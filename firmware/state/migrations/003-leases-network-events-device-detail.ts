import type { Migration } from '../migrate.ts';

export const m003: Migration = {
  version: 3,
  name: 'dhcp leases, network events, device details',
  // Leases are keyed by address: one row per address a network has ever handed out, kept after
  // expiry so a returning client gets its old address back. client_key is the client identifier
  // (option 61) when the client sends one, else its MAC, as RFC 2131 4.2 asks.
  up: `
    ALTER TABLE devices ADD COLUMN hostname TEXT NOT NULL DEFAULT '';
    ALTER TABLE devices ADD COLUMN vendor_class TEXT NOT NULL DEFAULT '';
    ALTER TABLE devices ADD COLUMN randomised_mac INTEGER NOT NULL DEFAULT 0 CHECK (randomised_mac IN (0, 1));
    ALTER TABLE devices ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    -- The locally administered bit is bit 1 of the first octet: its second hex digit is one of these.
    UPDATE devices SET randomised_mac = 1 WHERE instr('2367abef', substr(mac, 2, 1)) > 0;
    CREATE TABLE leases (
      network_id TEXT NOT NULL,
      address TEXT NOT NULL,
      client_key TEXT NOT NULL,
      mac TEXT NOT NULL CHECK (length(mac) = 17),
      client_id TEXT,
      hostname TEXT NOT NULL DEFAULT '',
      vendor_class TEXT NOT NULL DEFAULT '',
      parameters TEXT NOT NULL DEFAULT '',
      relay_agent TEXT,
      relay_info TEXT,
      state TEXT NOT NULL CHECK (state IN ('offered', 'bound', 'declined', 'released')),
      expires TEXT NOT NULL,
      updated TEXT NOT NULL,
      PRIMARY KEY (network_id, address)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX leases_by_client ON leases (network_id, client_key);
    CREATE INDEX leases_by_mac ON leases (mac);
    CREATE TABLE network_events (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      kind TEXT NOT NULL,
      network_id TEXT,
      interface TEXT,
      mac TEXT,
      details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
    ) STRICT;
    CREATE INDEX network_events_by_at ON network_events (at);
    CREATE INDEX network_events_by_kind ON network_events (kind, at);
  `,
};
