// The rollups must always equal counting the raw events: whatever order batches arrive in, hours
// and days crossed (a clock change included), events from the past, and after retention has deleted
// raw rows (the rollups outlive them). Counted here from the events the test generated, by a
// different route than the writer's.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EventBuffer, type QueryEvent } from '../../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { QueryLog } from '../../../../firmware/monitor/query-log/query-log.ts';
import { DayOf, RollupCounts } from '../../../../firmware/monitor/query-log/rollups.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-rollups-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const HOUR = 3_600_000;
// Two days either side of the end of British Summer Time (01:00 UTC on 25 October 2026), when a
// UTC day and the school's day are an hour apart on one side and the same on the other.
const START = Date.UTC(2026, 9, 23, 12);
const SPAN = 4 * 24 * HOUR;
const ZONE = 'Europe/London';

const eventArb = fc.record({
  at: fc.integer({ min: START, max: START + SPAN }),
  network: fc.constantFrom('pupil', 'staff', null),
  client: fc.constantFrom('10.20.0.5', '10.20.0.6', '10.30.0.7'),
  device: fc.constantFrom('02:00:00:00:00:01', '02:00:00:00:00:02', undefined),
  category: fc.constantFrom('social', 'gambling', undefined),
  verdict: fc.constantFrom('forwarded', 'cached', 'blocked', 'refused' as const),
}).map((e): QueryEvent => ({
  at: e.at, network: e.network, client: e.client, transport: 'udp', name: 'x.example', qtype: 1, verdict: e.verdict, rcode: 0, latencyMs: 1,
  ...(e.device !== undefined ? { device: e.device } : {}), ...(e.category !== undefined ? { category: e.category } : {}),
}));

// Past COMMIT_ROWS (5000) in one go the writer commits on its own, between reads: the commits
// that leave their counts for the rollups written later.
const bigBatchArb = fc.tuple(eventArb, fc.integer({ min: 5000, max: 5200 }), fc.integer({ min: 1, max: 120_000 }))
  .map(([e, n, step]) => ({ batch: Array.from({ length: n }, (_, i) => ({ ...e, at: START + ((e.at - START + i * step) % SPAN) })) }));

const stepArb = fc.oneof(
  { weight: 4, arbitrary: fc.array(eventArb, { minLength: 1, maxLength: 40 }).map((batch) => ({ batch })) },
  { weight: 1, arbitrary: bigBatchArb },
  { weight: 1, arbitrary: fc.integer({ min: START, max: START + SPAN }).map((purgeBefore) => ({ purgeBefore })) },
);

/** The school's date of an instant, by another formatter than the writer's. */
const dayFormat = new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE, dateStyle: 'short' });
const schoolDay = (at: number): string => dayFormat.format(at);

function expected(events: readonly QueryEvent[]): { hours: Map<string, number>; days: Map<string, number> } {
  const hours = new Map<string, number>();
  const days = new Map<string, number>();
  for (const e of events) {
    const rest = [e.network ?? '', e.device ?? e.client, e.category ?? '', e.verdict].join('|');
    const hour = `${e.at - (e.at % HOUR)}|${rest}`;
    const day = `${schoolDay(e.at)}|${rest}`;
    hours.set(hour, (hours.get(hour) ?? 0) + 1);
    days.set(day, (days.get(day) ?? 0) + 1);
  }
  return { hours, days };
}

async function stored(log: QueryLog): Promise<{ hours: Map<string, number>; days: Map<string, number> }> {
  const key = (r: { period: number | string; network: string; device: string; category: string; verdict: string }) =>
    [r.period, r.network, r.device, r.category, r.verdict].join('|');
  const hours = await log.rollups({ kind: 'hours', from: START - HOUR, to: START + SPAN + HOUR });
  const days = await log.rollups({ kind: 'days', from: '2026-10-01', to: '2026-11-01' });
  return { hours: new Map(hours.map((r) => [key(r), r.count])), days: new Map(days.map((r) => [key(r), r.count])) };
}

it('rollups equal counting the raw events, across hours, days, past events and retention deletes', async () => {
  let run = 0;
  // Commits at once or after several batches, rollups written at every commit or only when read or purged.
  const timing = fc.record({ commitEveryMs: fc.constantFrom(1, 60_000), rollupEveryMs: fc.constantFrom(0, 60_000) });
  await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 12 }), timing, async (steps, { commitEveryMs, rollupEveryMs }) => {
    const events = new EventBuffer(10_000);
    const log = await QueryLog.open(join(dir, `logs-${run++}.db`), { events, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch: 10_000, maxInFlight: 1_000_000, commitEveryMs, rollupEveryMs, timezone: ZONE });
    try {
      const all: QueryEvent[] = [];
      let raw = 0;
      for (const step of steps) {
        if ('batch' in step) {
          for (const e of step.batch) events.push(e);
          expect(log.flush()).toBe(step.batch.length);
          all.push(...step.batch);
          raw += step.batch.length;
        } else {
          const removed = await log.purgeBefore(new Date(step.purgeBefore));
          raw -= removed;
          // The purge really deleted raw rows (so the rollups below are not read from them).
          expect(await log.count()).toBe(raw);
        }
      }
      expect(await stored(log)).toEqual(expected(all));
      // ...and still after every raw row has gone.
      await log.purgeBefore(new Date(START + SPAN + 1));
      expect(await log.count()).toBe(0);
      expect(await stored(log)).toEqual(expected(all));
    } finally {
      log.close();
    }
  }), { numRuns: 25 });
}, 120_000);

it('a device\'s rollups are read alone, and a device with none shows its client address', async () => {
  const events = new EventBuffer(100);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000, timezone: ZONE });
  try {
    const base = { network: 'pupil', transport: 'udp', name: 'a.example', qtype: 1, rcode: 0, latencyMs: 1 } as const;
    events.push({ ...base, at: START, client: '10.20.0.5', device: '02:00:00:00:00:01', verdict: 'forwarded' });
    events.push({ ...base, at: START + 1, client: '10.20.0.5', device: '02:00:00:00:00:01', verdict: 'forwarded' });
    events.push({ ...base, at: START + 2, client: '10.20.0.9', verdict: 'blocked', category: 'social' });
    log.flush();
    expect(await log.rollups({ kind: 'hours', from: START, to: START + HOUR, devices: ['02:00:00:00:00:01'] })).toEqual([
      { period: START, network: 'pupil', device: '02:00:00:00:00:01', category: '', verdict: 'forwarded', count: 2 },
    ]);
    expect(await log.rollups({ kind: 'days', from: '2026-10-23', to: '2026-10-24', devices: ['10.20.0.9'] })).toEqual([
      { period: '2026-10-23', network: 'pupil', device: '10.20.0.9', category: 'social', verdict: 'blocked', count: 1 },
    ]);
    expect(await log.rollups({ kind: 'hours', from: START + HOUR, to: START + 2 * HOUR })).toEqual([]);
  } finally {
    log.close();
  }
});

it('counts a day as the school\'s day: 23:30 UTC in summer is the next day in London', () => {
  const counts = new RollupCounts();
  counts.add(Date.UTC(2026, 6, 1, 23, 30), 'pupil', 'd', null, 'forwarded');
  counts.add(Date.UTC(2026, 11, 1, 23, 30), 'pupil', 'd', null, 'forwarded');
  const { hours, days } = counts.rows(new DayOf(ZONE).day);
  expect(hours.map((r) => r.period)).toEqual([Date.UTC(2026, 6, 1, 23), Date.UTC(2026, 11, 1, 23)]);
  expect(days.map((r) => r.period)).toEqual(['2026-07-02', '2026-12-01']);
});
