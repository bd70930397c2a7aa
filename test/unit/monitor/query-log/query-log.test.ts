import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EventBuffer, type QueryEvent } from '../../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { QueryLog } from '../../../../firmware/monitor/query-log/query-log.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-logs-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const event = (i: number, extra: Partial<QueryEvent> = {}): QueryEvent => ({
  at: Date.UTC(2026, 10, 23, 10, 0, i), network: 'pupil', client: `10.20.0.${i % 5}`, transport: 'udp',
  name: `site${i}.example`, qtype: 1, verdict: 'forwarded', rcode: 0, upstream: 'wan', latencyMs: 1.5, ...extra,
});

it('writes buffered events in batches and reads them back newest first', async () => {
  const events = new EventBuffer(100);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000, maxBatch: 7 });
  for (let i = 0; i < 20; i++) events.push(event(i, i === 3 ? { verdict: 'refused', category: 'social', list: 'social', watch: true } : {}));
  expect(log.flush()).toBe(7);
  expect(events.size).toBe(13);
  log.close();
  expect(events.size).toBe(0);

  const again = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000 });
  expect(await again.count()).toBe(20);
  const recent = await again.recent({ limit: 3 });
  expect(recent.map((e) => e.name)).toEqual(['site19.example', 'site18.example', 'site17.example']);
  expect((await again.recent({ client: '10.20.0.3', limit: 100 })).find((e) => e.name === 'site3.example'))
    .toEqual(event(3, { verdict: 'refused', category: 'social', list: 'social', watch: true }));
  again.close();
});

it('keeps the file private and purges by age for retention', async () => {
  const events = new EventBuffer(100);
  const file = join(dir, 'logs.db');
  const log = await QueryLog.open(file, { events, logger: silentLogger(), flushIntervalMs: 60_000 });
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  for (let i = 0; i < 10; i++) events.push(event(i));
  log.flush();
  expect(await log.purgeBefore(new Date(Date.UTC(2026, 10, 23, 10, 0, 4)))).toBe(4);
  expect(await log.count()).toBe(6);
  log.close();
});

it('drains on its own timer', async () => {
  const events = new EventBuffer(100);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 20 });
  events.push(event(1));
  await expect.poll(() => log.stats().written).toBe(1);
  log.close();
});

it('retention deletes what is older than the configured days, at start', async () => {
  const { startRetention } = await import('../../../../firmware/monitor/retention.ts');
  const events = new EventBuffer(100);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000 });
  const day = 86_400_000;
  const now = Date.UTC(2026, 10, 23);
  for (const age of [40, 31, 29, 1]) events.push(event(age, { at: now - age * day, name: `age${age}.example` }));
  log.flush();
  const { StateDatabase } = await import('../../../../firmware/state/database.ts');
  const state = StateDatabase.open(':memory:');
  const job = startRetention({ queryLog: log, networkEvents: state.networkEvents, retention: () => ({ queryEventsDays: 30, rollupsDays: 400, visitorRecordsDays: 90 }), timezone: () => 'Europe/London', logger: silentLogger(), now: () => now });
  await job.whenIdle();
  job.stop();
  expect((await log.recent({ limit: 10 })).map((e) => e.name).sort()).toEqual(['age1.example', 'age29.example']);
  log.close();
  state.close();
});

it('opens logs.db on the writer thread without holding this one (the daemon loads its lists meanwhile)', async () => {
  let turned = false;
  setImmediate(() => { turned = true; });
  const log = await QueryLog.open(join(dir, 'logs.db'), { events: new EventBuffer(10), logger: silentLogger(), flushIntervalMs: 60_000 });
  expect(turned).toBe(true);
  expect(await log.count()).toBe(0);
  log.close();
});
