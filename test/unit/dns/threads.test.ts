// dns.threads = 2: the main DnsService and one worker thread share a UDP port (SO_REUSEPORT) and
// the kernel spreads the questions between them by source port. Whichever thread answers, the
// lists must be the same, and the events and counters must reach the main thread.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CATEGORY_SEVERITY } from '../../../firmware/config/defaults.ts';
import { parseIPv4 } from '../../../firmware/clients/ip.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { DnsThreads } from '../../../firmware/dns/listen/dns-threads.ts';
import type { QueryEvent } from '../../../firmware/dns/events/event-buffer.ts';
import { DnsService } from '../../../firmware/dns/service.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { compileLists } from '../../../firmware/rules/load-lists.ts';
import { ask, baseConfig, GATEWAY, PUPIL, useScriptedUpstream, writeLists, type ListSpec } from './filtering/harness.ts';
import { DEFAULT_V4 } from './filtering/scripted-upstream.ts';

const SOCIAL: ListSpec = { id: 'social', category: 'social', text: 'chatter.test\n' };
const upstream = useScriptedUpstream();

interface Threaded {
  service: DnsService;
  threads: DnsThreads;
  port: number;
  config: Config;
  load(lists: ListSpec[]): Promise<void>;
  stop(): Promise<void>;
}

const running: Threaded[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
  upstream.clear();
});

async function startThreaded(lists: ListSpec[] = [SOCIAL]): Promise<Threaded> {
  const config = baseConfig(upstream.port, lists);
  config.dns.threads = 2;
  const listsDir = await mkdtemp(join(tmpdir(), 'schoolgate-threads-'));
  const service = new DnsService({ severity: CATEGORY_SEVERITY, config, logger: silentLogger(), resolvConfPath: '/nonexistent' });
  const threads = new DnsThreads({ service, config, logger: silentLogger(), resolvConfPath: '/nonexistent' });
  // As the daemon does: the lists manager's target is the threads, not the main service alone.
  const load = async (lists: ListSpec[]): Promise<void> => {
    await writeLists(listsDir, lists);
    const compiled = await compileLists(config, { listsDir, seed: 0x5eed });
    threads.setLists(compiled.matcher, compiled.listIds, compiled.extras);
  };
  await load(lists);
  await service.start();
  await threads.start();
  const port = service.stats().listening.find((l) => l.transport === 'udp')!.port;
  const t: Threaded = {
    service, threads, port, config, load,
    stop: async () => {
      await threads.stop();
      await service.stop();
      await rm(listsDir, { recursive: true, force: true });
    },
  };
  running.push(t);
  return t;
}

/** Every question from its own socket (a new source port), a few at a time. */
async function askMany(port: number, names: string[]): Promise<Array<{ name: string; data: string[] }>> {
  const out: Array<{ name: string; data: string[] }> = [];
  for (let i = 0; i < names.length; i += 10) {
    const batch = names.slice(i, i + 10);
    const replies = await Promise.all(batch.map((name) => ask(port, name, PUPIL)));
    replies.forEach((r, k) => out.push({ name: batch[k]!, data: r.data }));
  }
  return out;
}

/** The questions the worker thread answered: everything counted minus the main thread's own. */
const workerQueries = (t: Threaded): number => t.threads.stats().counters.queries - t.service.stats().counters.queries;

describe('DNS on two threads', () => {
  it('answers every question correctly whichever thread takes it, and the main thread sees every event and count', async () => {
    const t = await startThreaded();
    const tapped: string[] = [];
    t.service.events.tap((e) => { if (e.verdict === 'blocked') tapped.push(e.name); });
    expect(t.threads.threads).toBe(2);
    // TCP stays with the main thread: one TCP listener, one UDP listener (the worker's is its own).
    expect(t.service.stats().listening.map((l) => l.transport).sort()).toEqual(['tcp', 'udp']);
    const names = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? `n${i}.chatter.test` : `site${i}.example.test`));
    const replies = await askMany(t.port, names);
    for (const r of replies) {
      expect(r.data, r.name).toEqual([r.name.endsWith('chatter.test') ? GATEWAY.pupil : DEFAULT_V4]);
    }
    for (const name of names.filter((n) => n.endsWith('chatter.test'))) expect(upstream.asked(name), name).toBe(0);

    const events: QueryEvent[] = [];
    await vi.waitFor(() => {
      events.push(...t.service.events.drain());
      expect(events).toHaveLength(names.length);
    }, { timeout: 5000 });
    expect(events.map((e) => e.name).sort()).toEqual([...names].sort());
    // A tap on the main thread's buffer (the bypass learner's feed) saw the worker's blocks too.
    expect(tapped.sort()).toEqual(names.filter((n) => n.endsWith('chatter.test')).sort());
    expect(events.filter((e) => e.verdict === 'blocked')).toHaveLength(50);
    expect(events.filter((e) => e.verdict === 'forwarded')).toHaveLength(50);
    // Every field crossed the thread boundary (the worker's events travel packed).
    for (const e of events) {
      expect(e).toMatchObject({ network: 'pupil', client: PUPIL, transport: 'udp', qtype: 1, rcode: 0 });
      expect(e.at).toBeGreaterThan(Date.now() - 60_000);
      if (e.verdict === 'blocked') expect(e).toMatchObject({ category: 'social', list: 'social' });
      else expect(e.upstream).toBeDefined();
    }

    // The worker posts its counters every second; both threads took a share of 100 source ports.
    await vi.waitFor(() => expect(t.threads.stats().counters.queries).toBe(names.length), { timeout: 5000 });
    const stats = t.threads.stats();
    expect(stats.counters.byVerdict).toEqual({ blocked: 50, forwarded: 50 });
    expect(t.service.stats().counters.queries).toBeGreaterThan(0);
    expect(workerQueries(t)).toBeGreaterThan(0);
  });

  it('reports a name two categories list under the more severe one on the worker too (the severity order it was started with)', async () => {
    // Gaming has the lower bit (bits go in id order), social comes first in the catalogue.
    const gaming: ListSpec = { id: 'gaming', category: 'gaming', text: 'chatter.test\n' };
    expect(CATEGORY_SEVERITY.indexOf('social')).toBeLessThan(CATEGORY_SEVERITY.indexOf('gaming'));
    const t = await startThreaded([gaming, SOCIAL]);
    const names = Array.from({ length: 60 }, (_, i) => `n${i}.chatter.test`);
    for (const r of await askMany(t.port, names)) expect(r.data, r.name).toEqual([GATEWAY.pupil]);
    const events: QueryEvent[] = [];
    await vi.waitFor(() => {
      events.push(...t.service.events.drain());
      expect(events).toHaveLength(names.length);
    }, { timeout: 5000 });
    for (const e of events) expect(e, e.name).toMatchObject({ verdict: 'blocked', category: 'social' });
    await vi.waitFor(() => expect(workerQueries(t)).toBeGreaterThan(0), { timeout: 5000 });
  });

  it('names the device holding a lease in every event, on the worker too, set before and after it started', async () => {
    const t = await startThreaded();
    const pupil = parseIPv4(PUPIL)!;
    const first = '02:00:00:00:00:01';
    const second = '3c:22:fb:01:a2:9e';
    t.threads.setDevice(pupil, first, null);
    const events: QueryEvent[] = [];
    const collect = async (names: string[]): Promise<QueryEvent[]> => {
      await askMany(t.port, names);
      await vi.waitFor(() => {
        events.push(...t.service.events.drain());
        expect(events).toHaveLength(names.length);
      }, { timeout: 5000 });
      return events.splice(0);
    };
    const before = workerQueries(t);
    const a = await collect(Array.from({ length: 40 }, (_, i) => `a${i}.example.test`));
    expect(a.map((e) => e.device)).toEqual(a.map(() => first));
    // The lease moves to another device: both threads follow.
    t.threads.setDevice(pupil, second, 'year6');
    const b = await collect(Array.from({ length: 40 }, (_, i) => `b${i}.example.test`));
    expect(b.map((e) => e.device)).toEqual(b.map(() => second));
    t.threads.setDevice(pupil, undefined);
    const c = await collect(Array.from({ length: 40 }, (_, i) => `c${i}.example.test`));
    expect(c.map((e) => e.device)).toEqual(c.map(() => undefined));
    await vi.waitFor(() => expect(workerQueries(t) - before).toBeGreaterThan(0), { timeout: 5000 });
  });

  it("answers a device under its voucher's policy on the worker too, and under its network's once cleared", async () => {
    const t = await startThreaded();
    const pupil = parseIPv4(PUPIL)!;
    const mac = '02:00:00:00:00:07';
    t.threads.setDevice(pupil, mac, null);
    const names = (prefix: string) => Array.from({ length: 30 }, (_, i) => `${prefix}${i}.chatter.test`);
    const before = workerQueries(t);
    // The staff policy allows social networks: every thread answers the device under it.
    t.threads.setPolicies([[pupil, mac, 'staff']]);
    for (const r of await askMany(t.port, names('on'))) expect(r.data, r.name).toEqual([DEFAULT_V4]);
    t.threads.setPolicies([[pupil]]);
    for (const r of await askMany(t.port, names('off'))) expect(r.data, r.name).toEqual([GATEWAY.pupil]);
    await vi.waitFor(() => expect(workerQueries(t) - before).toBeGreaterThan(0), { timeout: 5000 });
  });

  it('puts lists given after start in service on the worker too', async () => {
    const t = await startThreaded();
    const before = workerQueries(t);
    await t.load([{ ...SOCIAL, text: 'chatter.test\nlate.test\n' }]);
    let round = 0;
    // The new table reaches the worker by message; once a whole batch from fresh source ports is
    // blocked, and the worker answered part of it, the worker has it.
    await vi.waitFor(async () => {
      round++;
      const names = Array.from({ length: 30 }, (_, i) => `r${round}-${i}.late.test`);
      const replies = await askMany(t.port, names);
      for (const r of replies) expect(r.data, r.name).toEqual([GATEWAY.pupil]);
    }, { timeout: 10_000, interval: 50 });
    await vi.waitFor(() => expect(workerQueries(t)).toBeGreaterThan(before), { timeout: 5000 });
  });

  it('keeps one copy of the table, in shared memory, for both threads', async () => {
    const t = await startThreaded();
    expect(t.service.lists.matcher.isShared).toBe(true);
    await t.load([{ ...SOCIAL, text: 'chatter.test\nlater.test\n' }]);
    expect(t.service.lists.matcher.isShared).toBe(true);
    expect(t.service.lists.matcher.size).toBe(2);
  });

  it('leaves no thread behind when stopped, and keeps what the worker counted', async () => {
    const t = await startThreaded();
    await askMany(t.port, Array.from({ length: 20 }, (_, i) => `q${i}.example.test`));
    await t.threads.stop();
    // After stop() the worker has handed over its last counters and events before exiting.
    expect(t.threads.stats().counters.queries).toBe(20);
    expect(t.threads.running).toBe(0);
  });

  it('rejects start with the worker thread\'s own message when its port cannot be bound', async () => {
    // An address no interface has (the main service is not started, so the worker binds it alone).
    const bad = baseConfig(upstream.port);
    bad.dns.threads = 2;
    bad.dns.listen = [{ address: '192.0.2.1', port: 5353 }];
    const badService = new DnsService({ severity: CATEGORY_SEVERITY, config: bad, logger: silentLogger(), resolvConfPath: '/nonexistent' });
    const threads = new DnsThreads({ service: badService, config: bad, logger: silentLogger(), resolvConfPath: '/nonexistent' });
    await expect(threads.start()).rejects.toThrow(/DNS thread 1: DNS cannot listen on UDP 192\.0\.2\.1:5353/);
    expect(threads.running).toBe(0);
  });
});
