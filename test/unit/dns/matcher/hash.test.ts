import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORMAT_VERSION } from '../../../../firmware/dns/matcher/serialize.ts';
import { MAX_LABELS, SUFFIX_STRIDE, hashNameBytes, hashSuffixes } from '../../../../firmware/dns/matcher/hash.ts';
import { question } from './arbitraries.ts';
import { suffixStarts } from './reference.ts';

function hashes(name: string, seed = 0): { lo: number; hi: number; start: number }[] {
  const out = new Uint32Array((name.length + 2) * SUFFIX_STRIDE);
  const count = hashSuffixes(name, seed, out);
  return Array.from({ length: count }, (_, i) => ({ lo: out[3 * i]!, hi: out[3 * i + 1]!, start: out[3 * i + 2]! }));
}

const whole = (name: string, seed = 0) => {
  const all = hashes(name, seed);
  const last = all.at(-1)!;
  return [last.lo, last.hi];
};

describe('hashSuffixes', () => {
  it('gives each parent, shortest first, the same hash as hashing that parent alone', () => {
    fc.assert(fc.property(question, fc.nat({ max: 0xffffffff }), (name, seed) => {
      const all = hashes(name, seed);
      expect(all.map((h) => h.start)).toEqual(suffixStarts(name).reverse());
      for (const h of all) expect([h.lo, h.hi]).toEqual(whole(name.slice(h.start), seed));
    }));
  });

  it('is the same function on every run (cached tables depend on it)', () => {
    // Changing these values needs a FORMAT_VERSION bump: old cached tables would stop matching.
    expect(FORMAT_VERSION).toBe(1);
    expect(hashes('www.example.co.uk')).toEqual([
      { lo: 0xb0be363d, hi: 0xbf7c44eb, start: 15 },
      { lo: 0x7989f81e, hi: 0x637aba92, start: 12 },
      { lo: 0x51489304, hi: 0xd0807f67, start: 4 },
      { lo: 0xd6f395ca, hi: 0x43f61f1e, start: 0 },
    ]);
    expect(whole('www.example.co.uk', 12345)).toEqual([0x8771c725, 0xb5caaba0]);
  });

  it('depends on the seed', () => {
    expect(whole('example.com', 1)).not.toEqual(whole('example.com', 2));
  });

  it('splits only at unescaped dots', () => {
    expect(hashes('a\\.b.com').map((h) => h.start)).toEqual([5, 0]);
    expect(hashes('a\\\\.b.com').map((h) => h.start)).toEqual([6, 4, 0]);
    expect(hashes('a\\046b.com').map((h) => h.start)).toEqual([7, 0]);
    expect(whole('a\\.b.com')).not.toEqual(whole('a.b.com'));
  });

  it('treats the root and the empty string as no labels, and ignores one trailing dot', () => {
    expect(hashSuffixes('.', 0, new Uint32Array(12))).toBe(0);
    expect(hashSuffixes('', 0, new Uint32Array(12))).toBe(0);
    expect(hashes('example.com.')).toEqual(hashes('example.com'));
    expect(hashes('a\\.').length).toBe(1);
    expect(whole('a\\.')).not.toEqual(whole('a'));
  });

  it('fits a 127-label name in MAX_LABELS triples and reports a scratch that is too small', () => {
    const name = Array(127).fill('a').join('.');
    expect(hashSuffixes(name, 0, new Uint32Array(MAX_LABELS * SUFFIX_STRIDE))).toBe(127);
    expect(hashSuffixes(name, 0, new Uint32Array(126 * SUFFIX_STRIDE))).toBe(-1);
    expect(hashSuffixes('a.b', 0, new Uint32Array(SUFFIX_STRIDE))).toBe(-1);
  });

  it('gives distinct 64-bit keys to 200k distinct names, and spreads the low bits', () => {
    const seen = new Set<string>();
    const lowBuckets = new Uint32Array(1024);
    for (let i = 0; i < 200_000; i++) {
      const [lo, hi] = whole(`host${i}.example${i % 97}.co.uk`);
      seen.add(`${lo}:${hi}`);
      lowBuckets[lo! & 1023]!++;
    }
    expect(seen.size).toBe(200_000);
    // ~195 per bucket; a hash that ignored input bits would leave buckets empty or crowded.
    expect(Math.min(...lowBuckets)).toBeGreaterThan(100);
    expect(Math.max(...lowBuckets)).toBeLessThan(300);
  });
});

describe('hashNameBytes', () => {
  it('gives a name held as bytes the whole-name hash hashSuffixes gives its string', () => {
    const label = fc.string({ unit: fc.constantFrom(...'abz09-_'), minLength: 1, maxLength: 63 });
    fc.assert(fc.property(fc.array(label, { minLength: 1, maxLength: 8 }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 5 }), (labels, seed, pad) => {
      const name = labels.join('.');
      // Somewhere inside a bigger buffer, as a line of a list file is.
      const bytes = Buffer.from(`${'#'.repeat(pad)}${name}\n`, 'latin1');
      const out = new Uint32Array(2);
      hashNameBytes(bytes, pad, pad + name.length, seed, out);
      expect([...out]).toEqual(whole(name, seed));
    }));
  });
});
