import type { Migration } from '../migrate.ts';
import { appendOnlyTriggers } from './append-only.ts';

export const m015: Migration = {
  version: 15,
  name: 'the incident log: incidents and their append-only timeline',
  // The paper log's record: an incident row says how it was opened (and is unique per alert, so a
  // burst or a second click never opens two), and every fact after that is a new timeline entry.
  // The triggers make the log append-only for every writer, not only this build's repository: no
  // update or delete of either table succeeds, so a correction can only be a new entry. Linked
  // alerts and reports are referenced by number, not by foreign key: retention purges acknowledged
  // alerts, and the incident keeps the facts it copied when it was opened.
  up: `
    CREATE TABLE incidents (
      id INTEGER PRIMARY KEY,
      opened_at TEXT NOT NULL,
      opened_by TEXT NOT NULL CHECK (length(opened_by) BETWEEN 1 AND 200),
      source TEXT NOT NULL CHECK (source IN ('alert', 'report', 'hand')),
      alert_id INTEGER UNIQUE,
      report_id INTEGER,
      CHECK (source <> 'alert' OR alert_id IS NOT NULL),
      CHECK (source <> 'report' OR report_id IS NOT NULL)
    ) STRICT;
    CREATE INDEX incidents_by_opened_at ON incidents (opened_at);
    CREATE TABLE incident_entries (
      id INTEGER PRIMARY KEY,
      incident_id INTEGER NOT NULL REFERENCES incidents (id),
      at TEXT NOT NULL,
      by TEXT NOT NULL CHECK (length(by) BETWEEN 1 AND 200),
      kind TEXT NOT NULL CHECK (kind IN ('opened', 'note', 'action', 'task-done', 'outcome', 'attachment', 'sign-off', 'correction')),
      body TEXT NOT NULL CHECK (json_valid(body))
    ) STRICT;
    CREATE INDEX incident_entries_by_incident ON incident_entries (incident_id, id);
    ${appendOnlyTriggers('incidents', {
      update: 'the incident log is append-only: record a correction instead',
      delete: 'the incident log is append-only: nothing is deleted',
    })}
    ${appendOnlyTriggers('incident_entries', {
      update: 'the incident log is append-only: record a correction instead',
      delete: 'the incident log is append-only: nothing is deleted',
    })}
  `,
};
