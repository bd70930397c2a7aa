// How every SQLite file of ours is opened: created 0600, refused untouched when a newer build
// wrote it, WAL, then migrated. state.db and logs.db each have one owner module that calls this.
import { closeSync, chmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../log.ts';
import { assertNotNewer, migrate, MigrationError, type Migration } from './migrate.ts';

/** Wait this long for another process (the CLI) holding the write lock before failing. */
const BUSY_TIMEOUT_MS = 5000;

export class SqliteFileError extends Error {
  override name = 'SqliteFileError';
}

export interface OpenSqliteOptions {
  /** How the file is named in errors and logs, e.g. "state.db". */
  name: string;
  migrations: readonly Migration[];
  now: () => Date;
  logger?: Logger | undefined;
}

/**
 * Opens (creating with mode 0600 if missing) and migrates. A file from a newer build, or one
 * that is not a SQLite database, is refused before anything is written to it.
 * ":memory:" gives a private in-memory database for tests.
 */
export function openSqliteFile(file: string, options: OpenSqliteOptions): DatabaseSync {
  const { name, migrations, now, logger } = options;
  const inMemory = file === ':memory:';
  if (!inMemory) createIfMissing(file);
  const db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true, defensive: true });
  try {
    try {
      assertNotNewer(db, migrations, name);
    } catch (error) {
      if (error instanceof MigrationError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new SqliteFileError(`${file} cannot be opened as ${name}: ${reason}`, { cause: error });
    }
    // Only now may we change anything: journal_mode=WAL rewrites the file header.
    if (!inMemory) restrictMode(file, name, logger);
    const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
    if (mode !== 'wal' && !(inMemory && mode === 'memory')) {
      throw new SqliteFileError(`${file}: SQLite refused WAL journal mode (got ${String(mode)}); is the data directory on a filesystem without shared memory?`);
    }
    // NORMAL in WAL mode cannot corrupt on power loss; it may lose the last commits, which is
    // the trade the SD card's write budget asks for.
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    const result = migrate(db, migrations, { databaseName: name, now, ...(logger ? { logger } : {}) });
    logger?.debug({ file, schema: result.to, applied: result.applied }, `${name} open`);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Lets SQLite refresh its planner statistics when they are stale (cheap when they are not), then closes. */
export function closeSqliteFile(db: DatabaseSync): void {
  if (!db.isOpen) return;
  db.exec('PRAGMA optimize');
  db.close();
}

function createIfMissing(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

// Device names, notes and query logs are about pupils: the files are for the daemon's user only.
// SQLite gives the -wal and -shm files the same mode as the database.
function restrictMode(file: string, name: string, logger: Logger | undefined): void {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    logger?.warn({ file, mode: mode.toString(8) }, `${name} was readable by other users; restricting it to 0600`);
    chmodSync(file, 0o600);
  }
}
