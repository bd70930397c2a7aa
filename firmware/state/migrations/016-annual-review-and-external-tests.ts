import type { Migration } from '../migrate.ts';
import { appendOnlyTriggers } from './append-only.ts';

export const m016: Migration = {
  version: 16,
  name: 'annual review, its participants and sign-offs; external filter tests in full',
  // An external test (SWGfL's "Test Filtering") is now recorded with the day it was run, who ran it,
  // the tool, a result per test category and the tester's reference; rows from before keep null
  // there. The annual review, its participants and their sign-offs are append-only, like the
  // audit log: a correction is a new row (a participant added again, a second sign-off), never an
  // edit, so the record governors sign is the record that stays.
  up: `
    ALTER TABLE selftest_external ADD COLUMN tested_on TEXT CHECK (tested_on IS NULL OR tested_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
    ALTER TABLE selftest_external ADD COLUMN tester TEXT CHECK (tester IS NULL OR length(tester) BETWEEN 1 AND 120);
    ALTER TABLE selftest_external ADD COLUMN tool TEXT CHECK (tool IS NULL OR length(tool) BETWEEN 1 AND 120);
    ALTER TABLE selftest_external ADD COLUMN categories TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(categories));
    ALTER TABLE selftest_external ADD COLUMN reference TEXT CHECK (reference IS NULL OR length(reference) BETWEEN 1 AND 200);
    ${appendOnlyTriggers('selftest_external', {
      update: 'external test results are append-only: record a correction as a new result',
      delete: 'external test results are append-only: they cannot be deleted',
    })}

    CREATE TABLE annual_reviews (
      id INTEGER PRIMARY KEY,
      year TEXT NOT NULL UNIQUE CHECK (year GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
      starts TEXT NOT NULL CHECK (starts GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
      ends TEXT NOT NULL CHECK (ends GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND ends > starts),
      next_review TEXT NOT NULL CHECK (next_review GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL
    ) STRICT;
    CREATE TABLE annual_participants (
      id INTEGER PRIMARY KEY,
      review_id INTEGER NOT NULL REFERENCES annual_reviews (id),
      name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
      role TEXT NOT NULL CHECK (role IN ('senior-leader', 'dsl', 'it-provider', 'governor', 'other')),
      role_title TEXT CHECK (role_title IS NULL OR length(role_title) BETWEEN 1 AND 120),
      added_at TEXT NOT NULL,
      added_by TEXT NOT NULL
    ) STRICT;
    CREATE INDEX annual_participants_by_review ON annual_participants (review_id);
    CREATE TABLE annual_signoffs (
      id INTEGER PRIMARY KEY,
      participant_id INTEGER NOT NULL REFERENCES annual_participants (id),
      signed_on TEXT NOT NULL CHECK (signed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
      comment TEXT NOT NULL CHECK (length(comment) <= 1000),
      recorded_at TEXT NOT NULL,
      recorded_by TEXT NOT NULL
    ) STRICT;
    CREATE INDEX annual_signoffs_by_participant ON annual_signoffs (participant_id);
    ${appendOnlyTriggers('annual_reviews', {
      update: 'an annual review is append-only: it cannot be changed',
      delete: 'an annual review is append-only: it cannot be deleted',
    })}
    ${appendOnlyTriggers('annual_participants', {
      update: 'annual review participants are append-only: add a correction',
      delete: 'annual review participants are append-only: they cannot be deleted',
    })}
    ${appendOnlyTriggers('annual_signoffs', {
      update: 'annual review sign-offs are append-only: record a new one',
      delete: 'annual review sign-offs are append-only: they cannot be deleted',
    })}
  `,
};
