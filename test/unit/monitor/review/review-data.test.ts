// The review's reads from rollups hold what counting the raw events gives, for a school week in
// the school's time zone (the week the clocks go back), through the real writer thread.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EventBuffer, type QueryEvent } from '../../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { QueryLog } from '../../../../firmware/monitor/query-log/query-log.ts';
import { deviceWeek, reviewWeek, weekOf } from '../../../../firmware/monitor/review/review-data.ts';
import { DeviceWeek, ReviewWeek } from '../../../../firmware/monitor/review/review-data-schema.ts';
import { DayOf, hourOf } from '../../../../firmware/monitor/query-log/rollups.ts';
import type { GuestSession } from '../../../../firmware/portal/vouchers/guest-identity.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-review-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const ZONE = 'Europe/London';
const HOUR = 3_600_000;

it('finds the school week of a day: Monday 00:00 at the school to the next, across a clock change', () => {
  const week = weekOf('2026-10-22', ZONE);
  expect(week).toEqual({
    timezone: ZONE, from: '2026-10-19', to: '2026-10-26',
    fromMs: Date.UTC(2026, 9, 18, 23), toMs: Date.UTC(2026, 9, 26, 0),
  });
  expect(weekOf('2026-10-19', ZONE).from).toBe('2026-10-19');
  expect(weekOf('2026-10-25', ZONE).from).toBe('2026-10-19');
  expect(weekOf('2026-10-26', ZONE).from).toBe('2026-10-26');
  expect(() => weekOf('22/10/2026', ZONE)).toThrow(/not a day/);
});

/** A small seeded generator: the same events every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

it('reads totals, top blocked categories, repeated blocks and a device\'s week equal to counting the raw events', async () => {
  const rand = random(19);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const week = weekOf('2026-10-22', ZONE);
  const events: QueryEvent[] = [];
  // From a day before the week to a day after it, so its edges are tested.
  for (let i = 0; i < 4000; i++) {
    const at = week.fromMs - 24 * HOUR + Math.floor(rand() * (week.toMs - week.fromMs + 48 * HOUR));
    const device = pick(['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03', '02:00:00:00:00:04', undefined]);
    // Device 1 is blocked most, so some devices pass the threshold and some do not.
    const blocked = rand() < (device === '02:00:00:00:00:01' ? 0.5 : 0.05);
    events.push({
      at, network: pick(['pupil', 'staff', null]), client: device ? '10.20.0.5' : '10.20.0.99', ...(device ? { device } : {}), transport: 'udp',
      name: 'x.example', qtype: 1, verdict: blocked ? 'blocked' : 'forwarded', rcode: 0, latencyMs: 1,
      ...(blocked ? { category: pick(['adult', 'gambling', 'violence']) } : rand() < 0.3 ? { category: 'social' } : {}),
    });
  }
  const buffer = new EventBuffer(8192);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events: buffer, logger: silentLogger(), flushIntervalMs: 60_000, timezone: ZONE });
  try {
    for (const e of events) buffer.push(e);
    log.flush();
    const source = { queryLog: log, timezone: ZONE };
    const review = await reviewWeek(source, '2026-10-22', { minBlocked: 60 });
    expect(Value.Check(ReviewWeek, review)).toBe(true);

    // The same from the raw events.
    const dayOf = new DayOf(ZONE).day;
    const inWeek = events.filter((e) => e.at >= week.fromMs && e.at < week.toMs);
    const count = <K extends string>(rows: QueryEvent[], key: (e: QueryEvent) => K): Map<K, number> => {
      const out = new Map<K, number>();
      for (const e of rows) out.set(key(e), (out.get(key(e)) ?? 0) + 1);
      return out;
    };
    const totals = count(inWeek, (e) => [dayOf(hourOf(e.at)), e.network ?? '', e.category ?? '', e.verdict].join('|'));
    expect(new Map(review.totals.map((t) => [[t.day, t.network, t.category, t.verdict].join('|'), t.count]))).toEqual(totals);
    expect(new Set(review.totals.map((t) => t.day))).toEqual(new Set(['2026-10-19', '2026-10-20', '2026-10-21', '2026-10-22', '2026-10-23', '2026-10-24', '2026-10-25']));
    const blocked = inWeek.filter((e) => e.verdict === 'blocked');
    const top = [...count(blocked, (e) => e.category ?? '')].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    expect(review.topBlockedCategories).toEqual(top.map(([category, n]) => ({ category, count: n })));
    const perDevice = count(blocked, (e) => e.device ?? e.client);
    const repeated = [...perDevice].filter(([, n]) => n >= 60).sort((a, b) => b[1] - a[1]);
    expect(repeated.length).toBeGreaterThan(0);
    expect(repeated.length).toBeLessThan(perDevice.size);
    expect(review.repeatedBlocks.map((d) => [d.device, d.count])).toEqual(repeated);
    const first = review.repeatedBlocks[0]!;
    expect(new Map(first.categories.map((c) => [c.category, c.count]))).toEqual(count(blocked.filter((e) => (e.device ?? e.client) === first.device), (e) => e.category ?? ''));

    const device = '02:00:00:00:00:02';
    const mine = inWeek.filter((e) => e.device === device);
    const one = await deviceWeek(source, device, '2026-10-25');
    expect(Value.Check(DeviceWeek, one)).toBe(true);
    expect(new Map(one.hours.map((h) => [[h.hour, h.network, h.category, h.verdict].join('|'), h.count])))
      .toEqual(count(mine, (e) => [hourOf(e.at), e.network ?? '', e.category ?? '', e.verdict].join('|')));
    expect(new Map(one.categories.map((c) => [`${c.category}|${c.verdict}`, c.count]))).toEqual(count(mine, (e) => `${e.category ?? ''}|${e.verdict}`));

    // A device signed in with a voucher in the week is named by its visitor and sponsor; one whose
    // session ended before the week, and one never signed in, are not.
    const session = (mac: string, from: number, until: number): GuestSession => ({
      mac, networkId: 'guest', from: new Date(from).toISOString(), until: new Date(until).toISOString(),
      visitor: 'Ada Supply', organisation: 'County Supply Ltd', sponsor: 'Amy Teacher', label: 'Ada Supply', issuedBy: 'account:amy',
    });
    const sessions = [session('02:00:00:00:00:01', week.fromMs + 10 * HOUR, week.fromMs + 12 * HOUR), session('02:00:00:00:00:02', week.fromMs - 72 * HOUR, week.fromMs - 70 * HOUR)];
    const named = { ...source, guestSessions: (mac: string) => sessions.filter((x) => x.mac === mac) };
    const ada = ['visitor Ada Supply (County Supply Ltd), sponsored by Amy Teacher'];
    const namedReview = await reviewWeek(named, '2026-10-22', { minBlocked: 60 });
    expect(Value.Check(ReviewWeek, namedReview)).toBe(true);
    expect(namedReview.repeatedBlocks.filter((d) => d.visitors).map((d) => [d.device, d.visitors])).toEqual([['02:00:00:00:00:01', ada]]);
    expect((await deviceWeek(named, '02:00:00:00:00:01', '2026-10-25')).visitors).toEqual(ada);
    expect(await deviceWeek(named, device, '2026-10-25')).not.toHaveProperty('visitors');
  } finally {
    log.close();
  }
});
