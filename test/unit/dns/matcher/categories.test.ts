import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CategoryIndex, CategoryLimitError, MAX_CATEGORIES } from '../../../../firmware/dns/matcher/categories.ts';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${i}`);

describe('CategoryIndex', () => {
  it('numbers ids in order of first use and keeps a known id on its bit', () => {
    const index = new CategoryIndex(['social', 'games']);
    expect(index.bit('games')).toBe(1);
    expect(index.bit('chat')).toBe(2);
    expect(index.bit('social')).toBe(0);
    expect(index.get('unknown')).toBeUndefined();
    expect(index.size).toBe(3);
    expect(index.idOf(2)).toBe('chat');
  });

  it('holds 64 categories and refuses the 65th with the ids in use', () => {
    const index = new CategoryIndex(ids(MAX_CATEGORIES));
    expect(index.bit('c63')).toBe(63);
    expect(() => index.bit('one-more')).toThrow(CategoryLimitError);
    expect(() => index.bit('one-more')).toThrow(/"one-more": at most 64 categories are supported and 64 are in use \(c0, c1,/);
    expect(() => new CategoryIndex().bit('')).toThrow(/non-empty/);
  });

  it('turns id sets into two uint32 halves and back', () => {
    const index = new CategoryIndex(ids(64));
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 63 })), (bits) => {
      const chosen = bits.map((b) => `c${b}`);
      const mask = index.mask([...chosen, 'not-a-category']);
      expect(mask.lo).toBeGreaterThanOrEqual(0);
      expect(mask.lo).toBeLessThanOrEqual(0xffffffff);
      expect(mask.hi).toBeGreaterThanOrEqual(0);
      expect(index.idsOf(mask.lo, mask.hi)).toEqual([...bits].sort((a, b) => a - b).map((b) => `c${b}`));
    }));
    expect(index.mask(['c31', 'c32', 'c63'])).toEqual({ lo: 0x80000000, hi: 0x80000001 });
  });

  it('clones independently', () => {
    const a = new CategoryIndex(['x']);
    const b = a.clone();
    b.bit('y');
    expect(a.size).toBe(1);
    expect(b.ids()).toEqual(['x', 'y']);
  });
});
