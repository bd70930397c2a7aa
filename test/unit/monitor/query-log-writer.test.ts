// The query log's writer thread: packed batches arrive intact, calls see every batch handed over
// before them, close() stores everything, and a file the writer cannot open fails the constructor.
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EventBuffer, type QueryEvent } from '../../../firmware/dns/events.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { QueryLog } from '../../../firmware/monitor/query-log.ts';
import { packBatch, packDrained } from '../../../firmware/dns/event-batch.ts';
import { unpackBatch } from '../../../firmware/monitor/query-log-schema.ts';
import { eventArb } from '../dns/event-arbitrary.ts';

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

it('stores every field of every event, in order, whatever the batch size (multi-row inserts and their remainder)', () => {
  fc.assert(fc.property(fc.array(eventArb, { maxLength: 150 }), fc.integer({ min: 1, max: 100 }), (events, maxBatch) => {
    const buffer = new EventBuffer(200);
    const log = new QueryLog(join(dir, `logs-${maxBatch}-${events.length}-${Math.random()}.db`), { events: buffer, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch });
    try {
      for (const e of events) buffer.push(e);
      while (log.flush() > 0);
      expect(log.recent({ limit: 10_000 }).reverse()).toEqual(events.map((e) => {
        const { device, upstream, category, list, watch, ...rest } = e;
        return { ...rest, ...(device !== undefined ? { device } : {}), ...(upstream ? { upstream } : {}), ...(category ? { category } : {}), ...(list ? { list } : {}), ...(watch ? { watch } : {}) };
      }));
    } finally {
      log.close();
    }
  }), { numRuns: 15 });
});

const event = (i: number): QueryEvent => ({
  at: Date.UTC(2026, 10, 23, 10, 0, 0, i), network: 'pupil', client: `10.20.0.${i % 7}`, transport: i % 3 ? 'udp' : 'tcp',
  name: `n${i}.example`, qtype: 1, verdict: 'blocked', rcode: 3, category: 'social', list: 'social', latencyMs: 0.25,
});

it('reads, counts and purges after every batch handed over before them', () => {
  const events = new EventBuffer(1000);
  const log = new QueryLog(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch: 10 });
  for (let i = 0; i < 25; i++) events.push(event(i));
  expect([log.flush(), log.flush(), log.flush(), log.flush()]).toEqual([10, 10, 5, 0]);
  expect(log.count()).toBe(25);
  expect(log.stats()).toEqual({ written: 25, writeErrors: 0 });
  expect(log.recent({ limit: 1 })[0]).toEqual(event(24));
  expect(log.recent({ client: '10.20.0.3', limit: 100 }).map((e) => e.name)).toEqual(['n24.example', 'n17.example', 'n10.example', 'n3.example']);
  expect(log.purgeBefore(new Date(Date.UTC(2026, 10, 23, 10, 0, 0, 20)))).toBe(20);
  expect(log.count()).toBe(5);
  log.close();
  expect(() => log.count()).toThrow(/closed/);
});

it('close() stores everything, even far past one batch and the in-flight bound', () => {
  const events = new EventBuffer(5000);
  const file = join(dir, 'logs.db');
  const log = new QueryLog(file, { events, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch: 7, maxInFlight: 20 });
  for (let i = 0; i < 3000; i++) events.push(event(i));
  log.close();
  expect(events.size).toBe(0);
  const again = new QueryLog(file, { events, logger: silentLogger(), flushIntervalMs: 60_000 });
  expect(again.count()).toBe(3000);
  expect(again.recent({ limit: 2 }).map((e) => e.name)).toEqual(['n2999.example', 'n2998.example']);
  again.close();
});

it('a file that is not a SQLite database fails the constructor, untouched', async () => {
  const file = join(dir, 'logs.db');
  await writeFile(file, 'not a database, just text that is long enough to have a header of sorts\n'.repeat(20), { mode: 0o600 });
  expect(() => new QueryLog(file, { events: new EventBuffer(10), logger: silentLogger() })).toThrow(/cannot be opened as logs.db/);
});
