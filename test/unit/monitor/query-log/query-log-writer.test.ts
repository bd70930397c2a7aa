// The query log's writer thread: packed batches arrive intact, calls see every batch handed over
// before them, close() stores everything, and a file the writer cannot open fails the constructor.
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EventBuffer, type QueryEvent } from '../../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { pendingMigration, QueryLog } from '../../../../firmware/monitor/query-log/query-log.ts';
import type { Logger } from '../../../../firmware/log.ts';
import { packBatch, packDrained } from '../../../../firmware/dns/events/event-batch.ts';
import { COMMIT_ROWS, logMigrations, unpackBatch } from '../../../../firmware/monitor/query-log/query-log-schema.ts';
import { migrate } from '../../../../firmware/state/migrate.ts';
import { eventArb } from '../../dns/event-arbitrary.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-logs-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

it('a packed batch unpacks to the same rows', () => {
  fc.assert(fc.property(fc.array(eventArb, { maxLength: 30 }), (events) => {
    const rows: unknown[][] = [];
    unpackBatch(structuredClone(packBatch(events)), (values) => rows.push([...values]));
    expect(rows).toEqual(events.map((e) => [
      e.at, e.network, e.client, e.device ?? null, e.transport, e.name, e.qtype, e.verdict, e.rcode,
      e.category ?? null, e.list ?? null, e.watch ? 1 : 0, e.upstream ?? null, e.latencyMs,
    ]));
  }));
});

it('packing straight from the event buffer gives the batch its drained events would', () => {
  fc.assert(fc.property(fc.array(eventArb, { maxLength: 60 }), fc.integer({ min: 1, max: 70 }), (events, max) => {
    const a = new EventBuffer(64);
    const b = new EventBuffer(64);
    for (const e of events) {
      a.push(e);
      b.push(e);
    }
    const packed = packDrained(a, max);
    expect(packed).toEqual(packBatch(b.drain(max)));
    expect(a.size).toBe(b.size);
  }));
});

it('stores every field of every event, in order, whatever the batch size (multi-row inserts and their remainder)', async () => {
  await fc.assert(fc.asyncProperty(fc.array(eventArb, { maxLength: 150 }), fc.integer({ min: 1, max: 100 }), async (events, maxBatch) => {
    const buffer = new EventBuffer(200);
    const log = await QueryLog.open(join(dir, `logs-${maxBatch}-${events.length}-${Math.random()}.db`), { events: buffer, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch });
    try {
      for (const e of events) buffer.push(e);
      while (log.flush() > 0);
      expect((await log.recent({ limit: 10_000 })).reverse()).toEqual(events.map((e) => {
        const { device, upstream, category, list, watch, ...rest } = e;
        return { ...rest, ...(device !== undefined ? { device } : {}), ...(upstream ? { upstream } : {}), ...(category ? { category } : {}), ...(list ? { list } : {}), ...(watch ? { watch } : {}) };
      }));
    } finally {
      log.close();
    }
  }), { numRuns: 15 });
});

const event = (i: number, extra: Partial<QueryEvent> = {}): QueryEvent => ({
  at: Date.UTC(2026, 10, 23, 10, 0, 0, i), network: 'pupil', client: `10.20.0.${i % 7}`, transport: i % 3 ? 'udp' : 'tcp',
  name: `n${i}.example`, qtype: 1, verdict: 'blocked', rcode: 3, category: 'social', list: 'social', latencyMs: 0.25, ...extra,
});

it('reads, counts and purges after every batch handed over before them', async () => {
  const events = new EventBuffer(1000);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch: 10 });
  for (let i = 0; i < 25; i++) events.push(event(i));
  expect([log.flush(), log.flush(), log.flush(), log.flush()]).toEqual([10, 10, 5, 0]);
  expect(await log.count()).toBe(25);
  expect(log.stats()).toMatchObject({ written: 25, writeErrors: 0 });
  expect((await log.recent({ limit: 1 }))[0]).toEqual(event(24));
  expect((await log.recent({ client: '10.20.0.3', limit: 100 })).map((e) => e.name)).toEqual(['n24.example', 'n17.example', 'n10.example', 'n3.example']);
  expect(await log.purgeBefore(new Date(Date.UTC(2026, 10, 23, 10, 0, 0, 20)))).toBe(20);
  expect(await log.count()).toBe(5);
  log.close();
  await expect(log.count()).rejects.toThrow(/closed/);
});

it('counts an event committed only once its transaction has committed, not when it is written into it', async () => {
  const events = new EventBuffer(100);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000, commitEveryMs: 60_000 });
  for (let i = 0; i < 12; i++) events.push(event(i));
  log.flush();
  // Written into the open transaction, which commits in a minute or at close: a crash now would
  // take these back, and the counter the durability soak reads says so.
  await expect.poll(() => log.stats().written).toBe(12);
  expect(await log.count()).toBe(12);
  expect(log.stats().committed).toBe(0);
  log.close();
  expect(log.stats()).toMatchObject({ written: 12, committed: 12 });
});

it('close() stores everything, even far past one batch and the in-flight bound', async () => {
  const events = new EventBuffer(5000);
  const file = join(dir, 'logs.db');
  const log = await QueryLog.open(file, { events, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch: 7, maxInFlight: 20 });
  for (let i = 0; i < 3000; i++) events.push(event(i));
  log.close();
  expect(events.size).toBe(0);
  const again = await QueryLog.open(file, { events, logger: silentLogger(), flushIntervalMs: 60_000 });
  expect(await again.count()).toBe(3000);
  expect((await again.recent({ limit: 2 })).map((e) => e.name)).toEqual(['n2999.example', 'n2998.example']);
  again.close();
});

it('a file that is not a SQLite database fails the constructor, untouched', async () => {
  const file = join(dir, 'logs.db');
  await writeFile(file, 'not a database, just text that is long enough to have a header of sorts\n'.repeat(20), { mode: 0o600 });
  await expect(QueryLog.open(file, { events: new EventBuffer(10), logger: silentLogger() })).rejects.toThrow(/cannot be opened as logs.db/);
});

const committedRows = (file: string): number => {
  const raw = new DatabaseSync(file, { readOnly: true });
  try {
    return Number(raw.prepare('SELECT count(*) AS n FROM query_events').get()?.n);
  } finally {
    raw.close();
  }
};

it('commits the rows of many batches together, seeing them itself at once, and commits all at close', async () => {
  const file = join(dir, 'logs.db');
  const events = new EventBuffer(100);
  const log = await QueryLog.open(file, { events, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch: 4, commitEveryMs: 60_000 });
  for (let i = 0; i < 10; i++) events.push(event(i));
  while (log.flush() > 0);
  // The writer's own connection sees its open transaction; another reader sees the last commit.
  expect(await log.count()).toBe(10);
  expect(log.stats().written).toBe(10);
  expect(committedRows(file)).toBe(0);
  log.close();
  expect(committedRows(file)).toBe(10);
});

it('commits on its own once the interval has passed', async () => {
  const file = join(dir, 'logs.db');
  const events = new EventBuffer(100);
  const log = await QueryLog.open(file, { events, logger: silentLogger(), flushIntervalMs: 60_000, commitEveryMs: 50 });
  try {
    for (let i = 0; i < 3; i++) events.push(event(i));
    log.flush();
    await expect.poll(() => committedRows(file), { timeout: 5000 }).toBe(3);
  } finally {
    log.close();
  }
});

it('opens a file from before the per-client index was dropped, keeping its rows, dropping the index and counting the rows into rollups', async () => {
  const file = join(dir, 'logs.db');
  const old = new DatabaseSync(file);
  migrate(old, logMigrations('Europe/London').slice(0, 1), { databaseName: 'logs.db', now: () => new Date() });
  old.prepare(`INSERT INTO query_events (at, network, client, transport, name, qtype, verdict, rcode, latency_ms)
    VALUES (1, 'pupil', '10.20.0.9', 'udp', 'kept.example', 1, 'forwarded', 0, 0.5)`).run();
  expect(old.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all().map((r) => r.name)).toContain('query_events_client_at');
  old.close();
  const log = await QueryLog.open(file, { events: new EventBuffer(10), logger: silentLogger(), flushIntervalMs: 60_000 });
  expect((await log.recent({ client: '10.20.0.9' })).map((e) => e.name)).toEqual(['kept.example']);
  // The rows already stored are counted into the rollups the upgrade adds.
  const counted = { network: 'pupil', device: '10.20.0.9', category: '', verdict: 'forwarded', count: 1 };
  expect(await log.rollups({ kind: 'hours', from: 0, to: 3_600_000 })).toEqual([{ period: 0, ...counted }]);
  expect(await log.rollups({ kind: 'days', from: '1970-01-01', to: '1970-01-02' })).toEqual([{ period: '1970-01-01', ...counted }]);
  log.close();
  const raw = new DatabaseSync(file, { readOnly: true });
  expect(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'query_events'").all().map((r) => r.name)).toEqual(['query_events_at']);
  expect(Number(raw.prepare('PRAGMA user_version').get()?.user_version)).toBe(3);
  raw.close();
});

it('gives an open that migrates its own time, not a call\'s: counting a month of events into rollups outlasts a minute', async () => {
  const file = join(dir, 'logs.db');
  const old = new DatabaseSync(file);
  migrate(old, logMigrations('Europe/London').slice(0, 2), { databaseName: 'logs.db', now: () => new Date() });
  const insert = old.prepare(`INSERT INTO query_events (at, network, client, transport, name, qtype, verdict, rcode, latency_ms)
    VALUES (?, 'pupil', '10.20.0.9', 'udp', 'kept.example', 1, 'forwarded', 0, 0.5)`);
  for (let i = 0; i < 500; i++) insert.run(i * 60_000);
  old.close();
  expect(pendingMigration(file, 3)).toEqual({ from: 2, events: 500 });
  const lines: string[] = [];
  const logger = { info: (_fields: unknown, msg: string) => lines.push(msg), warn: () => {}, error: () => {}, debug: () => {} } as unknown as Logger;
  // A call timeout no open could meet: the migrating open is held to migrateTimeoutMs instead.
  const log = await QueryLog.open(file, { events: new EventBuffer(10), logger, flushIntervalMs: 60_000, callTimeoutMs: 1 });
  expect(lines).toContain('logs.db is being migrated: the query log opens once its events are counted (minutes for tens of millions)');
  expect(pendingMigration(file, 3)).toBeUndefined();
  expect(await log.rollupTotals({ kind: 'days', from: '1970-01-01', to: '1970-01-02', by: [] })).toEqual([{ count: 500 }]);
  // The close is a call, held to the 1 ms given: it may or may not make it, and either way the
  // migration was committed at open.
  try { log.close(); } catch { /* see above */ }
});

it('counts at open the rows committed after the rollups were last written (a crash between the two)', async () => {
  const file = join(dir, 'logs.db');
  const events = new EventBuffer(100);
  const log = await QueryLog.open(file, { events, logger: silentLogger(), flushIntervalMs: 60_000 });
  events.push(event(1, { at: 7_200_000 }));
  log.close();
  // What a power cut leaves: rows committed, their counts (written once a minute) not.
  const raw = new DatabaseSync(file);
  raw.exec(`INSERT INTO query_events (at, network, client, transport, name, qtype, verdict, rcode, category, latency_ms)
    VALUES (7200001, 'pupil', '10.20.0.1', 'udp', 'a.example', 1, 'blocked', 3, 'social', 0.5), (7200002, 'pupil', '10.20.0.1', 'udp', 'b.example', 1, 'blocked', 3, 'social', 0.5)`);
  raw.close();
  const again = await QueryLog.open(file, { events, logger: silentLogger(), flushIntervalMs: 60_000 });
  const hours = await again.rollups({ kind: 'hours', from: 0, to: 4 * 3_600_000 });
  expect(hours.reduce((n, r) => n + r.count, 0)).toBe(3);
  expect(hours.map((r) => [r.period, r.device])).toEqual([[7_200_000, '10.20.0.1']]);
  again.close();
  // ...once: opening again counts nothing twice.
  const third = await QueryLog.open(file, { events, logger: silentLogger(), flushIntervalMs: 60_000 });
  expect((await third.rollups({ kind: 'hours', from: 0, to: 4 * 3_600_000 }))[0]?.count).toBe(3);
  third.close();
});

it('purges in chunks without holding this thread, writing what arrives meanwhile, and keeps every newer row', async () => {
  const events = new EventBuffer(200_000);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch: 5000, maxInFlight: 200_000 });
  try {
    const old = 45_000; // several chunks
    for (let i = 0; i < old; i++) events.push(event(i, { at: Date.UTC(2026, 9, 1) + i }));
    for (let i = 0; i < 10; i++) events.push(event(i, { at: Date.UTC(2026, 10, 23) + i, name: `new${i}.example` }));
    while (log.flush() > 0);
    const purging = log.purgeBefore(new Date(Date.UTC(2026, 10, 1)));
    // This thread goes on at once: more questions are logged while the writer deletes.
    expect(purging).toBeInstanceOf(Promise);
    for (let i = 0; i < 5; i++) events.push(event(i, { at: Date.UTC(2026, 10, 24) + i, name: `during${i}.example` }));
    log.flush();
    expect(await purging).toBe(old);
    expect(await log.count()).toBe(15);
    expect((await log.recent({ limit: 100 })).every((e) => e.name.startsWith('new') || e.name.startsWith('during'))).toBe(true);
  } finally {
    log.close();
  }
});

it('a purge the close overtakes is told so, not left waiting', async () => {
  const events = new EventBuffer(100_000);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch: 5000, maxInFlight: 100_000 });
  for (let i = 0; i < 60_000; i++) events.push(event(i, { at: Date.UTC(2026, 9, 1) + i }));
  while (log.flush() > 0);
  const purging = log.purgeBefore(new Date(Date.UTC(2026, 10, 1)));
  log.close();
  // Either it finished first (all 60,000 gone) or it was abandoned: never a hang.
  await purging.then((removed) => expect(removed).toBe(60_000), (error: Error) => expect(error.message).toMatch(/purge abandoned|closed/));
  await expect(log.purgeBefore(new Date())).rejects.toThrow(/closed/);
});

it('commits early once a transaction holds COMMIT_ROWS rows, so it never outgrows the page cache', async () => {
  const file = join(dir, 'logs.db');
  const events = new EventBuffer(COMMIT_ROWS + 100);
  const log = await QueryLog.open(file, { events, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch: 1000, maxInFlight: COMMIT_ROWS + 100, commitEveryMs: 60_000 });
  try {
    for (let i = 0; i < COMMIT_ROWS + 10; i++) events.push(event(i));
    while (log.flush() > 0);
    expect(await log.count()).toBe(COMMIT_ROWS + 10);
    // The batches up to COMMIT_ROWS were committed without waiting for the minute; the rest wait.
    expect(committedRows(file)).toBe(COMMIT_ROWS);
  } finally {
    log.close();
  }
});
