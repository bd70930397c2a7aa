// A class's devices' questions during a lesson, read through the writer thread: only those
// devices, only the span, newest first, with per-device counts and the most-blocked names, and
// never a restricted list's or the upstream provider's blocked name among them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EventBuffer, type QueryEvent } from '../../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { QueryLog } from '../../../../firmware/monitor/query-log/query-log.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-class-logs-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const A = 'aa:00:00:00:00:01';
const B = 'aa:00:00:00:00:02';
const OTHER = 'bb:00:00:00:00:09';

const event = (second: number, device: string | undefined, extra: Partial<QueryEvent> = {}): QueryEvent => ({
  at: T0 + second * 1000, network: 'pupil', client: '10.20.0.7', transport: 'udp', name: `site${second}.example`, qtype: 1,
  verdict: 'forwarded', rcode: 0, latencyMs: 1, ...(device ? { device } : {}), ...extra,
});

it("reads a set of devices' questions in a span, counted, the restricted ones never among the blocked names", async () => {
  const events = new EventBuffer(1000);
  const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000 });
  events.push(event(-10, A, { name: 'before.example' }));
  events.push(event(1, A));
  events.push(event(2, B, { verdict: 'blocked', category: 'gaming', name: 'game.example' }));
  events.push(event(3, A, { verdict: 'blocked', category: 'gaming', name: 'game.example' }));
  events.push(event(4, A, { verdict: 'blocked', category: 'gaming', name: 'game.example' }));
  events.push(event(5, B, { verdict: 'blocked', category: 'restricted', name: '(restricted)' }));
  events.push(event(6, B, { verdict: 'blocked', category: 'upstream-filter', name: 'provider-blocked.example' }));
  events.push(event(7, OTHER, { verdict: 'blocked', category: 'social', name: 'social.example' }));
  events.push(event(8, undefined, { name: 'no-device.example' }));
  events.push(event(9, B, { verdict: 'blocked', category: 'social', name: 'social.example' }));
  events.push(event(60, A, { name: 'after.example' }));
  log.flush();

  const got = await log.forDevices({ macs: [A, B, A], since: T0, until: T0 + 60_000, limit: 4 });
  expect(got.events.map((e) => e.name)).toEqual(['social.example', 'provider-blocked.example', '(restricted)', 'game.example']);
  expect(got.devices).toEqual([
    { device: A, questions: 3, blocked: 2, last: T0 + 4000 },
    { device: B, questions: 4, blocked: 4, last: T0 + 9000 },
  ]);
  expect(got.blocked).toEqual([
    { name: 'game.example', category: 'gaming', count: 3, devices: 2 },
    { name: 'social.example', category: 'social', count: 1, devices: 1 },
  ]);
  expect(await log.forDevices({ macs: [], since: T0, until: T0 + 60_000, limit: 10 })).toEqual({ events: [], devices: [], blocked: [] });
  log.close();
});
