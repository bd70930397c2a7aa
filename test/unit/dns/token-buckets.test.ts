import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../../firmware/dns/query/token-buckets.ts';

const takeN = (b: TokenBuckets, key: string, now: number, n: number): number => {
  let ok = 0;
  for (let i = 0; i < n; i++) if (b.take(key, now)) ok++;
  return ok;
};

describe('TokenBuckets', () => {
  it('allows a burst of one second and then the rate', () => {
    const b = new TokenBuckets({ ratePerSecond: 10 });
    expect(takeN(b, 'a', 0, 25)).toBe(10);
    expect(takeN(b, 'a', 500, 25)).toBe(5);
    expect(takeN(b, 'a', 10_000, 25)).toBe(10);
  });

  it('keeps clients apart', () => {
    const b = new TokenBuckets({ ratePerSecond: 2 });
    expect(takeN(b, 'a', 0, 5)).toBe(2);
    expect(takeN(b, 'b', 0, 5)).toBe(2);
  });

  it('mints nothing when the clock steps back, and does not lock the client out', () => {
    const b = new TokenBuckets({ ratePerSecond: 4 });
    expect(takeN(b, 'a', 10_000, 10)).toBe(4);
    expect(takeN(b, 'a', 5_000, 10)).toBe(0);
    expect(takeN(b, 'a', 6_000, 10)).toBe(4);
  });

  it('changes rate without forgetting clients', () => {
    const b = new TokenBuckets({ ratePerSecond: 100 });
    expect(takeN(b, 'a', 0, 150)).toBe(100);
    b.setRate(1);
    expect(takeN(b, 'a', 0, 10)).toBe(0);
    expect(takeN(b, 'a', 2000, 10)).toBe(1);
    expect(() => b.setRate(0)).toThrow(RangeError);
  });

  it('stays within its size, forgetting refilled clients first and the oldest when it must', () => {
    const b = new TokenBuckets({ ratePerSecond: 1, maxClients: 8 });
    for (let i = 0; i < 8; i++) b.take(`c${i}`, 0);
    expect(b.size).toBe(8);
    // All buckets are refilled after a second: the table frees them without evicting anyone busy.
    b.take('new', 2000);
    expect(b.size).toBeLessThanOrEqual(8);
    expect(b.evicted).toBe(0);
    for (let i = 0; i < 100; i++) b.take(`flood${i}`, 2000);
    expect(b.size).toBeLessThanOrEqual(8);
    expect(b.evicted).toBeGreaterThan(0);
    // A remembered, empty bucket still limits.
    expect(b.take('flood99', 2000)).toBe(false);
  });
});
