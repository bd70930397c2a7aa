// Checks shared by the repositories: refuse bad input with a message a technician can act on,
// before anything is written.
import type { DatabaseSync } from 'node:sqlite';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** "name: must be at most 64 characters" style summary of the first few schema errors. */
export function checkValue(schema: TSchema, value: unknown, what: string): void {
  if (Value.Check(schema, value)) return;
  const problems = [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.instancePath || '(value)'}: ${e.message}`);
  throw new InvalidInputError(`invalid ${what}: ${problems.join('; ')}`);
}

/**
 * ISO-8601 UTC with milliseconds. Restricting years to 0000-9999 keeps every stored timestamp
 * the same width, so SQLite can compare them as text (min/max, ORDER BY).
 */
export function isoInstant(at: Date, what: string): string {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new InvalidInputError(`${what} is not a valid date`);
  const year = at.getUTCFullYear();
  if (year < 0 || year > 9999) throw new InvalidInputError(`${what} is outside the years 0000-9999`);
  return at.toISOString();
}

/** A calendar day "YYYY-MM-DD" that exists (not 2026-02-30). */
export function checkDay(day: string, what: string): void {
  const parsed = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const date = parsed ? new Date(Date.UTC(Number(parsed[1]), Number(parsed[2]) - 1, Number(parsed[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== day) throw new InvalidInputError(`${what} must be a real date, YYYY-MM-DD, not "${day}"`);
}

/**
 * Runs fn atomically: a transaction of its own, or a savepoint inside the caller's, so a change
 * and its audit entry can be committed together by whoever composes them.
 */
export function atomically<T>(db: DatabaseSync, fn: () => T): T {
  if (db.isTransaction) {
    db.exec('SAVEPOINT atomically');
    try {
      const result = fn();
      db.exec('RELEASE atomically');
      return result;
    } catch (error) {
      db.exec('ROLLBACK TO atomically');
      db.exec('RELEASE atomically');
      throw error;
    }
  }
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
