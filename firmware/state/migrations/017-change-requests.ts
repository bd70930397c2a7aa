import type { Migration } from '../migrate.ts';
import { appendOnlyTriggers } from './append-only.ts';

export const m017: Migration = {
  version: 17,
  name: 'change control: change requests and their append-only steps',
  // A request row is what was asked, why and by whom, with its words as the approvers read them
  // (the configuration's names then); every later fact (an approval, a decline, applying it) is a
  // step. The status is folded from the steps, never stored, and the triggers refuse any update or
  // delete, so no one (the headteacher included) can approve, then quietly edit what was approved.
  // `head` records whether an approver held the headteacher role at that moment: the rule "the
  // head among the approvers when pupils are in scope" is judged on the facts then, not on roles
  // changed since.
  up: `
    CREATE TABLE change_requests (
      id INTEGER PRIMARY KEY,
      proposal TEXT NOT NULL CHECK (json_valid(proposal)),
      summary TEXT NOT NULL CHECK (json_valid(summary)),
      rationale TEXT NOT NULL CHECK (length(rationale) BETWEEN 10 AND 500),
      risk_note TEXT NOT NULL CHECK (length(risk_note) BETWEEN 10 AND 2000),
      from_alert INTEGER CHECK (from_alert IS NULL OR from_alert >= 1),
      requested_by TEXT NOT NULL CHECK (length(requested_by) BETWEEN 1 AND 200),
      requested_at TEXT NOT NULL,
      needs_head INTEGER NOT NULL CHECK (needs_head IN (0, 1)),
      requested_by_head INTEGER NOT NULL CHECK (requested_by_head IN (0, 1))
    ) STRICT;
    CREATE INDEX change_requests_by_requester ON change_requests (requested_by);
    CREATE TABLE change_steps (
      id INTEGER PRIMARY KEY,
      request_id INTEGER NOT NULL REFERENCES change_requests (id),
      kind TEXT NOT NULL CHECK (kind IN ('approved', 'declined', 'withdrawn', 'applied', 'sent-upstream', 'apply-failed')),
      by TEXT NOT NULL CHECK (length(by) BETWEEN 1 AND 200),
      at TEXT NOT NULL,
      note TEXT CHECK (note IS NULL OR length(note) <= 2000),
      reference TEXT CHECK (reference IS NULL OR length(reference) BETWEEN 1 AND 200),
      head INTEGER NOT NULL DEFAULT 0 CHECK (head IN (0, 1))
    ) STRICT;
    CREATE INDEX change_steps_by_request ON change_steps (request_id, id);
    ${appendOnlyTriggers('change_requests', {
      update: 'change requests are append-only: withdraw it and make a new request',
      delete: 'change requests are append-only: nothing is deleted',
    })}
    ${appendOnlyTriggers('change_steps', {
      update: 'change request steps are append-only: a step cannot be changed',
      delete: 'change request steps are append-only: nothing is deleted',
    })}
  `,
};
