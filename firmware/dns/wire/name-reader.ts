// Reading a (possibly compressed) name from a DNS message into the lower-case presentation form
// every part of Schoolgate compares: the query reader, the response walker, the cache keys, the
// matcher and the policy all see byte-for-byte the same text for the same name.
import { HEADER_LENGTH, MAX_NAME_WIRE } from './constants.ts';

// Each wire byte becomes at most four presentation bytes (`\DDD`), plus dots between labels.
const scratch = Buffer.allocUnsafe(MAX_NAME_WIRE * 4 + 4);
/** The name the last emitting readName() produced (a live binding). */
export let nameText = '';
/** Its number of labels. */
export let nameLabels = 0;

const DOT = 0x2e;
const BACKSLASH = 0x5c;

/**
 * Reads (or, with `emit` false, only validates) the name at `start`. Sets `nameText` when
 * emitting; returns the offset just past the name as stored at `start`, or -1 when malformed.
 * Compression pointers must point strictly before the run of labels they appear in, so a chain
 * of them can never loop; `maxHops` bounds it further.
 */
export function readName(buf: Uint8Array, start: number, emit: boolean, maxHops: number): number {
  const length = buf.length;
  let pos = start;
  let runStart = start;
  let end = -1;
  let wire = 1;
  let out = 0;
  let hops = 0;
  let labels = 0;
  for (;;) {
    if (pos >= length) return -1;
    const len = buf[pos]!;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= length) return -1;
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (target < HEADER_LENGTH || target >= runStart || ++hops > maxHops) return -1;
      if (end < 0) end = pos + 2;
      pos = target;
      runStart = target;
      continue;
    }
    if (kind !== 0) return -1;
    wire += len + 1;
    if (wire > MAX_NAME_WIRE) return -1;
    const labelEnd = pos + 1 + len;
    if (labelEnd > length) return -1;
    if (emit) {
      if (labels > 0) scratch[out++] = DOT;
      for (let i = pos + 1; i < labelEnd; i++) {
        const c = buf[i]!;
        if (c >= 0x41 && c <= 0x5a) {
          scratch[out++] = c | 0x20;
        } else if (c === DOT || c === BACKSLASH) {
          scratch[out++] = BACKSLASH;
          scratch[out++] = c;
        } else if (c < 0x21 || c > 0x7e) {
          scratch[out++] = BACKSLASH;
          scratch[out++] = 0x30 + ((c / 100) | 0);
          scratch[out++] = 0x30 + (((c / 10) | 0) % 10);
          scratch[out++] = 0x30 + (c % 10);
        } else {
          scratch[out++] = c;
        }
      }
    }
    labels++;
    pos = labelEnd;
  }
  if (emit) {
    nameText = out === 0 ? '.' : scratch.toString('latin1', 0, out);
    nameLabels = labels;
  }
  return end;
}

