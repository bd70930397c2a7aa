// Numbered schema migrations for any of our SQLite files (state.db now, logs.db later).
// The version lives in two places on purpose: PRAGMA user_version is what SQLite itself keeps in
// the file header (cheap to read before touching anything), schema_migrations is the readable
// history a technician can inspect.
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../log.ts';

export interface Migration {
  version: number;
  name: string;
  /** SQL to exec, or a function for steps SQL alone cannot express (data rewrites). */
  up: string | ((db: DatabaseSync) => void);
}

export interface MigrateOptions {
  /** How the file is named in errors and logs, e.g. "state.db". */
  databaseName: string;
  now: () => Date;
  logger?: Logger;
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: number[];
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** The file was written by a newer build; we refuse rather than risk misreading it. */
export class NewerSchemaError extends MigrationError {
  override name = 'NewerSchemaError';
  readonly found: number;
  readonly known: number;
  constructor(databaseName: string, found: number, known: number) {
    super(`${databaseName} was written by a newer Schoolgate (schema ${found}, this build knows ${known}); install that version again or restore a backup made by this one`);
    this.found = found;
    this.known = known;
  }
}

/** A migration list is code: a mistake in it is a build error, so say exactly what is wrong. */
export function validateMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, index) => {
    const expected = index + 1;
    if (!Number.isInteger(m.version) || m.version !== expected) {
      throw new MigrationError(`migration list is invalid: entry ${index} has version ${String(m.version)}, expected ${expected} (versions must be 1..n, in order, each once)`);
    }
    if (typeof m.name !== 'string' || m.name.trim() === '') {
      throw new MigrationError(`migration list is invalid: migration ${m.version} has no name`);
    }
    if (typeof m.up !== 'string' && typeof m.up !== 'function') {
      throw new MigrationError(`migration list is invalid: migration ${m.version} (${m.name}) has no up step`);
    }
  });
}

export function readSchemaVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get();
  const version = row?.user_version;
  if (typeof version !== 'number') throw new MigrationError('could not read PRAGMA user_version');
  return version;
}

/**
 * Throws NewerSchemaError without writing anything. Callers run this before any pragma that
 * would touch the file (journal_mode=WAL rewrites the header), so a refused file keeps its bytes.
 */
export function assertNotNewer(db: DatabaseSync, migrations: readonly Migration[], databaseName: string): number {
  const version = readSchemaVersion(db);
  if (version > migrations.length) throw new NewerSchemaError(databaseName, version, migrations.length);
  return version;
}

const CREATE_HISTORY = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

/** Applies every migration above the file's version, each in its own transaction. */
export function migrate(db: DatabaseSync, migrations: readonly Migration[], options: MigrateOptions): MigrateResult {
  validateMigrations(migrations);
  const from = assertNotNewer(db, migrations, options.databaseName);
  const applied: number[] = [];
  for (const migration of migrations.slice(from)) {
    applyOne(db, migration, options);
    applied.push(migration.version);
    options.logger?.info({ database: options.databaseName, version: migration.version, migration: migration.name }, 'schema migration applied');
  }
  return { from, to: from + applied.length, applied };
}

function applyOne(db: DatabaseSync, migration: Migration, options: MigrateOptions): void {
  // IMMEDIATE takes the write lock now, so a second process (the CLI) cannot interleave.
  db.exec('BEGIN IMMEDIATE');
  try {
    // Inside the transaction so that the history table and the first migration land together.
    db.exec(CREATE_HISTORY);
    if (typeof migration.up === 'string') db.exec(migration.up);
    else migration.up(db);
    if (!db.isTransaction) {
      throw new MigrationError(`migration ${migration.version} (${migration.name}) ended the transaction itself; migrations must not BEGIN/COMMIT`);
    }
    const violations = db.prepare('PRAGMA foreign_key_check').all();
    if (violations.length > 0) {
      throw new MigrationError(`migration ${migration.version} (${migration.name}) left ${violations.length} foreign-key violation(s), first in table ${String(violations[0]?.table)}`);
    }
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
      .run(migration.version, migration.name, options.now().toISOString());
    // PRAGMA takes no parameters; version is a validated integer.
    db.exec(`PRAGMA user_version = ${migration.version}`);
    db.exec('COMMIT');
  } catch (error) {
    const rolledBack = db.isTransaction;
    if (rolledBack) db.exec('ROLLBACK');
    const reason = error instanceof Error ? error.message : String(error);
    const outcome = rolledBack
      ? `was rolled back; the database stays at schema ${migration.version - 1}`
      : 'left no open transaction to roll back; restore a backup before trying again';
    throw new MigrationError(`${options.databaseName}: migration ${migration.version} (${migration.name}) failed and ${outcome}: ${reason}`, { cause: error });
  }
}
