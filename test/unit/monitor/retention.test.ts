// Each kind of record is deleted after its own time, by the scheduled job, on a clock the test sets.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EventBuffer, type QueryEvent } from '../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { QueryLog } from '../../../firmware/monitor/query-log/query-log.ts';
import { DayOf } from '../../../firmware/monitor/query-log/rollups.ts';
import { DEFAULT_ALERTS_DAYS, DEFAULT_HOURLY_ROLLUPS_DAYS, DEFAULT_NETWORK_EVENTS_DAYS, retentionCutoffs, startRetention } from '../../../firmware/monitor/retention.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-retention-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ZONE = 'Europe/London';
const dayOf = new DayOf(ZONE).day;

it('cuts whole hours and whole school days, and keeps hourly rollups 90 days when not set', () => {
  const now = Date.UTC(2026, 6, 10, 12, 34, 56);
  const cut = retentionCutoffs({ queryEventsDays: 30, rollupsDays: 400, visitorRecordsDays: 90 }, now, dayOf);
  expect(DEFAULT_HOURLY_ROLLUPS_DAYS).toBe(90);
  expect(cut.eventsBefore).toEqual(new Date(now - 30 * DAY));
  expect(cut.hoursBefore).toEqual(new Date(Date.UTC(2026, 3, 11, 12)));
  expect(cut.daysBefore).toBe('2025-06-05');
  expect(DEFAULT_NETWORK_EVENTS_DAYS).toBe(90);
  expect(cut.networkEventsBefore).toEqual(new Date(now - 90 * DAY));
  // 23:30 UTC in summer is already the next day at the school.
  const late = retentionCutoffs({ queryEventsDays: 1, hourlyRollupsDays: 2, rollupsDays: 3, visitorRecordsDays: 1 }, Date.UTC(2026, 6, 10, 23, 30), dayOf);
  expect(late.hoursBefore).toEqual(new Date(Date.UTC(2026, 6, 8, 23)));
  expect(late.daysBefore).toBe('2026-07-08');
});

it('deletes raw events, hourly and daily rollups each after its own days, hourly, as the clock moves', async () => {
  const events = new EventBuffer(100);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000, timezone: ZONE });
  let now = Date.UTC(2026, 10, 23, 10, 30);
  const ages = [1, 29, 31, 59, 61, 99, 101];
  const event = (age: number): QueryEvent => ({
    at: now - age * DAY, network: 'pupil', client: `10.20.0.${age}`, transport: 'udp', name: 'a.example', qtype: 1, verdict: 'forwarded', rcode: 0, latencyMs: 1,
  });
  for (const age of ages) events.push(event(age));
  log.flush();
  const retention = { queryEventsDays: 30, hourlyRollupsDays: 60, rollupsDays: 100, visitorRecordsDays: 90 };
  const state = StateDatabase.open(join(dir, 'state.db'));
  const job = startRetention({ queryLog: log, networkEvents: state.networkEvents, retention: () => retention, timezone: () => ZONE, logger: silentLogger(), now: () => now });
  try {
    await job.whenIdle();
    const devices = async (kind: 'hours' | 'days'): Promise<string[]> => {
      const rows = kind === 'hours'
        ? await log.rollups({ kind, from: 0, to: now + DAY })
        : await log.rollups({ kind, from: '2000-01-01', to: '2100-01-01' });
      return rows.map((r) => r.device).sort();
    };
    const clients = (...of: number[]) => of.map((age) => `10.20.0.${age}`).sort();
    expect((await log.recent({ limit: 100 })).map((e) => e.client).sort()).toEqual(clients(1, 29));
    expect(await devices('hours')).toEqual(clients(1, 29, 31, 59));
    expect(await devices('days')).toEqual(clients(1, 29, 31, 59, 61, 99));

    // Two days on, the next run takes what has since passed its time, and nothing else.
    now += 2 * DAY;
    expect(await job.runOnce()).toEqual({ events: 1, hourlyRollups: 1, dailyRollups: 1, networkEvents: 0, alerts: 0 });
    expect((await log.recent({ limit: 100 })).map((e) => e.client)).toEqual(clients(1));
    expect(await devices('hours')).toEqual(clients(1, 29, 31));
    expect(await devices('days')).toEqual(clients(1, 29, 31, 59, 61));
    expect(await job.runOnce()).toEqual({ events: 0, hourlyRollups: 0, dailyRollups: 0, networkEvents: 0, alerts: 0 });
  } finally {
    job.stop();
    log.close();
    state.close();
  }
});

it('deletes network events after retention.networkEventsDays (90 when not set), in state.db, hourly', async () => {
  const log = await QueryLog.open(join(dir, 'logs.db'), { events: new EventBuffer(10), logger: silentLogger(), flushIntervalMs: 60_000, timezone: ZONE });
  const state = StateDatabase.open(join(dir, 'state.db'));
  let now = Date.UTC(2026, 10, 23, 10, 30);
  const ages = [1, 29, 31, 89, 91, 200];
  for (const age of ages) {
    state.networkEvents.append({ at: new Date(now - age * DAY), kind: 'net.tethering', networkId: 'pupil', mac: '3c:22:fb:01:a2:9e', details: { age } });
  }
  const ageOf = (): number[] => state.networkEvents.list().map((e) => e.details.age as number).sort((a, b) => a - b);
  let retention: { queryEventsDays: number; rollupsDays: number; visitorRecordsDays: number; networkEventsDays?: number } = { queryEventsDays: 30, rollupsDays: 400, visitorRecordsDays: 90 };
  const job = startRetention({ queryLog: log, networkEvents: state.networkEvents, retention: () => retention, timezone: () => ZONE, logger: silentLogger(), now: () => now });
  try {
    await job.whenIdle();
    expect(ageOf()).toEqual([1, 29, 31, 89]);
    retention = { ...retention, networkEventsDays: 30 };
    expect((await job.runOnce()).networkEvents).toBe(2);
    expect(ageOf()).toEqual([1, 29]);
    now += 2 * DAY;
    expect((await job.runOnce()).networkEvents).toBe(1);
    expect(ageOf()).toEqual([1]);
  } finally {
    job.stop();
    log.close();
    state.close();
  }
});

it('deletes acknowledged alerts after their days (400 by default), keeping open ones, on the same schedule', async () => {
  const log = await QueryLog.open(join(dir, 'logs.db'), { events: new EventBuffer(10), logger: silentLogger(), flushIntervalMs: 60_000, timezone: ZONE });
  const state = StateDatabase.open(':memory:');
  const now = Date.UTC(2026, 10, 23, 10, 30);
  const raise = (ageDays: number, kind: 'dns.watch' | 'dns.bypass') => state.alerts.record({
    kind, severity: 'medium', at: new Date(now - ageDays * DAY).toISOString(), networkId: 'pupil', mac: null, address: `10.20.0.${ageDays}`, subject: 'x.example', reason: 'test',
  }, new Date(now)).alert;
  const ids = { oldAcked: raise(401, 'dns.watch').id, oldOpen: raise(402, 'dns.watch').id, recentAcked: raise(399, 'dns.bypass').id };
  for (const id of [ids.oldAcked, ids.recentAcked]) state.alerts.acknowledge(id, 'ssh:alice', 'done', new Date(now));
  const retention = { queryEventsDays: 30, rollupsDays: 400, visitorRecordsDays: 90 };
  const job = startRetention({ queryLog: log, networkEvents: state.networkEvents, alerts: state.alerts, retention: () => retention, timezone: () => ZONE, logger: silentLogger(), now: () => now });
  try {
    await job.whenIdle();
    expect(DEFAULT_ALERTS_DAYS).toBe(400);
    expect(state.alerts.list({ all: true }).map((a) => a.id).sort()).toEqual([ids.oldOpen, ids.recentAcked].sort());
    expect(await job.runOnce()).toMatchObject({ alerts: 0 });
  } finally {
    job.stop();
    log.close();
    state.close();
  }
});
