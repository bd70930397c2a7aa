// Category sets as the matcher reports them: 64 bits held as two uint32 halves (lo = bits 0..31,
// hi = bits 32..63), because two small integers stay unboxed in V8 where a BigInt would not.

export const MAX_CATEGORY_BITS = 64;

export function isValidBit(bit: number): boolean {
  return Number.isInteger(bit) && bit >= 0 && bit < MAX_CATEGORY_BITS;
}

export function hasBit(lo: number, hi: number, bit: number): boolean {
  return bit < 32 ? ((lo >>> bit) & 1) === 1 : ((hi >>> (bit - 32)) & 1) === 1;
}

/** The lowest set bit of the pair, or -1 when both halves are zero. */
export function lowestBit(lo: number, hi: number): number {
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  if (hi !== 0) return 63 - Math.clz32(hi & -hi);
  return -1;
}

/** A mutable pair, used only while compiling. */
export interface MaskPair { lo: number; hi: number }

export function setBit(mask: MaskPair, bit: number): void {
  if (bit < 32) mask.lo = (mask.lo | (1 << bit)) >>> 0;
  else mask.hi = (mask.hi | (1 << (bit - 32))) >>> 0;
}

export function clearBit(mask: MaskPair, bit: number): void {
  if (bit < 32) mask.lo = (mask.lo & ~(1 << bit)) >>> 0;
  else mask.hi = (mask.hi & ~(1 << (bit - 32))) >>> 0;
}

/** The set bits of the pair, ascending. Allocates: for explanations and tests, not the hot path. */
export function bitsOf(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let bit = 0; bit < MAX_CATEGORY_BITS; bit++) if (hasBit(lo, hi, bit)) out.push(bit);
  return out;
}
