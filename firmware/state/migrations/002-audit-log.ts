import type { Migration } from '../migrate.ts';

export const m002: Migration = {
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
};
