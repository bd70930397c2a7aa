// logs.db: the query log. DNS decisions arrive through the bounded event buffer and are written
// here in batches, one transaction per batch, off the DNS hot path. This module is the file's one
// owner; the review, exports and retention ask it.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { EventBuffer, QueryEvent } from '../dns/events.ts';
import type { Logger } from '../log.ts';
import type { Migration } from '../state/migrate.ts';
import { closeSqliteFile, openSqliteFile } from '../state/sqlite-file.ts';

export const LOG_MIGRATIONS: readonly Migration[] = [
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
];

export interface QueryLogOptions {
  events: EventBuffer;
  logger: Logger;
  now?: () => Date;
  /** How often the buffer is drained (ms). */
  flushIntervalMs?: number;
  /** Rows per transaction at most; the rest waits for the next tick. */
  maxBatch?: number;
}

export interface QueryLogStats {
  written: number;
  writeErrors: number;
}

export class QueryLog {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #events: EventBuffer;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #timer: NodeJS.Timeout;
  #written = 0;
  #writeErrors = 0;

  constructor(file: string, options: QueryLogOptions) {
    this.#db = openSqliteFile(file, { name: 'logs.db', migrations: LOG_MIGRATIONS, now: options.now ?? (() => new Date()), logger: options.logger });
    this.#insert = this.#db.prepare(`
      INSERT INTO query_events (at, network, client, device, transport, name, qtype, verdict, rcode, category, list, watch, upstream, latency_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#events = options.events;
    this.#logger = options.logger;
    this.#maxBatch = options.maxBatch ?? 20_000;
    this.#timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 250);
    this.#timer.unref();
  }

  /** Writes what the buffer holds (up to one batch); returns the number of rows written. */
  flush(): number {
    const batch = this.#events.drain(this.#maxBatch);
    if (batch.length === 0) return 0;
    try {
      this.#db.exec('BEGIN');
      for (const e of batch) this.#write(e);
      this.#db.exec('COMMIT');
      this.#written += batch.length;
      return batch.length;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      this.#writeErrors++;
      // A full disk must not stop DNS: the batch is lost and counted, the service goes on.
      this.#logger.error({ err: error, lost: batch.length }, 'query log write failed');
      return 0;
    }
  }

  #write(e: QueryEvent): void {
    this.#insert.run(
      e.at, e.network, e.client, e.device ?? null, e.transport, e.name, e.qtype, e.verdict, e.rcode,
      e.category ?? null, e.list ?? null, e.watch ? 1 : 0, e.upstream ?? null, e.latencyMs,
    );
  }

  /** Deletes events older than `before`; returns how many. Retention calls this nightly. */
  purgeBefore(before: Date): number {
    return Number(this.#db.prepare('DELETE FROM query_events WHERE at < ?').run(before.getTime()).changes);
  }

  /** The newest events first, for `schoolgate log` and the review. */
  recent(options: { limit?: number; client?: string; network?: string } = {}): QueryEvent[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (options.client) { where.push('client = ?'); args.push(options.client); }
    if (options.network) { where.push('network = ?'); args.push(options.network); }
    args.push(Math.min(Math.max(options.limit ?? 50, 1), 10_000));
    const rows = this.#db.prepare(`SELECT * FROM query_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`).all(...args);
    return rows.map((r) => ({
      at: Number(r.at), network: r.network as string | null, client: String(r.client), transport: r.transport as QueryEvent['transport'],
      name: String(r.name), qtype: Number(r.qtype), verdict: r.verdict as QueryEvent['verdict'], rcode: Number(r.rcode),
      latencyMs: Number(r.latency_ms),
      ...(r.device !== null ? { device: String(r.device) } : {}),
      ...(r.upstream !== null ? { upstream: String(r.upstream) } : {}),
      ...(r.category !== null ? { category: String(r.category) } : {}),
      ...(r.list !== null ? { list: String(r.list) } : {}),
      ...(r.watch ? { watch: true } : {}),
    }));
  }

  count(): number {
    return Number(this.#db.prepare('SELECT count(*) AS n FROM query_events').get()?.n);
  }

  stats(): QueryLogStats {
    return { written: this.#written, writeErrors: this.#writeErrors };
  }

  /** Writes what is left, then closes the file. */
  close(): void {
    clearInterval(this.#timer);
    while (this.flush() > 0) { /* drain completely before closing */ }
    closeSqliteFile(this.#db);
  }
}
