// state.db's schema history. Append only: a released migration is never edited, because
// installed gateways have already run it; fix mistakes with a new migration.
import type { Migration } from './migrate.ts';

export const STATE_MIGRATIONS: readonly Migration[] = [
  {
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
  },
  {
    version: 2,
    name: 'audit log',
    // The triggers are the in-database half of "nobody can delete or hide an entry"; the hash
    // chain is the half that still holds against someone who edits the file directly.
    up: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY CHECK (seq >= 1),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE
      ) STRICT;
      CREATE INDEX audit_log_by_action ON audit_log (action, seq);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed');
      END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
      END;
      -- INSERT OR REPLACE deletes the old row without firing delete triggers (unless
      -- recursive_triggers is on), so inserts must extend the chain: next seq, linked to the head.
      CREATE TRIGGER audit_log_append_only BEFORE INSERT ON audit_log
      WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit_log)
        OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '${'0'.repeat(64)}')
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: a new entry must follow the last one');
      END;
    `,
  },
  {
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
  },
  {
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
  },
  {
    version: 5,
    name: 'filter self-test history',
    // Kept with no retention limit, for the annual review: the rows hold test names, the policy's
    // expected answers and what the gateway answered, never a device, a person or their lookups.
    up: `
      CREATE TABLE selftest_runs (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        trigger TEXT NOT NULL CHECK (trigger IN ('scheduled', 'on-demand')),
        actor TEXT NOT NULL,
        passed INTEGER NOT NULL CHECK (passed IN (0, 1))
      ) STRICT;
      CREATE INDEX selftest_runs_by_at ON selftest_runs (at);
      CREATE TABLE selftest_networks (
        run_id INTEGER NOT NULL REFERENCES selftest_runs (id),
        network_id TEXT NOT NULL,
        policy_id TEXT,
        source TEXT,
        server TEXT,
        error TEXT,
        passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
        untested TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(untested)),
        PRIMARY KEY (run_id, network_id)
      ) STRICT;
      CREATE TABLE selftest_checks (
        run_id INTEGER NOT NULL REFERENCES selftest_runs (id),
        network_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        name TEXT NOT NULL,
        category TEXT,
        critical INTEGER NOT NULL CHECK (critical IN (0, 1)),
        expected TEXT NOT NULL,
        rewrite TEXT,
        block_answer TEXT,
        got TEXT NOT NULL,
        pass INTEGER NOT NULL CHECK (pass IN (0, 1)),
        fail_open INTEGER NOT NULL CHECK (fail_open IN (0, 1)),
        PRIMARY KEY (run_id, network_id, seq)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE selftest_external (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        network_id TEXT NOT NULL,
        result TEXT NOT NULL CHECK (result IN ('pass', 'fail')),
        note TEXT NOT NULL CHECK (length(note) BETWEEN 1 AND 500),
        recorded_by TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: 'per-device bandwidth caps',
    // A device's own caps (schoolgate devices cap, later a voucher tier), in kbit/s; NULL: the
    // policy's device cap applies. Stored so a cap outlives restarts and address changes.
    up: `
      ALTER TABLE devices ADD COLUMN cap_down_kbit INTEGER CHECK (cap_down_kbit IS NULL OR cap_down_kbit BETWEEN 64 AND 100000000);
      ALTER TABLE devices ADD COLUMN cap_up_kbit INTEGER CHECK (cap_up_kbit IS NULL OR cap_up_kbit BETWEEN 64 AND 100000000);
    `,
  },
  {
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
  },
  {
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
  },
  {
    version: 9,
    name: 'site reports and access requests',
    // From the block page. A report names the site (never for a restricted list: name is NULL),
    // the device and when the page was shown, which links it to its block event in the query
    // log. Access requests are staff's, read later by the change-request flow.
    up: `
      CREATE TABLE site_reports (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        blocked_at TEXT NOT NULL,
        network_id TEXT NOT NULL,
        mac TEXT,
        address TEXT NOT NULL,
        name TEXT,
        category TEXT,
        verdict TEXT NOT NULL CHECK (verdict IN ('blocked', 'restricted')),
        kind TEXT NOT NULL CHECK (kind IN ('should-not-be-blocked', 'should-be-blocked')),
        comment TEXT NOT NULL CHECK (length(comment) <= 500),
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'reviewed')),
        CHECK (verdict = 'blocked' OR name IS NULL)
      ) STRICT;
      CREATE INDEX site_reports_by_at ON site_reports (at);
      CREATE TABLE access_requests (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        network_id TEXT NOT NULL,
        mac TEXT,
        address TEXT NOT NULL,
        name TEXT NOT NULL,
        category TEXT,
        reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'granted', 'refused'))
      ) STRICT;
      CREATE INDEX access_requests_by_at ON access_requests (at);
    `,
  },
  {
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
  },
  {
    version: 11,
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
  },
];

