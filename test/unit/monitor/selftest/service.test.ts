// The self-test end to end on loopback: a real DnsService with the shipped lists (the harness of
// the filtering tests), questions from the gateway's own demo addresses (127.x.0.1), each run
// kept in a real state.db and its failures raised as alerts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../firmware/config/schema.ts';
import type { FilterState } from '../../../../firmware/dns/policy/filter-state.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { AlertCandidate } from '../../../../firmware/monitor/alerts/alert-schema.ts';
import { SelftestService } from '../../../../firmware/monitor/selftest/service.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';
import { useScriptedUpstream, useWorlds, type World } from '../../dns/filtering/harness.ts';
import { DEFAULT_V4 } from '../../dns/filtering/scripted-upstream.ts';
import { CATEGORIES, filterFor, WEDNESDAY_10AM } from './shipped.ts';

const upstream = useScriptedUpstream();
const startWorld = useWorlds(upstream);

const opened: StateDatabase[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) s.close();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** The DNS world's configuration as the daemon holds it: the listener's real port. */
function configOf(w: World, edit?: (c: Config) => void): Config {
  const c = structuredClone(w.config);
  c.dns.listen = [{ address: '127.0.0.1', port: w.port }];
  edit?.(c);
  return c;
}

function selftest(config: Config, filter: () => FilterState, schedule?: string) {
  const state = StateDatabase.open(':memory:');
  opened.push(state);
  const raised: AlertCandidate[] = [];
  const service = new SelftestService({
    config: () => config, filter, categories: CATEGORIES, store: state.selftest, logger: silentLogger(),
    raise: (candidate) => raised.push(candidate), now: () => new Date(WEDNESDAY_10AM), timeoutMs: 2_000,
    ...(schedule ? { schedule } : {}),
  });
  return { service, state, raised };
}

/** A world serving the shipped starter lists, as the daemon does by default. */
const shippedWorld = (): Promise<World> => startWorld({ edit: (c) => { c.lists = defaultConfig().lists; } });

describe('the self-test against the running DNS service', () => {
  it('passes on every network, asking as a device there, and keeps the run', async () => {
    const w = await shippedWorld();
    const { service, state, raised } = selftest(configOf(w), () => w.service.filter);
    const progress: string[] = [];
    const run = await service.run({ trigger: 'on-demand', actor: 'ssh:head', progress: (line) => progress.push(line) });

    expect(run.networks.map((n) => [n.network, n.source, n.passed])).toEqual([
      ['staff', '127.10.0.1', true], ['pupil', '127.20.0.1', true], ['guest', '127.30.0.1', true],
    ]);
    expect(run.passed).toBe(true);
    expect(run.failOpen).toBe(false);
    expect(raised).toEqual([]);
    expect(progress).toEqual(['staff: 21 of 21 checks passed', 'pupil: 21 of 21 checks passed', 'guest: 21 of 21 checks passed']);
    const pupil = run.networks[1]!;
    expect(pupil.checks.find((c) => c.subject === 'social')).toMatchObject({ expected: 'blocked', got: '127.20.0.1 (block page)', pass: true });
    expect(run.networks[0]!.checks.find((c) => c.subject === 'social')).toMatchObject({ expected: 'allowed', got: DEFAULT_V4, pass: true });
    expect(pupil.checks.find((c) => c.subject === 'YouTube')).toMatchObject({ got: `CNAME restrict.youtube.com -> ${DEFAULT_V4}`, pass: true });
    // Blocked and canary names were answered by the gateway itself, never asked upstream.
    expect(upstream.asked('www.ome.tv')).toBe(0);
    expect(upstream.asked('use-application-dns.net')).toBe(0);
    expect(state.selftest.get(run.id)).toEqual(run);
  });

  it('finds a fail-open: the DNS service lost its lists while the policy still blocks, and raises an alert per network', async () => {
    // The DNS world serves no lists; the plan is made from the shipped ones, plus a restricted list.
    const w = await startWorld();
    const dir = await mkdtemp(join(tmpdir(), 'schoolgate-selftest-'));
    dirs.push(dir);
    const config = configOf(w, (c) => {
      c.lists = [...defaultConfig().lists, { id: 'iwf', name: 'IWF', category: 'illegal', file: 'iwf.txt', format: 'domains', restricted: true, enabled: true, testName: 'test.iwf.test' }];
    });
    const shipped = await filterFor(config, dir, { 'iwf.txt': 'test.iwf.test\n' });
    const { service, state, raised } = selftest(config, () => shipped);
    const run = await service.run({ trigger: 'scheduled', actor: 'system' });

    expect(run.passed).toBe(false);
    expect(run.failOpen).toBe(true);
    const pupil = run.networks.find((n) => n.network === 'pupil')!;
    expect(pupil.checks.find((c) => c.subject === 'social')).toMatchObject({ expected: 'blocked', got: `${DEFAULT_V4} (should be blocked)`, pass: false, failOpen: true });
    expect(pupil.checks.find((c) => c.kind === 'list')).toMatchObject({ critical: true, failOpen: true });
    // The canaries do not depend on the lists: they still pass.
    expect(pupil.checks.filter((c) => c.kind === 'canary').every((c) => c.pass)).toBe(true);

    expect(raised.map((a) => [a.kind, a.networkId, a.severity])).toEqual([
      ['system.selftest-failed', 'staff', 'critical'], ['system.selftest-failed', 'pupil', 'critical'], ['system.selftest-failed', 'guest', 'critical'],
    ]);
    for (const alert of raised) expect(Value.Check(AlertCandidate, alert)).toBe(true);
    expect(raised[1]!.subject).toMatch(/^\d+ of 22 self-test checks failed on pupil, \d+ letting through what the policy blocks; first: /);
    expect(state.selftest.runs()).toEqual([expect.objectContaining({ id: run.id, trigger: 'scheduled', passed: false, failOpens: expect.any(Number) })]);
  });

  it('fails a network that cannot be asked honestly, and says why', async () => {
    const w = await shippedWorld();
    const config = configOf(w, (c) => { c.networks[1]!.gateway = { ipv4: '127.99.0.1' }; });
    const { service, raised } = selftest(config, () => w.service.filter);
    const run = await service.run({ trigger: 'on-demand', actor: 'ssh:tech', network: 'pupil' });
    expect(run.networks).toEqual([expect.objectContaining({
      network: 'pupil', passed: false, checks: [], error: expect.stringContaining('127.99.0.1 is not inside the network\'s subnets'),
    })]);
    expect(raised).toEqual([expect.objectContaining({ severity: 'high', subject: expect.stringMatching(/^self-test could not run on pupil/) })]);
  });

  it('asks one named name against the expectation given, beside what the policy says', async () => {
    const w = await shippedWorld();
    const { service, state } = selftest(configOf(w), () => w.service.filter);
    const open = await service.probe({ network: 'pupil', name: 'news.example.test', expect: 'blocked' });
    expect(open.check).toMatchObject({ kind: 'name', expected: 'blocked', got: `${DEFAULT_V4} (should be blocked)`, pass: false, failOpen: true });
    expect(open.policy).toBe('allowed');
    const shut = await service.probe({ network: 'pupil', name: 'WWW.Facebook.com.', expect: 'blocked' });
    expect(shut.check).toMatchObject({ name: 'www.facebook.com', got: '127.20.0.1 (block page)', pass: true });
    expect(state.selftest.runs()).toEqual([]);
  });

  it('runs one at a time, in the order asked', async () => {
    const w = await shippedWorld();
    const { service } = selftest(configOf(w), () => w.service.filter);
    const [a, b] = await Promise.all([
      service.run({ trigger: 'on-demand', actor: 'ssh:a', network: 'guest' }),
      service.run({ trigger: 'on-demand', actor: 'ssh:b', network: 'staff' }),
    ]);
    expect([a.id, a.actor, b.id, b.actor]).toEqual([1, 'ssh:a', 2, 'ssh:b']);
  });

  it('runs on its schedule as the system, and stops', async () => {
    const w = await shippedWorld();
    // Every second instead of 07:15 daily: the same cron task, sooner.
    const { service, state } = selftest(configOf(w), () => w.service.filter, '* * * * * *');
    service.start();
    try {
      await vi.waitFor(() => expect(state.selftest.runs().length).toBeGreaterThan(0), { timeout: 5_000, interval: 50 });
    } finally {
      await service.stop();
    }
    expect(state.selftest.runs()[0]).toMatchObject({ trigger: 'scheduled', actor: 'system', passed: true, networks: ['staff', 'pupil', 'guest'] });
  });
});
