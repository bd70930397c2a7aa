import type { Migration } from '../migrate.ts';

export const m005: Migration = {
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
};
