// Learning bypass providers' addresses, the pure half: how long an address stays, which ones may
// never be blocked, the nft lines, the queue that bounds the upstream questions, the starter list.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { blockableAddress, bypassElementLines, bypassTimeoutSeconds, LearnQueue, parseSharedPrefixes, starterNames } from '../../../firmware/net/bypass-addresses.ts';
import { RULES_DIR } from '../../../firmware/paths.ts';
import { sharedHostingPrefixes, starterNamesOf } from '../../../firmware/net/bypass-learning.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';

describe('bypass addresses', () => {
  test('an address stays its TTL, at least an hour and at most a day', () => {
    expect(bypassTimeoutSeconds(60)).toBe(3600);
    expect(bypassTimeoutSeconds(7200.9)).toBe(7200);
    expect(bypassTimeoutSeconds(604_800)).toBe(86_400);
    expect(bypassTimeoutSeconds(Number.NaN)).toBe(3600);
  });

  test('private, local and special addresses, and excluded ones, are never blocked; the rest in canonical spelling', () => {
    const excluded = new Set(['203.0.113.66']);
    for (const a of ['10.20.0.1', '192.168.1.1', '127.0.0.1', '0.0.0.0', '169.254.1.1', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '203.0.113.66', 'not an address']) {
      expect(blockableAddress(a, excluded), a).toBeUndefined();
    }
    expect(blockableAddress('198.51.100.80', excluded)).toBe('198.51.100.80');
    expect(blockableAddress('2001:DB8:0:0::53', excluded)).toBe('2001:db8::53');
  });

  test('a shared CDN edge is never blocked by address, a dedicated resolver address is', () => {
    const shared = sharedHostingPrefixes();
    // cloudflare-dns.com answers from Cloudflare's CDN range; 1.1.1.1 is the resolver's own address.
    expect(blockableAddress('104.16.248.249', new Set(), shared)).toBeUndefined();
    expect(blockableAddress('151.101.1.140', new Set(), shared)).toBeUndefined();
    expect(blockableAddress('2606:4700::6810:f8f9', new Set(), shared)).toBeUndefined();
    expect(blockableAddress('1.1.1.1', new Set(), shared)).toBe('1.1.1.1');
    expect(blockableAddress('8.8.8.8', new Set(), shared)).toBe('8.8.8.8');
    expect(bypassElementLines({ v4: [{ address: '104.16.248.249', ttl: 300 }], v6: [] }, new Set(), shared)).toEqual([]);
  });

  test('a shared-hosting file with a bad line is refused, naming the line', () => {
    expect(() => parseSharedPrefixes('# c\n104.16.0.0/13\n104.16.0.1/13\n', 'x.txt')).toThrow(/x\.txt:3: "104\.16\.0\.1\/13": host bits are set/);
    expect(parseSharedPrefixes('# only a comment\n\n', 'x.txt')).toEqual([]);
  });

  test('each address is written with a fresh timeout (the longest its answers gave), whatever was in the set', () => {
    const lines = bypassElementLines({
      v4: [{ address: '198.51.100.80', ttl: 300 }, { address: '198.51.100.80', ttl: 9000 }, { address: '10.0.0.1', ttl: 300 }],
      v6: [{ address: '2001:db8::53', ttl: 100_000 }],
    }, new Set());
    expect(lines).toEqual([
      'add element inet schoolgate bypass_v4 { 198.51.100.80 timeout 1s }',
      'delete element inet schoolgate bypass_v4 { 198.51.100.80 }',
      'add element inet schoolgate bypass_v4 { 198.51.100.80 timeout 9000s }',
      'add element inet schoolgate bypass_v6 { 2001:db8::53 timeout 1s }',
      'delete element inet schoolgate bypass_v6 { 2001:db8::53 }',
      'add element inet schoolgate bypass_v6 { 2001:db8::53 timeout 86400s }',
    ]);
    expect(bypassElementLines({ v4: [{ address: '10.0.0.1', ttl: 60 }], v6: [] }, new Set())).toEqual([]);
  });
});

describe('LearnQueue', () => {
  test('a name is queued once, not again within its cooldown, and again after it', () => {
    const q = new LearnQueue({ capacity: 4, cooldownMs: 1000 });
    expect(q.offer('dns.example', 0)).toBe(true);
    expect(q.offer('dns.example', 0)).toBe(false);
    expect(q.take(10)).toBe('dns.example');
    expect(q.take(10)).toBeUndefined();
    expect(q.offer('dns.example', 500)).toBe(false);
    expect(q.offer('dns.example', 1010)).toBe(true);
    expect(q.offer('', 0)).toBe(false);
  });

  test('a full queue turns names away and counts them', () => {
    const q = new LearnQueue({ capacity: 2, cooldownMs: 1000 });
    expect(['a.example', 'b.example', 'c.example'].map((n) => q.offer(n, 0))).toEqual([true, true, false]);
    expect(q.refused).toBe(1);
    expect(q.size).toBe(2);
  });

  test('a name a device asked for goes before the starter list\'s, even one the list queued already', () => {
    const q = new LearnQueue({ capacity: 8, cooldownMs: 1000 });
    q.offer('list-1.example', 0, false);
    q.offer('list-2.example', 0, false);
    q.offer('asked.example', 0);
    expect(q.offer('list-2.example', 0)).toBe(true);
    expect(q.offer('list-1.example', 0, false)).toBe(false);
    expect([q.take(0), q.take(0), q.take(0), q.take(0)]).toEqual(['asked.example', 'list-2.example', 'list-1.example', undefined]);
  });
});

describe('starterNames', () => {
  test('the shipped bypass list gives its names without comments, at most as many as asked', () => {
    const text = readFileSync(join(RULES_DIR, 'categories', 'bypass.txt'), 'utf8');
    const names = starterNames(text, 1000);
    expect(names).toContain('cloudflare-dns.com');
    expect(names).toContain('mask.icloud.com');
    expect(names.every((n) => /^[a-z0-9.-]+$/.test(n))).toBe(true);
    expect(starterNames(text, 5)).toEqual(names.slice(0, 5));
    expect(starterNames('# only\n*.Proxy.Example.\n\nbad name here\n', 10)).toEqual(['proxy.example']);
  });
});

describe('starterNamesOf', () => {
  test('the shipped list is resolved when the configuration subscribes to it, and not otherwise', () => {
    const config = defaultConfig();
    expect(starterNamesOf(config)).toContain('dns.google');
    config.lists.find((l) => l.file === 'builtin:bypass')!.enabled = false;
    expect(starterNamesOf(config, () => { throw new Error('not read'); })).toEqual([]);
  });
});
