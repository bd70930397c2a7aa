// What the query log (query-log.ts, on the DNS thread) and its writer thread (query-log-writer.ts)
// share: the table, the rows a packed batch of events (dns/event-batch.ts) becomes, and the
// messages between them.
import { eachPacked, type PackedBatch } from '../../dns/events/event-batch.ts';
import type { QueryEvent, Transport } from '../../dns/events/event-buffer.ts';
import type { MessagePort } from 'node:worker_threads';
import type { DatabaseSync } from 'node:sqlite';
import type { Migration } from '../../state/migrate.ts';
import type { AlertCandidate } from '../alerts/alert-schema.ts';
import type { DnsAlertRulesData } from '../alerts/dns-alert-rules.ts';
import { DayOf, HOUR_MS, type RollupRow } from './rollups.ts';
import type { TotalsQuery } from './rollup-totals.ts';
import type { DevicesQuery, DeviceWindowQuery } from './device-events.ts';

/** The rollup tables' upserts: a count is added to the row of its period, made if it is new. */
export const UPSERT_HOUR = `INSERT INTO rollup_hours (hour, network, device, category, verdict, count) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT DO UPDATE SET count = count + excluded.count`;
export const UPSERT_DAY = `INSERT INTO rollup_days (day, network, device, category, verdict, count) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT DO UPDATE SET count = count + excluded.count`;

/** Adds counts to the rollup tables (inside the caller's transaction). */
export function addRollups(rows: { hours: readonly RollupRow[]; days: readonly RollupRow[] }, hour: (...values: (string | number)[]) => unknown, day: (...values: (string | number)[]) => unknown): void {
  for (const r of rows.hours) hour(r.period, r.network, r.device, r.category, r.verdict, r.count);
  for (const r of rows.days) day(r.period, r.network, r.device, r.category, r.verdict, r.count);
}

/**
 * logs.db's schema. The daily rollups are the school's days, so the migration that first counts
 * the rows already stored needs the school's time zone.
 */
export function logMigrations(timezone: string): readonly Migration[] {
  return [
    {
      version: 1,
      name: 'query events',
      up: `
        CREATE TABLE query_events (
          id INTEGER PRIMARY KEY,
          at INTEGER NOT NULL,
          network TEXT,
          client TEXT NOT NULL,
          device TEXT,
          transport TEXT NOT NULL,
          name TEXT NOT NULL,
          qtype INTEGER NOT NULL,
          verdict TEXT NOT NULL,
          rcode INTEGER NOT NULL,
          category TEXT,
          list TEXT,
          watch INTEGER NOT NULL DEFAULT 0,
          upstream TEXT,
          latency_ms REAL NOT NULL
        ) STRICT;
        CREATE INDEX query_events_at ON query_events (at);
        CREATE INDEX query_events_client_at ON query_events (client, at);
      `,
    },
    {
      // Every row went into the (client, at) index at its client's place, in the middle of the tree:
      // with 300 devices each row rewrote a page of its own, ~5.7 KB written to the SD card per row
      // of ~100 bytes, and 9–13 µs of CPU (measured: 242 B and 2 µs without it, the `at` index kept).
      // A device's questions are found by time instead (the newest rows, or an hour's), and the
      // weekly review will read hourly rollups.
      version: 2,
      name: 'no per-client index on query events',
      up: `DROP INDEX query_events_client_at;`,
    },
    {
      // Keyed by period, then device: the weekly review reads a span of periods, one device's week
      // or a class of devices live is a seek per period and device. No second index: each would
      // cost every commit its own pages (an SD card's wear) for reads this key already serves.
      // NULL cannot be part of a WITHOUT ROWID key: no network or category is ''.
      version: 3,
      name: 'hourly and daily rollups',
      up: (db) => {
        db.exec(`
          CREATE TABLE rollup_hours (
            hour INTEGER NOT NULL,
            network TEXT NOT NULL,
            device TEXT NOT NULL,
            category TEXT NOT NULL,
            verdict TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (hour, device, network, category, verdict)
          ) STRICT, WITHOUT ROWID;
          CREATE TABLE rollup_days (
            day TEXT NOT NULL,
            network TEXT NOT NULL,
            device TEXT NOT NULL,
            category TEXT NOT NULL,
            verdict TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, device, network, category, verdict)
          ) STRICT, WITHOUT ROWID;
        `);
        backfillRollups(db, timezone);
        // The newest row the rollups count (query-log-writer.ts: the rows after it are counted at open).
        db.exec(`
          CREATE TABLE rollup_mark (id INTEGER NOT NULL) STRICT;
          INSERT INTO rollup_mark SELECT coalesce(max(id), 0) FROM query_events;
        `);
      },
    },
  ];
}

/**
 * Counts the events a logs.db from before rollups already holds, so its rollups start complete:
 * SQLite groups the hours (a month of rows is too many keys for the writer's small heap), and the
 * days are added up from the hours.
 */
function backfillRollups(db: DatabaseSync, timezone: string): void {
  db.exec(`INSERT INTO rollup_hours (hour, network, device, category, verdict, count)
    SELECT (at / ${HOUR_MS}) * ${HOUR_MS}, coalesce(network, ''), coalesce(device, client), coalesce(category, ''), verdict, count(*)
    FROM query_events GROUP BY 1, 2, 3, 4, 5`);
  const dayOf = new DayOf(timezone).day;
  const days = new Map<string, RollupRow>();
  for (const r of db.prepare('SELECT hour, network, device, category, verdict, count FROM rollup_hours').iterate()) {
    const row = { period: dayOf(Number(r.hour)), network: String(r.network), device: String(r.device), category: String(r.category), verdict: String(r.verdict), count: Number(r.count) };
    const key = [row.period, row.network, row.device, row.category, row.verdict].join('\u0000');
    const seen = days.get(key);
    if (seen) seen.count += row.count;
    else days.set(key, row);
  }
  const day = db.prepare(UPSERT_DAY);
  addRollups({ hours: [], days: [...days.values()] }, () => undefined, (...v) => day.run(...v));
}

/** Columns of one row, as the INSERT takes them. */
export const ROW_COLUMNS = 14;

/** One row as the INSERT takes it (column order of the statement in query-log-writer.ts). */
export type Row = [
  at: number, network: string | null, client: string, device: string | null, transport: Transport, name: string, qtype: number,
  verdict: string, rcode: number, category: string | null, list: string | null, watch: number, upstream: string | null, latencyMs: number,
];

/** Calls `row` for each event of `batch`, oldest first, reusing one array. */
export function unpackBatch(batch: PackedBatch, row: (values: Row) => void): void {
  const values = [0, null, '', null, 'udp', '', 0, '', 0, null, null, 0, null, 0] as Row;
  eachPacked(batch, (e) => {
    values[0] = e.at;
    values[1] = e.network;
    values[2] = e.client;
    values[3] = e.device ?? null;
    values[4] = e.transport;
    values[5] = e.name;
    values[6] = e.qtype;
    values[7] = e.verdict;
    values[8] = e.rcode;
    values[9] = e.category ?? null;
    values[10] = e.list ?? null;
    values[11] = e.watch ? 1 : 0;
    values[12] = e.upstream ?? null;
    values[13] = e.latencyMs;
    row(values);
  });
}

// Messages to the writer thread, in order on one channel: batches and calls never overtake each other.
export type WriterCommand =
  | { type: 'batch'; batch: PackedBatch }
  /** Questions answered on a port of their own, so the DNS thread never waits for them. */
  | { type: 'ask'; question: WriterQuestion; reply: MessagePort }
  /** The one command the DNS thread waits for (on the shared reply port): at shutdown. */
  | { type: 'close' }
  /** New alert rules (a configuration change); null switches them off. */
  | { type: 'alert-rules'; rules: DnsAlertRulesData | null };

export type WriterQuestion =
  | { op: 'recent'; args: RecentOptions }
  | { op: 'count' }
  /** Deletes rows older than `before` (ms) in chunks, writing batches between them; never a `keep` window's rows. */
  | { op: 'purgeBefore'; before: number; keep?: KeepWindow[] }
  | { op: 'rollups'; args: RollupQuery }
  /** Deletes hourly rollups before `hoursBefore` (ms) and daily ones before `daysBefore` (YYYY-MM-DD). */
  | { op: 'purgeRollups'; hoursBefore: number; daysBefore: string }
  /** Sums of rollup rows grouped by some of their columns (rollup-totals.ts). */
  | { op: 'rollupTotals'; args: TotalsQuery }
  /** A page of one subject's events, a MAC or an unnamed client's address (logs-subject.ts)... */
  | { op: 'subjectEvents'; subject: string; fromId: number; limit: number }
  /** ...and its rollup rows. */
  | { op: 'subjectRollups'; subject: string }
  /** Deletes them, in one transaction. */
  | { op: 'eraseSubject'; subject: string }
  /** A set of devices' questions over a recent span (device-events.ts). */
  | { op: 'forDevices'; args: DevicesQuery }
  /** One device's questions over a span of an investigation's window (device-events.ts). */
  | { op: 'deviceWindow'; args: DeviceWindowQuery };

/** One device's rows a purge leaves alone (an investigation's window: its evidence is not saved yet). */
export interface KeepWindow {
  mac: string;
  /** ms since the epoch; `since` included, `until` not. */
  since: number;
  until: number;
}

/** Rollup rows a purge deleted. */
export interface RollupsPurged {
  hours: number;
  days: number;
}

/**
 * Rollup rows of a span of periods, `from` included and `to` not: hours as ms (hour starts), days
 * as the school's "YYYY-MM-DD"; with `devices`, only theirs (a device's week, a class's devices).
 */
export type RollupQuery =
  | { kind: 'hours'; from: number; to: number; devices?: string[] }
  | { kind: 'days'; from: string; to: string; devices?: string[] };

/** The newest events, newest first; with a client or network, among the newest million rows only. */
export interface RecentOptions {
  limit?: number;
  client?: string;
  network?: string;
}

/** The answer to a call (or to the opening of the file), on the reply port. */
export type WriterReply = { ok: true; value: unknown } | { ok: false; name: string; message: string };

/** Log lines from the writer thread, re-logged by the DNS thread's logger. */
export interface WriterLog {
  type: 'log';
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** The writer's first word: logs.db opened (and migrated), or why not. */
export interface WriterOpened {
  type: 'opened';
  reply: WriterReply;
  /** The writer's OS thread id, for its scheduling class (writer-scheduling.ts); absent off Linux. */
  tid?: number | undefined;
}

/** The alert candidates a batch's events raised (dns-alert-rules.ts), for the main thread's alert service. */
export interface WriterAlerts {
  type: 'alerts';
  candidates: AlertCandidate[];
}

/** What the writer says on its own port (answers to calls come on the reply port). */
export type WriterMessage = WriterLog | WriterOpened | WriterAlerts;

export interface WriterData {
  file: string;
  /** The migration clock at construction (a function cannot cross threads). */
  nowMs: number | undefined;
  /** How long rows wait in the open transaction before it is committed (ms). */
  commitEveryMs: number;
  /** The school's IANA time zone: the daily rollups are its days. */
  timezone: string;
  /** How often the counts of committed rows are written to the rollup tables at most (ms; default ROLLUP_EVERY_MS). */
  rollupEveryMs: number;
  /** SharedArrayBuffer: [0] reply flag (Int32), then BigInt64 counters written, writeErrors, done. */
  shared: SharedArrayBuffer;
  replyPort: MessagePort;
  /** The DNS alert rules every event passes as it is written; null: none. */
  alertRules: DnsAlertRulesData | null;
}

// A commit writes every page the rows touched since the last one to the WAL, and a page is
// written once however many rows it took: at a school's few hundred questions a second, a commit
// each 50 ms batch wrote ~1 KB per ~100-byte row, a commit a second ~0.25 KB (measured with 300
// devices). The cost: a power cut loses up to a second of log, which synchronous=NORMAL already
// allows for the last commits.
export const COMMIT_EVERY_MS = 1000;
// ...or sooner, once a transaction holds this many rows: past SQLite's 2 MB page cache it spills
// dirty pages mid-transaction, and at 50k questions a second that cost the writer more than the
// commits it saved (3.2-3.4 against 2.8-2.9 µs a row).
export const COMMIT_ROWS = 5000;

// Rollups are written once a minute, not at every commit: the ~8 pages of a commit's rollup rows
// (300 devices, an hour's and a day's rows each) doubled the bytes written a row at 50 questions a
// second (641 → 1300 B). Once a minute, over a minute: 691 → 717 B a row at 50 a second, 285 → 288
// at 500 (npm run bench:querylog -- --seconds 60 --clients 300 --commit-every-ms 1000 --rate 50|500).
export const ROLLUP_EVERY_MS = 60_000;
// ...or sooner, once this many counts wait (events from the past spread over many hours).
export const ROLLUP_KEYS = 20_000;

// Layout of `shared`.
export const SHARED_BYTES = 40;
export const FLAG_INDEX = 0; // Int32 index
export const WRITTEN = 1; // BigInt64 indexes
export const WRITE_ERRORS = 2;
/** Events the writer has finished with (written or lost to an error). */
export const DONE = 3;
/**
 * Events whose transaction has committed: WRITTEN counts a row once it is in the open transaction,
 * up to COMMIT_EVERY_MS before a crash could no longer take it back.
 */
export const COMMITTED = 4;
