import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { StateDatabase } from '../../../firmware/state/database.ts';
import {
  migrate, MigrationError, NewerSchemaError, readSchemaVersion, validateMigrations, type Migration,
} from '../../../firmware/state/migrate.ts';
import { STATE_MIGRATIONS } from '../../../firmware/state/migrations.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();
const now = () => new Date('2026-03-02T08:45:00.000Z');
const opts = { databaseName: 'state.db', now };

function schemaOf(db: DatabaseSync): unknown[] {
  return db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
}

function history(db: DatabaseSync): unknown[] {
  return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
}

function buildAt(file: string, migrations: readonly Migration[]): void {
  const db = new DatabaseSync(file);
  migrate(db, migrations, opts);
  db.close();
}

const toy: Migration[] = [
  { version: 1, name: 'a', up: 'CREATE TABLE a (x INTEGER) STRICT' },
  { version: 2, name: 'b', up: "CREATE TABLE b (y TEXT) STRICT; INSERT INTO b VALUES ('kept')" },
];

describe('migration list validation', () => {
  it('accepts 1..n in order', () => {
    expect(() => validateMigrations(STATE_MIGRATIONS)).not.toThrow();
    expect(() => validateMigrations([])).not.toThrow();
  });
  it.each([
    ['a gap', [toy[0]!, { ...toy[1]!, version: 3 }], /entry 1 has version 3, expected 2/],
    ['a duplicate', [toy[0]!, { ...toy[1]!, version: 1 }], /entry 1 has version 1, expected 2/],
    ['a start at 0', [{ ...toy[0]!, version: 0 }], /entry 0 has version 0, expected 1/],
    ['a fractional version', [{ ...toy[0]!, version: 1.5 }], /version 1.5/],
    ['an empty name', [{ ...toy[0]!, name: ' ' }], /migration 1 has no name/],
  ])('refuses %s', (_what, list, message) => {
    expect(() => validateMigrations(list as Migration[])).toThrow(message);
  });
  it('validates before touching the database', () => {
    const db = new DatabaseSync(':memory:');
    expect(() => migrate(db, [toy[1]!], opts)).toThrow(MigrationError);
    expect(schemaOf(db)).toEqual([]);
    expect(readSchemaVersion(db)).toBe(0);
  });
});

describe('state.db migrations', () => {
  it('builds the current schema from an empty database, recording each step', () => {
    const file = join(tempDir(), 'state.db');
    const state = StateDatabase.open(file, { now });
    expect(state.schemaVersion).toBe(STATE_MIGRATIONS.length);
    state.close();
    const db = new DatabaseSync(file);
    expect(readSchemaVersion(db)).toBe(STATE_MIGRATIONS.length);
    expect(history(db)).toEqual(STATE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(db.prepare('SELECT DISTINCT applied_at FROM schema_migrations').all()).toEqual([{ applied_at: now().toISOString() }]);
    db.close();
  });

  // Runs once per older version, so each migration added later is covered without editing this.
  it.each(Array.from({ length: STATE_MIGRATIONS.length }, (_, k) => k))(
    'upgrades a database at version %i to the same schema as a fresh one, keeping its rows',
    (k) => {
      const dir = tempDir();
      const fresh = join(dir, 'fresh.db');
      StateDatabase.open(fresh, { now }).close();
      const old = join(dir, 'old.db');
      buildAt(old, STATE_MIGRATIONS.slice(0, k));
      if (k >= 1) {
        const db = new DatabaseSync(old);
        db.prepare('INSERT INTO devices (mac, network_id, first_seen, last_seen) VALUES (?, ?, ?, ?)')
          .run('3c:22:fb:01:a2:9e', 'staff', '2025-09-01T08:00:00.000Z', '2025-09-02T08:00:00.000Z');
        db.close();
      }

      const state = StateDatabase.open(old, { now });
      expect(state.schemaVersion).toBe(STATE_MIGRATIONS.length);
      if (k >= 1) expect(state.devices.get('3c:22:fb:01:a2:9e')?.firstSeen).toBe('2025-09-01T08:00:00.000Z');
      state.close();

      const a = new DatabaseSync(fresh);
      const b = new DatabaseSync(old);
      expect(schemaOf(b)).toEqual(schemaOf(a));
      expect(history(b)).toEqual(history(a));
      a.close();
      b.close();
    },
  );

  it('is idempotent: opening a current database applies nothing', () => {
    const file = join(tempDir(), 'state.db');
    StateDatabase.open(file, { now }).close();
    const before = readFileSync(file);
    const db = new DatabaseSync(file);
    expect(migrate(db, STATE_MIGRATIONS, opts)).toEqual({ from: STATE_MIGRATIONS.length, to: STATE_MIGRATIONS.length, applied: [] });
    db.close();
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

describe('a database from a newer build', () => {
  const future: Migration[] = [
    ...STATE_MIGRATIONS,
    { version: STATE_MIGRATIONS.length + 1, name: 'future one', up: 'CREATE TABLE future_one (x INTEGER)' },
    { version: STATE_MIGRATIONS.length + 2, name: 'future two', up: 'CREATE TABLE future_two (x INTEGER)' },
  ];

  it('names both versions in the error', () => {
    const db = new DatabaseSync(':memory:');
    db.exec('PRAGMA user_version = 7');
    const three = [...toy, { version: 3, name: 'c', up: 'SELECT 1' }];
    expect(() => migrate(db, three, opts)).toThrow('state.db was written by a newer Schoolgate (schema 7, this build knows 3)');
    try {
      migrate(db, three, opts);
    } catch (error) {
      expect(error).toBeInstanceOf(NewerSchemaError);
      expect((error as NewerSchemaError).found).toBe(7);
      expect((error as NewerSchemaError).known).toBe(3);
    }
    expect(schemaOf(db)).toEqual([]);
  });

  it.each([
    ['rollback-journal', false],
    ['WAL', true],
  ])('is refused by StateDatabase.open and left byte-for-byte unchanged (%s file)', (_mode, wal) => {
    const dir = tempDir();
    const file = join(dir, 'state.db');
    const db = new DatabaseSync(file);
    if (wal) db.exec('PRAGMA journal_mode = WAL');
    migrate(db, future, opts);
    db.close();
    const bytes = readFileSync(file);
    const listing = readdirSync(dir).sort();

    expect(() => StateDatabase.open(file, { now })).toThrow(
      `state.db was written by a newer Schoolgate (schema ${future.length}, this build knows ${STATE_MIGRATIONS.length})`,
    );
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(listing);
  });
});

describe('a failing migration', () => {
  it('rolls back everything it did and leaves the previous version', () => {
    const file = join(tempDir(), 'x.db');
    buildAt(file, toy);
    const bad: Migration[] = [...toy, {
      version: 3,
      name: 'breaks halfway',
      up: "CREATE TABLE c (z INTEGER); INSERT INTO b VALUES ('lost'); INSERT INTO no_such_table VALUES (1)",
    }];
    const db = new DatabaseSync(file);
    const before = schemaOf(db);
    expect(() => migrate(db, bad, opts)).toThrow(/migration 3 \(breaks halfway\) failed and was rolled back; the database stays at schema 2: .*no_such_table/);
    expect(readSchemaVersion(db)).toBe(2);
    expect(schemaOf(db)).toEqual(before);
    expect(history(db)).toEqual([{ version: 1, name: 'a' }, { version: 2, name: 'b' }]);
    expect(db.prepare('SELECT y FROM b').all()).toEqual([{ y: 'kept' }]);
    expect(db.isTransaction).toBe(false);
    db.close();
  });

  it('rolls back a function migration that throws after writing, and a later fixed run succeeds', () => {
    const db = new DatabaseSync(':memory:');
    const failing: Migration = {
      version: 2, name: 'data rewrite', up: (d) => {
        d.exec('CREATE TABLE half (x INTEGER)');
        throw new Error('bad data in row 12');
      },
    };
    expect(() => migrate(db, [toy[0]!, failing], opts)).toThrow(/stays at schema 1: bad data in row 12/);
    expect(readSchemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'half'").all()).toEqual([]);
    expect(migrate(db, toy, opts)).toEqual({ from: 1, to: 2, applied: [2] });
  });

  it('rolls back a migration that leaves foreign-key violations', () => {
    const db = new DatabaseSync(':memory:');
    db.exec('PRAGMA foreign_keys = ON');
    const list: Migration[] = [
      { version: 1, name: 'parent', up: 'CREATE TABLE parent (id INTEGER PRIMARY KEY)' },
      { version: 2, name: 'orphans', up: 'PRAGMA defer_foreign_keys = ON; CREATE TABLE child (p INTEGER REFERENCES parent (id)); INSERT INTO child VALUES (9)' },
    ];
    expect(() => migrate(db, list, opts)).toThrow(/foreign-key violation/);
    expect(readSchemaVersion(db)).toBe(1);
  });

  it('refuses a migration that commits the transaction itself', () => {
    const db = new DatabaseSync(':memory:');
    const rogue: Migration = { version: 1, name: 'rogue', up: 'CREATE TABLE r (x INTEGER); COMMIT' };
    expect(() => migrate(db, [rogue], opts)).toThrow(/ended the transaction itself/);
    expect(readSchemaVersion(db)).toBe(0);
  });
});
