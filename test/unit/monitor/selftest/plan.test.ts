// The self-test's plan against the shipped defaults: every expected answer is what the shipped
// policies say for that network at that moment, worked out by the code the DNS server runs.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../firmware/config/schema.ts';
import { BYPASS_NAMES } from '../../../../firmware/dns/policy/bypass.ts';
import { DOH_TESTS, planSelftest, SAFE_SEARCH_TESTS, type NetworkPlan } from '../../../../firmware/monitor/selftest/plan.ts';
import { CATEGORIES, filterFor, WEDNESDAY_10AM, WEDNESDAY_1230 } from './shipped.ts';

const dir = await mkdtemp(join(tmpdir(), 'schoolgate-selftest-plan-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const shipped = defaultConfig();
const filter = await filterFor(shipped, dir);

const plan = (at: number, config: Config = shipped, f = filter): NetworkPlan[] => planSelftest({ config, filter: f, categories: CATEGORIES, at });
const byNetwork = (plans: NetworkPlan[], id: string): NetworkPlan => plans.find((p) => p.network.id === id)!;
const expectedOf = (p: NetworkPlan, kind: string): Record<string, string> =>
  Object.fromEntries(p.checks.filter((c) => c.kind === kind).map((c) => [c.subject, c.rewrite ?? c.expected]));

const WITH_LISTS = ['bypass', 'gambling', 'piracy', 'dating', 'chat', 'social', 'gaming', 'videoconferencing', 'streaming', 'file-hosting'];
const WITHOUT_LISTS = ['illegal', 'extremism', 'self-harm', 'adult', 'malware', 'hate', 'violence', 'drugs'];

describe('the self-test plan for the shipped defaults', () => {
  it('covers every enabled network with one check per category that ships a list, most severe first', () => {
    const plans = plan(WEDNESDAY_10AM);
    expect(plans.map((p) => p.network.id)).toEqual(['staff', 'pupil', 'guest']);
    for (const p of plans) {
      expect(p.checks.filter((c) => c.kind === 'category').map((c) => c.subject)).toEqual(WITH_LISTS);
      expect(p.untested.map((u) => u.subject)).toEqual(WITHOUT_LISTS);
      expect(p.failed).toEqual([]);
      expect(p.checks.filter((c) => c.kind === 'category').every((c) => c.name === CATEGORIES.get(c.subject)!.testName)).toBe(true);
    }
  });

  it('expects pupils blocked from every category on a school morning, with the block page', () => {
    const pupil = byNetwork(plan(WEDNESDAY_10AM), 'pupil');
    expect(new Set(Object.values(expectedOf(pupil, 'category')))).toEqual(new Set(['blocked']));
    for (const c of pupil.checks.filter((x) => x.expected === 'blocked')) expect(c.blockAnswer).toBe('block-page');
  });

  it('follows the lunchtime schedule: pupils get streaming from 12:00 to 13:00 on weekdays, and nothing else', () => {
    const lunch = expectedOf(byNetwork(plan(WEDNESDAY_1230), 'pupil'), 'category');
    expect(lunch.streaming).toBe('allowed');
    expect(Object.entries(lunch).filter(([, v]) => v !== 'blocked').map(([k]) => k)).toEqual(['streaming']);
  });

  it('expects staff and guests to get what their policies accept', () => {
    const plans = plan(WEDNESDAY_10AM);
    const staff = expectedOf(byNetwork(plans, 'staff'), 'category');
    expect(Object.entries(staff).filter(([, v]) => v === 'allowed').map(([k]) => k).sort())
      .toEqual(['file-hosting', 'gaming', 'social', 'streaming', 'videoconferencing']);
    const guest = expectedOf(byNetwork(plans, 'guest'), 'category');
    expect(Object.entries(guest).filter(([, v]) => v === 'allowed').map(([k]) => k)).toEqual(['videoconferencing']);
  });

  it('expects safe search by policy: strict YouTube for pupils and guests, moderate for staff', () => {
    const plans = plan(WEDNESDAY_10AM);
    expect(expectedOf(byNetwork(plans, 'pupil'), 'safe-search')).toEqual({
      Google: 'forcesafesearch.google.com', 'Google UK': 'forcesafesearch.google.com', YouTube: 'restrict.youtube.com',
      Bing: 'strict.bing.com', DuckDuckGo: 'safe.duckduckgo.com',
    });
    expect(expectedOf(byNetwork(plans, 'guest'), 'safe-search').YouTube).toBe('restrict.youtube.com');
    expect(expectedOf(byNetwork(plans, 'staff'), 'safe-search').YouTube).toBe('restrictmoderate.youtube.com');
    expect(SAFE_SEARCH_TESTS.length).toBe(5);
  });

  it('expects the canaries answered NXDOMAIN and the browsers\' DoH resolvers blocked on every network', () => {
    for (const p of plan(WEDNESDAY_10AM)) {
      expect(p.checks.filter((c) => c.kind === 'canary').map((c) => [c.name, c.expected])).toEqual(BYPASS_NAMES.map((b) => [b.name, 'canary']));
      expect(p.checks.filter((c) => c.kind === 'doh').map((c) => [c.name, c.expected])).toEqual(DOH_TESTS.map((d) => [d.name, 'blocked']));
    }
  });

  it('marks no shipped check critical: the critical categories ship no list', () => {
    expect(plan(WEDNESDAY_10AM).flatMap((p) => p.checks).filter((c) => c.critical)).toEqual([]);
  });

  it('plans one network when asked, and refuses an unknown or switched-off one', () => {
    expect(planSelftest({ config: shipped, filter, categories: CATEGORIES, at: WEDNESDAY_10AM, network: 'guest' }).map((p) => p.network.id)).toEqual(['guest']);
    expect(() => planSelftest({ config: shipped, filter, categories: CATEGORIES, at: WEDNESDAY_10AM, network: 'library' })).toThrow(/no network "library"/);
    const off = structuredClone(shipped);
    off.networks[2]!.enabled = false;
    expect(() => planSelftest({ config: off, filter, categories: CATEGORIES, at: WEDNESDAY_10AM, network: 'guest' })).toThrow(/switched off/);
    expect(plan(WEDNESDAY_10AM, off).map((p) => p.network.id)).toEqual(['staff', 'pupil']);
  });
});

describe('the self-test plan for a school\'s own lists', () => {
  it('tests a restricted list through its testName on every network, as critical, expecting it blocked', async () => {
    const config = structuredClone(shipped);
    config.lists.push({ id: 'iwf', name: 'IWF list', category: 'illegal', file: 'iwf.txt', format: 'domains', restricted: true, enabled: true, testName: 'test.iwf-check.test' });
    const f = await filterFor(config, join(dir, 'iwf'), { 'iwf.txt': 'test.iwf-check.test\nother.example.test\n' });
    for (const p of plan(WEDNESDAY_10AM, config, f)) {
      expect(p.checks.filter((c) => c.kind === 'list')).toEqual([{
        kind: 'list', subject: 'list iwf (restricted)', name: 'test.iwf-check.test', category: 'illegal', critical: true, expected: 'blocked', blockAnswer: 'block-page',
      }]);
      expect(p.untested.map((u) => u.subject)).not.toContain('illegal');
    }
  });

  it('fails a list that no longer holds its own test name, before any question is asked', async () => {
    const config = structuredClone(shipped);
    config.lists.push({ id: 'iwf', name: 'IWF list', category: 'illegal', file: 'iwf-empty.txt', format: 'domains', restricted: true, enabled: true, testName: 'test.iwf-check.test' });
    const f = await filterFor(config, join(dir, 'iwf-empty'), { 'iwf-empty.txt': 'something.else.test\n' });
    const pupil = byNetwork(plan(WEDNESDAY_10AM, config, f), 'pupil');
    expect(pupil.checks.filter((c) => c.kind === 'list')).toEqual([]);
    expect(pupil.failed).toEqual([expect.objectContaining({ subject: 'list iwf (restricted)', critical: true, pass: false, failOpen: false, got: expect.stringContaining('does not hold its test name') })]);
  });

  it('leaves a category untested when its starter list is switched off, rather than expect its name allowed', async () => {
    const config = structuredClone(shipped);
    config.lists.find((l) => l.category === 'social')!.enabled = false;
    const f = await filterFor(config, join(dir, 'no-social'));
    const pupil = byNetwork(plan(WEDNESDAY_10AM, config, f), 'pupil');
    expect(pupil.checks.map((c) => c.subject)).not.toContain('social');
    expect(pupil.untested).toContainEqual({ subject: 'social', reason: 'no enabled list of this category holds its test name www.facebook.com' });
  });

  it('takes exceptions into account: an allow exception for a test name on pupil makes it expected allowed there only', async () => {
    const config = structuredClone(shipped);
    config.exceptions.push({ id: 'roblox-club', domain: 'www.roblox.com', action: 'allow', networks: ['pupil'], reason: 'after-school coding club', requestedBy: 'head' });
    const plans = plan(WEDNESDAY_10AM, config, await filterFor(config, join(dir, 'exception')));
    expect(expectedOf(byNetwork(plans, 'pupil'), 'category').gaming).toBe('allowed');
    expect(expectedOf(byNetwork(plans, 'guest'), 'category').gaming).toBe('blocked');
  });
});
