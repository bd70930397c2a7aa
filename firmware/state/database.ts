// The one owner of state.db. Other modules get repositories from here, never the handle, so every
// query against the file is in this folder (or the audit log it constructs).
import { closeSync, chmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AuditLog } from '../control/audit.ts';
import type { Logger } from '../log.ts';
import { DeviceRepository } from './devices.ts';
import { assertNotNewer, migrate, MigrationError } from './migrate.ts';
import { STATE_MIGRATIONS } from './migrations.ts';
import { atomically } from './values.ts';

export interface StateDatabaseOptions {
  logger?: Logger;
  now?: () => Date;
}

/** Wait this long for another process (the CLI) holding the write lock before failing. */
const BUSY_TIMEOUT_MS = 5000;
const NAME = 'state.db';

export class StateDatabaseError extends Error {
  override name = 'StateDatabaseError';
}

export class StateDatabase {
  readonly devices: DeviceRepository;
  readonly audit: AuditLog;
  readonly #db: DatabaseSync;

  private constructor(db: DatabaseSync, now: () => Date) {
    this.#db = db;
    this.devices = new DeviceRepository(db, now);
    this.audit = new AuditLog(db, now);
  }

  /**
   * Opens (creating with mode 0600 if missing) and migrates. A file from a newer build, or one
   * that is not a SQLite database, is refused before anything is written to it.
   * ":memory:" gives a private in-memory database for tests.
   */
  static open(file: string, options: StateDatabaseOptions = {}): StateDatabase {
    const now = options.now ?? (() => new Date());
    const inMemory = file === ':memory:';
    if (!inMemory) createIfMissing(file);
    const db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true, defensive: true });
    try {
      try {
        assertNotNewer(db, STATE_MIGRATIONS, NAME);
      } catch (error) {
        if (error instanceof MigrationError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new StateDatabaseError(`${file} cannot be opened as ${NAME}: ${reason}`, { cause: error });
      }
      // Only now may we change anything: journal_mode=WAL rewrites the file header.
      if (!inMemory) restrictMode(file, options.logger);
      const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
      if (mode !== 'wal' && !(inMemory && mode === 'memory')) {
        throw new StateDatabaseError(`${file}: SQLite refused WAL journal mode (got ${String(mode)}); is the data directory on a filesystem without shared memory?`);
      }
      // NORMAL in WAL mode cannot corrupt on power loss; it may lose the last commits, which is
      // the trade the SD card's write budget asks for.
      db.exec('PRAGMA synchronous = NORMAL');
      db.exec('PRAGMA foreign_keys = ON');
      const result = migrate(db, STATE_MIGRATIONS, { databaseName: NAME, now, ...(options.logger ? { logger: options.logger } : {}) });
      options.logger?.debug({ file, schema: result.to, applied: result.applied }, 'state.db open');
    } catch (error) {
      db.close();
      throw error;
    }
    return new StateDatabase(db, now);
  }

  get schemaVersion(): number {
    return Number(this.#db.prepare('PRAGMA user_version').get()?.user_version);
  }

  /**
   * Runs fn in one transaction (a savepoint if one is open), so a change and the audit entry
   * that records it are committed together or not at all.
   */
  transaction<T>(fn: () => T): T {
    return atomically(this.#db, fn);
  }

  close(): void {
    if (!this.#db.isOpen) return;
    // Lets SQLite refresh its planner statistics when they are stale; cheap when they are not.
    this.#db.exec('PRAGMA optimize');
    this.#db.close();
  }
}

function createIfMissing(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

// Device names and notes are about pupils: the file is for the daemon's user only. SQLite gives
// the -wal and -shm files the same mode as the database.
function restrictMode(file: string, logger: Logger | undefined): void {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    logger?.warn({ file, mode: mode.toString(8) }, 'state.db was readable by other users; restricting it to 0600');
    chmodSync(file, 0o600);
  }
}
