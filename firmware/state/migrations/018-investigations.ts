import type { Migration } from '../migrate.ts';
import { appendOnlyTriggers } from './append-only.ts';

export const m018: Migration = {
  version: 18,
  name: 'investigations: the append-only record of each investigation (started, ended, expired, evidence saved)',
  // An investigation's number is its change request's. What is in force lives in the
  // configuration (the DNS engine reads it) and leaves it once it has ended and its evidence is
  // saved; this is the record that stays: when it started and on what terms, who ended it, each
  // saving of its evidence with the CSV's hash. Facts are rows, never updates: the triggers refuse
  // any update or delete, so an investigation's evidence cannot be quietly swapped afterwards.
  up: `
    CREATE TABLE investigation_events (
      id INTEGER PRIMARY KEY,
      investigation_id INTEGER NOT NULL REFERENCES change_requests (id),
      kind TEXT NOT NULL CHECK (kind IN ('started', 'ended', 'expired', 'evidence')),
      at TEXT NOT NULL,
      by TEXT NOT NULL CHECK (length(by) BETWEEN 1 AND 200),
      body TEXT NOT NULL CHECK (json_valid(body))
    ) STRICT;
    CREATE INDEX investigation_events_by_investigation ON investigation_events (investigation_id, id);
    CREATE UNIQUE INDEX investigation_events_one_start ON investigation_events (investigation_id) WHERE kind = 'started';
    CREATE UNIQUE INDEX investigation_events_one_end ON investigation_events (investigation_id) WHERE kind IN ('ended', 'expired');
    ${appendOnlyTriggers('investigation_events', {
      update: 'investigation records are append-only: a fact cannot be changed',
      delete: 'investigation records are append-only: nothing is deleted',
    })}
  `,
};
