// One subject's records in logs.db, for a subject-access request and for erasure: the questions a
// device asked and its hourly and daily counts. Run by the writer thread, the file's one owner
// (query-log-writer.ts), so no TypeBox here.
//
// A subject is the key the rollups count by: a device's MAC, or the client address of questions
// DHCP never named (a device with a fixed address). Raw rows carry both, so they are matched by
// coalesce(device, client): an address's rows that a lease had named belong to that device, and
// are neither exported nor erased under the address.
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import type { QueryEvent } from '../../dns/events/event-buffer.ts';
import type { RollupRow } from '../query-log/rollups.ts';

type Row = Record<string, SQLOutputValue>;

/** A query_events row as the event it was. */
export function rowToEvent(r: Row): QueryEvent {
  return {
    at: Number(r.at), network: r.network as string | null, client: String(r.client), transport: r.transport as QueryEvent['transport'],
    name: String(r.name), qtype: Number(r.qtype), verdict: r.verdict as QueryEvent['verdict'], rcode: Number(r.rcode),
    latencyMs: Number(r.latency_ms),
    ...(r.device !== null ? { device: String(r.device) } : {}),
    ...(r.upstream !== null ? { upstream: String(r.upstream) } : {}),
    ...(r.category !== null ? { category: String(r.category) } : {}),
    ...(r.list !== null ? { list: String(r.list) } : {}),
    ...(r.watch ? { watch: true } : {}),
  };
}

/** Everything logs.db holds about one subject. */
export interface SubjectLogs {
  /** Oldest first. */
  events: QueryEvent[];
  hours: RollupRow[];
  days: RollupRow[];
}

/** What an erasure deleted from logs.db. */
export interface SubjectLogsErased {
  events: number;
  hourlyRollups: number;
  dailyRollups: number;
}

// No index finds a device's rows (migration 2 dropped it: every insert paid for it), so a subject's
// rows are found by walking the table in id ranges, a range a step, yielding between steps so the
// batches that arrive meanwhile are written (DNS never waits for a subject-access request).
const SCAN_ROWS = 200_000;

const yieldToBatches = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A page of a subject's events, and the id to go on from (null: none left). */
export interface SubjectPage {
  events: QueryEvent[];
  next: number | null;
}

/**
 * The subject's events from id `fromId` on, in id order, at most `limit`: a busy device's month
 * is hundreds of thousands of events, more than the writer's small heap holds at once, so the
 * caller asks page by page (and batches are written between pages too).
 */
export async function subjectEventsPage(db: DatabaseSync, subject: string, fromId: number, limit: number): Promise<SubjectPage> {
  const events: QueryEvent[] = [];
  const newest = Number(db.prepare('SELECT coalesce(max(id), 0) AS id FROM query_events').get()?.id);
  const oldest = Number(db.prepare('SELECT coalesce(min(id), 1) AS id FROM query_events').get()?.id);
  const range = db.prepare('SELECT * FROM query_events WHERE id >= ? AND id < ? AND coalesce(device, client) = ? ORDER BY id');
  for (let from = Math.max(fromId, oldest); from <= newest && db.isOpen; from += SCAN_ROWS) {
    for (const r of range.iterate(from, from + SCAN_ROWS, subject)) {
      events.push(rowToEvent(r));
      if (events.length === limit) return { events, next: Number(r.id) + 1 };
    }
    await yieldToBatches();
  }
  return { events, next: null };
}

/** The subject's rollup rows, oldest first (the caller has written the pending counts). */
export function subjectRollups(db: DatabaseSync, subject: string): Pick<SubjectLogs, 'hours' | 'days'> {
  const rollups = (table: 'rollup_hours' | 'rollup_days', period: 'hour' | 'day'): RollupRow[] =>
    db.prepare(`SELECT ${period} AS period, network, device, category, verdict, count FROM ${table} WHERE device = ? ORDER BY ${period}, network, category, verdict`)
      .all(subject).map((r) => ({
        period: period === 'hour' ? Number(r.period) : String(r.period),
        network: String(r.network), device: String(r.device), category: String(r.category), verdict: String(r.verdict), count: Number(r.count),
      }));
  return { hours: rollups('rollup_hours', 'hour'), days: rollups('rollup_days', 'day') };
}

/**
 * Deletes the subject's events and rollups in one transaction (the caller has committed its own
 * and written the pending rollup counts first). A full scan of the table: seconds for a week of
 * a school's questions, during which batches wait in the channel (the DNS thread's in-flight
 * bound keeps them in its buffer past that).
 */
export function eraseSubjectLogs(db: DatabaseSync, subject: string): SubjectLogsErased {
  db.exec('BEGIN IMMEDIATE');
  try {
    const erased = {
      events: Number(db.prepare('DELETE FROM query_events WHERE coalesce(device, client) = ?').run(subject).changes),
      hourlyRollups: Number(db.prepare('DELETE FROM rollup_hours WHERE device = ?').run(subject).changes),
      dailyRollups: Number(db.prepare('DELETE FROM rollup_days WHERE device = ?').run(subject).changes),
    };
    // Every row left is counted: the mark comes down to the newest, whose id SQLite would reuse.
    db.exec('UPDATE rollup_mark SET id = (SELECT coalesce(max(id), 0) FROM query_events)');
    db.exec('COMMIT');
    return erased;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
