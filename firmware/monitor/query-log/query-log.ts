// logs.db: the query log. DNS decisions arrive through the bounded event buffer; every 50 ms the
// DNS thread drains it straight into a packed batch (dns/event-batch.ts, no object per event) and hands it to
// the writer thread (query-log-writer.ts), which owns the file's one connection and writes the
// batches into a transaction it commits once a second. Inserts, commits and WAL checkpoints —
// about 2 µs an event plus an occasional 10–20 ms fsync when done here — so never stall an answer. This module and its writer
// are the file's one owner; the review, exports and retention ask it.
//
// Reads and purges are questions the writer answers on a port of their own (promises: this thread
// never waits for them), close a call it waits for; each comes in order after every batch
// handed over before it. Nothing is lost silently: a batch the writer cannot store is counted
// (writeErrors); when the writer falls behind, the buffer fills and the event buffer counts drops.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DatabaseSync } from 'node:sqlite';
import { Type, type Static } from 'typebox';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { packDrained } from '../../dns/events/event-batch.ts';
import type { EventBuffer, QueryEvent } from '../../dns/events/event-buffer.ts';
import type { Logger } from '../../log.ts';
import { siblingModule } from '../../paths.ts';
import {
  COMMIT_EVERY_MS, COMMITTED, DONE, FLAG_INDEX, ROLLUP_EVERY_MS, SHARED_BYTES, WRITE_ERRORS, WRITTEN, logMigrations,
  type KeepWindow, type RecentOptions, type RollupQuery, type RollupsPurged, type WriterCommand, type WriterData, type WriterMessage, type WriterQuestion, type WriterReply,
} from './query-log-schema.ts';
import type { SubjectLogs, SubjectLogsErased, SubjectPage } from '../subject/logs-subject.ts';
import type { Total, TotalsQuery } from './rollup-totals.ts';
import type { RollupRow } from './rollups.ts';
import { DEVICE_WINDOW_STEP_MS, type DevicesEvents, type DevicesQuery } from './device-events.ts';
import type { AlertCandidate } from '../alerts/alert-schema.ts';
import type { DnsAlertRulesData } from '../alerts/dns-alert-rules.ts';
import { WriterScheduling, WriterSchedulingState, type SetIdleScheduling } from './writer-scheduling.ts';

export { logMigrations } from './query-log-schema.ts';

const WRITER_URL = siblingModule(import.meta.url, 'query-log-writer');

export interface QueryLogOptions {
  events: EventBuffer;
  logger: Logger;
  now?: () => Date;
  /** How often the buffer is drained (ms). */
  flushIntervalMs?: number;
  /** Events per batch at most; the rest waits for the next tick. */
  maxBatch?: number;
  /** Events handed to the writer and not yet written, at most; past it the buffer is left to fill. */
  maxInFlight?: number;
  /** How long a read, purge or close may wait for the writer before it fails (ms); the open too, unless it migrates. */
  callTimeoutMs?: number;
  /** How long the open may take when logs.db has migrations to run (ms; default MIGRATE_TIMEOUT_MS). */
  migrateTimeoutMs?: number;
  /** How long written rows wait in the writer's open transaction before it commits (ms; default 1 s). */
  commitEveryMs?: number;
  /** The school's IANA time zone, whose days the daily rollups count (default Europe/London). */
  timezone?: string;
  /** How often committed rows' counts are written to the rollup tables (ms; default once a minute). */
  rollupEveryMs?: number;
  /** The netio addon's call: with it the writer runs in the idle scheduling class (writer-scheduling.ts). */
  setIdleScheduling?: SetIdleScheduling | undefined;
  /** The DNS alert rules the writer runs on every event it writes (dns-alert-rules.ts); none without. */
  alertRules?: DnsAlertRulesData | null;
  /** Where the candidates those rules raise go (the alert service), a batch's at a time. */
  onAlerts?: (candidates: AlertCandidate[]) => void;
}

export const QueryLogStatsSchema = Type.Object({
  written: Type.Integer({ minimum: 0, description: 'query events written to logs.db since start' }),
  committed: Type.Integer({ minimum: 0, description: 'of those, the events whose transaction has committed: what a crash cannot take back (the writer commits about once a second)' }),
  writeErrors: Type.Integer({ minimum: 0, description: 'batches lost to write errors (disk full?)' }),
  writer: WriterSchedulingState,
  writerReason: Type.Optional(Type.String({ description: 'why the writer is not in the idle class' })),
  writerFellBehind: Type.Integer({ minimum: 0, description: 'times the writer fell behind and left the idle class to catch up' }),
});
export type QueryLogStats = Static<typeof QueryLogStatsSchema>;

/**
 * An open that migrates may take this long. Migration 3 counts every stored event into the
 * rollups (~2.5 s per million rows on the 2-core test box, more on an SD card): a month of a big
 * school's questions is tens of millions, far past the minute a call may take, and an open cut
 * off there would be rolled back and tried again at every restart, never finishing.
 */
export const MIGRATE_TIMEOUT_MS = 60 * 60_000;

/**
 * The schema version of an existing logs.db and roughly how many events it holds, when it is
 * older than `latest` (read without writing: the writer migrates it). Undefined when it is new,
 * current or unreadable (the writer reports that).
 */
export function pendingMigration(file: string, latest: number): { from: number; events: number } | undefined {
  if (file === ':memory:' || !existsSync(file)) return undefined;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { readOnly: true });
    const from = Number(db.prepare('PRAGMA user_version').get()?.user_version);
    if (!(from > 0 && from < latest)) return undefined;
    // The id range, not count(*): that would read the whole table only to say how long this takes.
    const ids = db.prepare('SELECT coalesce(max(id) - min(id) + 1, 0) AS n FROM query_events').get();
    return { from, events: Number(ids?.n ?? 0) };
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

/** Events of one subject a page: ~5 MB of the writer's 64 MB heap. */
export const SUBJECT_PAGE = 20_000;

export class QueryLogError extends Error {
  override name = 'QueryLogError';
}

export class QueryLog {
  readonly #events: EventBuffer;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #callTimeoutMs: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #opening: Promise<void>;
  readonly #worker: Worker;
  readonly #replies: MessagePort;
  readonly #flag: Int32Array;
  readonly #counters: BigInt64Array;
  /** Events handed to the writer. */
  #sent = 0;
  /** Batches lost because the writer had stopped. */
  #lostBatches = 0;
  #stopped: string | undefined;
  #closed = false;
  /** Set once the writer has said which thread it is. */
  #scheduling: WriterScheduling | undefined;
  /** Questions in flight: each is told why it will never be answered (close, writer gone). */
  readonly #asking = new Set<(why: string) => void>();

  /**
   * Starts the writer thread, which opens (and migrates) logs.db; resolves once it has, or rejects
   * with why not. Nothing here waits for it: the daemon loads its lists meanwhile.
   */
  static async open(file: string, options: QueryLogOptions): Promise<QueryLog> {
    const log = new QueryLog(file, options);
    try {
      await log.#opening;
    } catch (error) {
      log.#closed = true;
      void log.#worker.terminate();
      log.#replies.close();
      throw error;
    }
    log.#timer = setInterval(() => log.flush(), options.flushIntervalMs ?? 50);
    log.#timer.unref();
    return log;
  }

  private constructor(file: string, options: QueryLogOptions) {
    this.#events = options.events;
    this.#logger = options.logger;
    this.#maxBatch = options.maxBatch ?? 5_000;
    this.#maxInFlight = options.maxInFlight ?? 50_000;
    this.#callTimeoutMs = options.callTimeoutMs ?? 60_000;
    const shared = new SharedArrayBuffer(SHARED_BYTES);
    this.#flag = new Int32Array(shared, 0, 1);
    this.#counters = new BigInt64Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.#replies = port1;
    const workerData: WriterData = { file, nowMs: options.now?.().getTime(), commitEveryMs: options.commitEveryMs ?? COMMIT_EVERY_MS, timezone: options.timezone ?? 'Europe/London', rollupEveryMs: options.rollupEveryMs ?? ROLLUP_EVERY_MS, shared, replyPort: port2, alertRules: options.alertRules ?? null };
    // The writer holds a batch and a prepared statement, nothing more: a small heap keeps the
    // gateway's memory down (each thread has its own V8 heap).
    this.#worker = new Worker(WRITER_URL, {
      workerData,
      transferList: [port2],
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 },
    });
    // The daemon's other handles keep it running; this thread must never be the reason it stays up.
    this.#worker.unref();
    this.#replies.unref();
    // Opening (migrations included) happens in the writer; its verdict is its first message.
    const pending = pendingMigration(file, Math.max(...logMigrations('UTC').map((m) => m.version)));
    const openTimeoutMs = pending === undefined ? this.#callTimeoutMs : options.migrateTimeoutMs ?? MIGRATE_TIMEOUT_MS;
    if (pending !== undefined) {
      this.#logger.info({ file, from: pending.from, events: pending.events }, 'logs.db is being migrated: the query log opens once its events are counted (minutes for tens of millions)');
    }
    let opened: (error?: Error) => void = () => {};
    this.#opening = new Promise((resolve, reject) => {
      const timer = setTimeout(() => opened(new QueryLogError(`the query log writer did not open logs.db within ${openTimeoutMs} ms`)), openTimeoutMs);
      opened = (error) => {
        opened = () => {};
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
    });
    this.#worker.on('message', (message: WriterMessage) => {
      if (message?.type === 'log') this.#logger[message.level](message.fields, message.message);
      else if (message?.type === 'alerts') this.#alerts(message.candidates, options.onAlerts);
      else if (message?.type === 'opened') {
        if (message.reply.ok && message.tid !== undefined) {
          this.#scheduling = new WriterScheduling({ setIdle: options.setIdleScheduling, tid: message.tid, logger: this.#logger });
        }
        opened(message.reply.ok ? undefined : Object.assign(new QueryLogError(message.reply.message), { name: message.reply.name }));
      }
    });
    this.#worker.on('error', (error) => {
      this.#stopped = error.message;
      opened(error);
      this.#abandonQuestions(error.message);
      this.#logger.error({ err: error }, 'query log writer failed; events are counted as lost until restart');
    });
    this.#worker.on('exit', (code) => {
      opened(new QueryLogError(`the query log writer stopped (exit code ${code}) before it opened logs.db`));
      this.#abandonQuestions(`the writer exited (code ${code})`);
      if (this.#closed) return;
      this.#stopped ??= `exit code ${code}`;
      this.#logger.error({ code }, 'query log writer stopped; events are counted as lost until restart');
    });
  }

  #alerts(candidates: AlertCandidate[], onAlerts: QueryLogOptions['onAlerts']): void {
    try {
      onAlerts?.(candidates);
    } catch (error) {
      this.#logger.error({ err: error, candidates: candidates.length }, 'alert candidates from the query log could not be handled');
    }
  }

  /** Replaces the DNS alert rules (a configuration change); events handed over after this use them. */
  setAlertRules(rules: DnsAlertRulesData | null): void {
    if (this.#closed || this.#stopped !== undefined) return;
    this.#worker.postMessage({ type: 'alert-rules', rules } satisfies WriterCommand);
  }

  /** Hands what the buffer holds (up to one batch) to the writer; returns the number of events. */
  flush(): number {
    if (this.#closed) return 0;
    const backlog = this.#sent - this.#done();
    this.#scheduling?.update(backlog);
    const room = this.#maxInFlight - backlog;
    if (room <= 0) return 0; // the writer is behind: leave the events in the buffer, which counts what it cannot keep
    if (this.#events.size === 0) return 0;
    const packed = packDrained(this.#events, Math.min(this.#maxBatch, room));
    if (this.#stopped !== undefined) {
      this.#lostBatches++;
      if (this.#lostBatches === 1) this.#logger.error({ reason: this.#stopped, lost: packed.count }, 'query log writer is not running; events lost');
      return packed.count;
    }
    this.#worker.postMessage({ type: 'batch', batch: packed } satisfies WriterCommand, [packed.words.buffer]);
    this.#sent += packed.count;
    return packed.count;
  }

  /**
   * Deletes events older than `before`; resolves to how many. Retention calls this hourly. The
   * writer deletes in chunks and writes the batches that arrive meanwhile. A `keep` window's rows
   * (an investigation whose evidence is not yet saved) stay, however old.
   */
  purgeBefore(before: Date, keep: readonly KeepWindow[] = []): Promise<number> {
    return this.#ask({ op: 'purgeBefore', before: before.getTime(), ...(keep.length > 0 ? { keep: keep.map((k) => ({ ...k })) } : {}) }) as Promise<number>;
  }

  /**
   * Every question one device asked from `since` to `until` (ms), oldest first: an investigation's
   * evidence. Read an hour at a time, so the writer writes the batches that arrive between reads.
   */
  async deviceWindow(mac: string, since: number, until: number): Promise<QueryEvent[]> {
    const events: QueryEvent[] = [];
    for (let from = since; from < until; from += DEVICE_WINDOW_STEP_MS) {
      const part = await this.#ask({ op: 'deviceWindow', args: { mac, since: from, until: Math.min(until, from + DEVICE_WINDOW_STEP_MS) } }) as QueryEvent[];
      for (const e of part) events.push(e);
    }
    return events;
  }

  /** The newest events first, for `schoolgate log` and the review. */
  recent(options: RecentOptions = {}): Promise<QueryEvent[]> {
    return this.#ask({ op: 'recent', args: { ...options } }) as Promise<QueryEvent[]>;
  }

  /** Rollup rows of a span of hours or days (rollups.ts), every event handed over before included. */
  rollups(query: RollupQuery): Promise<RollupRow[]> {
    return this.#ask({ op: 'rollups', args: query }) as Promise<RollupRow[]>;
  }

  /** Deletes hourly rollups older than `hoursBefore` and daily ones before the day `daysBefore` (YYYY-MM-DD). */
  purgeRollups(hoursBefore: Date, daysBefore: string): Promise<RollupsPurged> {
    return this.#ask({ op: 'purgeRollups', hoursBefore: hoursBefore.getTime(), daysBefore }) as Promise<RollupsPurged>;
  }

  /** Sums of rollup rows grouped by some of their columns (the weekly review: review-data.ts). */
  rollupTotals(query: TotalsQuery): Promise<Total[]> {
    return this.#ask({ op: 'rollupTotals', args: query }) as Promise<Total[]>;
  }

  /**
   * Every event and rollup row of a subject: a MAC, or the address of a client DHCP never named.
   * Asked a page at a time (the writer's heap is small); the rollups are read after the events, so
   * they count every event found.
   */
  async subject(subject: string): Promise<SubjectLogs> {
    const events: QueryEvent[] = [];
    for (let fromId: number | null = 0; fromId !== null;) {
      const page = await this.#ask({ op: 'subjectEvents', subject, fromId, limit: SUBJECT_PAGE }) as SubjectPage;
      for (const event of page.events) events.push(event);
      fromId = page.next;
    }
    const rollups = await this.#ask({ op: 'subjectRollups', subject }) as Pick<SubjectLogs, 'hours' | 'days'>;
    return { events, ...rollups };
  }

  /** Deletes a subject's events and rollups (one transaction); resolves to how many of each. */
  eraseSubject(subject: string): Promise<SubjectLogsErased> {
    return this.#ask({ op: 'eraseSubject', subject }) as Promise<SubjectLogsErased>;
  }

  /** A set of devices' questions from `since` to `until`: the newest, per-device counts, the most blocked names (device-events.ts). */
  forDevices(query: DevicesQuery): Promise<DevicesEvents> {
    return this.#ask({ op: 'forDevices', args: { ...query, macs: [...query.macs] } }) as Promise<DevicesEvents>;
  }

  count(): Promise<number> {
    return this.#ask({ op: 'count' }) as Promise<number>;
  }

  /**
   * A question for the writer, answered on a port of its own. Nothing here waits for it: this
   * thread answers DNS, and a count or an hour's purge takes the writer seconds. It sees every
   * batch handed over before it.
   */
  #ask(question: WriterQuestion): Promise<unknown> {
    if (this.#closed) return Promise.reject(new QueryLogError('the query log is closed'));
    if (this.#stopped !== undefined) return Promise.reject(new QueryLogError(`the query log writer is not running (${this.#stopped})`));
    const { port1, port2 } = new MessageChannel();
    return new Promise((resolve, reject) => {
      const settle = (error: Error | undefined, value?: unknown): void => {
        this.#asking.delete(abandon);
        port1.close();
        if (error) reject(error);
        else resolve(value);
      };
      const abandon = (why: string): void => settle(new QueryLogError(`${question.op} abandoned: ${why}`));
      this.#asking.add(abandon);
      port1.once('message', (reply: WriterReply) => {
        if (reply.ok) settle(undefined, reply.value);
        else settle(Object.assign(new QueryLogError(reply.message), { name: reply.name }));
      });
      this.#worker.postMessage({ type: 'ask', question, reply: port2 } satisfies WriterCommand, [port2]);
    });
  }

  stats(): QueryLogStats {
    const scheduling = this.#scheduling;
    const reason = scheduling ? scheduling.reason : 'the writer thread id is not known (not Linux?)';
    return {
      written: Number(Atomics.load(this.#counters, WRITTEN)),
      committed: Number(Atomics.load(this.#counters, COMMITTED)),
      writeErrors: Number(Atomics.load(this.#counters, WRITE_ERRORS)) + this.#lostBatches,
      writer: scheduling?.state ?? 'normal',
      ...(reason === undefined ? {} : { writerReason: reason }),
      writerFellBehind: scheduling?.raised ?? 0,
    };
  }

  /** Hands over what is left, waits until the writer has stored it and closed the file. */
  close(): void {
    if (this.#closed) return;
    clearInterval(this.#timer);
    // This thread waits for the close: the writer must not be left to spare CPU meanwhile.
    this.#scheduling?.leaveIdle();
    // Everything, even past the in-flight bound: the writer works through it before the close call.
    while (this.#events.size > 0) {
      const packed = packDrained(this.#events, this.#maxBatch);
      if (this.#stopped !== undefined) {
        this.#lostBatches++;
        continue;
      }
      this.#worker.postMessage({ type: 'batch', batch: packed } satisfies WriterCommand, [packed.words.buffer]);
      this.#sent += packed.count;
    }
    try {
      if (this.#stopped === undefined) {
        Atomics.store(this.#flag, FLAG_INDEX, 0);
        this.#worker.postMessage({ type: 'close' } satisfies WriterCommand);
        this.#await('close');
      }
    } finally {
      this.#closed = true;
      this.#replies.close();
      this.#abandonQuestions('the query log closed');
      void this.#worker.terminate();
    }
  }

  #abandonQuestions(why: string): void {
    for (const abandon of [...this.#asking]) abandon(why);
  }

  #done(): number {
    return Number(Atomics.load(this.#counters, DONE));
  }

  /** Blocks until the writer answers on the reply port (it sets the flag after posting). */
  #await(what: string): unknown {
    const deadline = performance.now() + this.#callTimeoutMs;
    for (;;) {
      const received = receiveMessageOnPort(this.#replies);
      if (received) {
        const reply = received.message as WriterReply;
        if (reply.ok) return reply.value;
        const error = new QueryLogError(reply.message);
        error.name = reply.name;
        throw error;
      }
      const left = deadline - performance.now();
      if (left <= 0) throw new QueryLogError(`the query log writer did not answer "${what}" within ${this.#callTimeoutMs} ms`);
      Atomics.wait(this.#flag, FLAG_INDEX, 0, Math.min(left, 100));
    }
  }
}
