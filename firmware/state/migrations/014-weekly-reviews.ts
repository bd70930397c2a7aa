import type { Migration } from '../migrate.ts';
import { appendOnlyTriggers } from './append-only.ts';

// Every table of the weekly review is append-only, enforced here by triggers rather than by the
// code that writes it: the review is the school's record of what it did about each concern, and
// no account (the headteacher's included) may change or remove an entry. A corrected outcome is
// a new row; the latest row for an alert counts and every row is shown.
const appendOnly = (table: string): string =>
  appendOnlyTriggers(table, {
    update: `${table} is append-only: record a correction as a new entry`,
    delete: `${table} is append-only: nothing in it is deleted`,
  });

const WEEK = "CHECK (week GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')";

export const m014: Migration = {
  version: 14,
  name: 'weekly reviews: outcomes, sign-offs, review-due items',
  // An outcome keeps a copy of its alert's kind, severity and subject: acknowledged alerts are
  // purged by retention, and the review history must still say what each outcome was about.
  // review_notices keeps the reminder and the overdue alert to one each per week (across restarts).
  // firmware_starts records each version the daemon started as, so a new version is a review-due item.
  up: `
    CREATE TABLE review_outcomes (
      id INTEGER PRIMARY KEY,
      week TEXT NOT NULL ${WEEK},
      alert_id INTEGER NOT NULL,
      alert_kind TEXT NOT NULL,
      alert_severity TEXT NOT NULL,
      alert_subject TEXT NOT NULL,
      outcome TEXT NOT NULL CHECK (outcome IN ('no-concern', 'spoke-to-pupil', 'escalated-to-dsl', 'referred-externally', 'false-positive')),
      note TEXT NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
      proposed_name TEXT CHECK (proposed_name IS NULL OR length(proposed_name) BETWEEN 1 AND 253),
      proposed_action TEXT CHECK (proposed_action IS NULL OR proposed_action IN ('allow', 'block')),
      by TEXT NOT NULL,
      at TEXT NOT NULL,
      CHECK ((proposed_name IS NULL) = (proposed_action IS NULL)),
      CHECK ((outcome = 'false-positive') = (proposed_name IS NOT NULL))
    ) STRICT;
    CREATE INDEX review_outcomes_by_week ON review_outcomes (week, alert_id, id);
    CREATE INDEX review_outcomes_by_alert ON review_outcomes (alert_id, id);
    ${appendOnly('review_outcomes')}

    CREATE TABLE review_signoffs (
      week TEXT PRIMARY KEY ${WEEK},
      reviewed_by TEXT NOT NULL,
      on_behalf_of TEXT,
      at TEXT NOT NULL,
      summary TEXT NOT NULL DEFAULT '' CHECK (length(summary) <= 4000),
      alerts INTEGER NOT NULL CHECK (alerts >= 0)
    ) STRICT;
    CREATE INDEX review_signoffs_by_at ON review_signoffs (at);
    ${appendOnly('review_signoffs')}

    CREATE TABLE review_due (
      id INTEGER PRIMARY KEY,
      reason TEXT NOT NULL CHECK (reason IN ('filtering-change', 'firmware-update', 'new-network', 'byod-enabled', 'incident')),
      detail TEXT NOT NULL CHECK (length(detail) BETWEEN 1 AND 500),
      at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX review_due_by_at ON review_due (at);
    ${appendOnly('review_due')}

    CREATE TABLE review_notices (
      week TEXT NOT NULL ${WEEK},
      kind TEXT NOT NULL CHECK (kind IN ('reminder', 'overdue')),
      at TEXT NOT NULL,
      alert_id INTEGER,
      PRIMARY KEY (week, kind)
    ) STRICT;
    ${appendOnly('review_notices')}

    CREATE TABLE firmware_starts (
      id INTEGER PRIMARY KEY,
      version TEXT NOT NULL,
      at TEXT NOT NULL
    ) STRICT;

    CREATE INDEX alerts_by_first ON alerts (first_at);
  `,
};
