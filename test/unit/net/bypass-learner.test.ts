// The learner with a real resolver against a real DNS server on loopback: a name a device asked
// for is resolved once however often it is asked, before the starter list's names, and its
// addresses become set lines through the change function (FirewallService's, in the daemon).
import { afterEach, describe, expect, test } from 'vitest';
import { silentLogger } from '../../../firmware/log.ts';
import { BypassLearner, isBypassLookup, upstreamResolver } from '../../../firmware/net/bypass-learner.ts';
import { startTestUpstream, type TestUpstream } from '../../support/upstream.ts';

let upstream: TestUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

describe('upstreamResolver', () => {
  test('A and AAAA with their TTLs from the upstream; no AAAA is an empty list, not a failure', async () => {
    upstream = await startTestUpstream('198.51.100.80');
    const resolve = upstreamResolver(() => [upstream!], 2000);
    expect(await resolve('vpn.example')).toEqual({ v4: [{ address: '198.51.100.80', ttl: 300 }], v6: [] });
    expect(upstream.questions).toEqual(['vpn.example', 'vpn.example']);
  });

  test('no upstream to ask is a failure', async () => {
    await expect(upstreamResolver(() => [], 2000)('vpn.example')).rejects.toThrow(/no upstream/);
  });
});

describe('BypassLearner', () => {
  test('asked names first, each resolved once, written as bypass_v4 lines; excluded addresses left out', async () => {
    upstream = await startTestUpstream('198.51.100.80');
    const changes: string[][] = [];
    const learner = new BypassLearner({
      resolve: upstreamResolver(() => [upstream!], 2000),
      change: async (lines) => { changes.push([...lines]); return true; },
      excluded: () => new Set(),
      now: Date.now,
      logger: silentLogger(),
      intervalMs: 0,
    });
    try {
      learner.prime(() => ['doh.example']);
      learner.notice('vpn.example');
      learner.notice('vpn.example');
      await learner.idle();
      expect(upstream.questions).toEqual(['vpn.example', 'vpn.example', 'doh.example', 'doh.example']);
      expect(changes).toEqual([
        ['add element inet schoolgate bypass_v4 { 198.51.100.80 timeout 1s }', 'delete element inet schoolgate bypass_v4 { 198.51.100.80 }', 'add element inet schoolgate bypass_v4 { 198.51.100.80 timeout 3600s }'],
        ['add element inet schoolgate bypass_v4 { 198.51.100.80 timeout 1s }', 'delete element inet schoolgate bypass_v4 { 198.51.100.80 }', 'add element inet schoolgate bypass_v4 { 198.51.100.80 timeout 3600s }'],
      ]);
      // Asked again within the cooldown: not resolved again.
      learner.notice('vpn.example');
      await learner.idle();
      expect(upstream.questions).toHaveLength(4);
      expect(learner.stats()).toEqual({ namesLearned: 2, addressesAdded: 2, queued: 0, refused: 0, failures: 0 });
    } finally {
      learner.stop();
    }
  });

  test('an address the filtering provider uses for its block page is never learned', async () => {
    upstream = await startTestUpstream('203.0.113.66');
    const changes: string[][] = [];
    const learner = new BypassLearner({
      resolve: upstreamResolver(() => [upstream!], 2000),
      change: async (lines) => { changes.push([...lines]); return true; },
      excluded: () => new Set(['203.0.113.66']),
      now: Date.now,
      logger: silentLogger(),
    });
    learner.notice('vpn.example');
    await learner.idle();
    learner.stop();
    expect(upstream.questions).toContain('vpn.example');
    expect(changes).toEqual([]);
  });

  test('only a question blocked in the bypass category is one to learn from', () => {
    expect(isBypassLookup({ category: 'bypass', verdict: 'blocked' })).toBe(true);
    expect(isBypassLookup({ category: 'bypass', verdict: 'forwarded' })).toBe(false);
    expect(isBypassLookup({ category: 'social', verdict: 'blocked' })).toBe(false);
    expect(isBypassLookup({ category: undefined, verdict: 'blocked' })).toBe(false);
  });
});
