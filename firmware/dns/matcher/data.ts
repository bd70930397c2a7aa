// The compiled matcher's arrays, as the compiler builds them and the serialiser stores them.
import type { CategoryIndex } from './categories.ts';

export interface MatcherData {
  /** Hash seed the keys were made with. */
  seed: number;
  categories: CategoryIndex;
  /** Distinct listed names (keys). */
  entries: number;
  /** Power-of-two slot array, see table.ts. */
  slots: Uint32Array;
  /** [lo, hi] per entry. */
  keys: Uint32Array;
  /** Class number per entry, see classes.ts. */
  classOf: Uint32Array;
  /** The first entry (input order) that produced each key: list, line, descriptor (entry.ts). */
  lists: Uint16Array;
  lines: Uint32Array;
  descs: Uint16Array;
  /** CLASS_STRIDE words per class. */
  classes: Uint32Array;
  /**
   * Later entries for an existing key that differ in list, kind, mode or category, so `explain`
   * can name every list that covers a name. Sorted by entry number, input order within one.
   */
  extraEntry: Uint32Array;
  extraList: Uint16Array;
  extraLine: Uint32Array;
  extraDesc: Uint16Array;
}

/** Index of the first extra record of `entry` (or where it would be): a lower-bound search. */
export function firstExtra(data: MatcherData, entry: number): number {
  const owners = data.extraEntry;
  let lo = 0;
  let hi = owners.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (owners[mid]! < entry) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function dataBytes(data: MatcherData): number {
  return data.slots.byteLength + data.keys.byteLength + data.classOf.byteLength + data.lists.byteLength
    + data.lines.byteLength + data.descs.byteLength + data.classes.byteLength + data.extraEntry.byteLength
    + data.extraList.byteLength + data.extraLine.byteLength + data.extraDesc.byteLength;
}
