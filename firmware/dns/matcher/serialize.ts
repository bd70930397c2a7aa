// The on-disk form of a compiled matcher, so a restart loads the lists in milliseconds instead of
// recompiling them. Loading checks everything (magic, version, lengths, a CRC over the body, and
// the table's own invariants) and throws MatcherFormatError rather than hand back a table that
// could answer wrongly.
import { crc32 } from 'node:zlib';
import { CategoryIndex, MAX_CATEGORIES } from './categories.ts';
import { CLASS_FLAGS, CLASS_STRIDE } from './classes.ts';
import type { MatcherData } from './data.ts';
import { isValidDescriptor } from './entry.ts';
import { MAX_ENTRIES, checkSlots } from './table.ts';

export const FORMAT_MAGIC = 'SGMATCH\0';
export const FORMAT_VERSION = 1;
const HEADER = 48;
// Header words (little-endian): version, total length, CRC-32 of bytes [20, total), seed, slot
// count, entries, classes, extras, byte length of the category ids (JSON), reserved.
const AT_VERSION = 8;
const AT_LENGTH = 12;
const AT_CRC = 16;
const AT_SEED = 20;
const AT_SLOTS = 24;
const AT_ENTRIES = 28;
const AT_CLASSES = 32;
const AT_EXTRAS = 36;
const AT_CATEGORIES = 40;
const CRC_FROM = 20;

export class MatcherFormatError extends Error {
  constructor(message: string) {
    super(`compiled matcher rejected: ${message}`);
    this.name = 'MatcherFormatError';
  }
}

// Typed arrays are stored in the machine's byte order; every target (arm64, x86-64) is little-endian.
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new MatcherFormatError('this machine is big-endian; the compiled form is little-endian only');
}

const pad4 = (n: number): number => (n + 3) & ~3;

interface Counts {
  slots: number;
  entries: number;
  classes: number;
  extras: number;
  categoryBytes: number;
}

/** Byte offsets of each array for the given counts, and the total length. */
function layout(c: Counts) {
  let at = HEADER + pad4(c.categoryBytes);
  const take = (bytes: number): number => {
    const start = at;
    at += bytes;
    return start;
  };
  const offsets = {
    slots: take(4 * c.slots),
    keys: take(8 * c.entries),
    classOf: take(4 * c.entries),
    lines: take(4 * c.entries),
    classes: take(4 * CLASS_STRIDE * c.classes),
    extraEntry: take(4 * c.extras),
    extraLine: take(4 * c.extras),
    lists: take(2 * c.entries),
    descs: take(2 * c.entries),
    extraList: take(2 * c.extras),
    extraDesc: take(2 * c.extras),
  };
  return { offsets, total: pad4(at) };
}

export function encodeMatcher(d: MatcherData, allocate: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes)): Uint8Array {
  const { pieces, bytes } = encodeMatcherPieces(d);
  const out = allocate(bytes);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/** An encoded table as the pieces that make it, in order: see encodeMatcherPieces. */
export interface EncodedPieces {
  /** The header (with the category ids), then views of the table's own arrays, then any padding. */
  pieces: Uint8Array[];
  /** Their total length: the encoded table's. */
  bytes: number;
  /** The CRC-32 in the header (encodedChecksum of the joined pieces). */
  crc32: number;
}

/**
 * The bytes of encodeMatcher(d) without joining them: a small header piece and views of `d`'s
 * arrays, which a file write takes as they are. A compiled table crosses from the compiler
 * thread as its arrays and is written to the compiled cache like this, so no second copy of it
 * (28 MB for 1M names) is ever made. The CRC is a pass over the arrays; a caller that already
 * has it for these very arrays (the compiler thread's, in its reply) passes it instead.
 */
export function encodeMatcherPieces(d: MatcherData, knownCrc32?: number): EncodedPieces {
  requireLittleEndian();
  const categoryText = new TextEncoder().encode(JSON.stringify(d.categories.ids()));
  const counts: Counts = {
    slots: d.slots.length, entries: d.entries, classes: d.classes.length / CLASS_STRIDE,
    extras: d.extraEntry.length, categoryBytes: categoryText.length,
  };
  const { offsets, total } = layout(counts);
  const head = new Uint8Array(offsets.slots);
  head.set(new TextEncoder().encode(FORMAT_MAGIC), 0);
  head.set(categoryText, HEADER);
  const bytesOf = (array: Uint32Array | Uint16Array): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  // layout()'s order, each array right after the one before; only the end may need padding.
  const pieces = [head, ...[d.slots, d.keys, d.classOf, d.lines, d.classes, d.extraEntry, d.extraLine, d.lists, d.descs, d.extraList, d.extraDesc].map(bytesOf)];
  const end = offsets.extraDesc + d.extraDesc.byteLength;
  if (end < total) pieces.push(new Uint8Array(total - end));
  const view = new DataView(head.buffer);
  view.setUint32(AT_VERSION, FORMAT_VERSION, true);
  view.setUint32(AT_LENGTH, total, true);
  view.setUint32(AT_SEED, d.seed, true);
  view.setUint32(AT_SLOTS, counts.slots, true);
  view.setUint32(AT_ENTRIES, counts.entries, true);
  view.setUint32(AT_CLASSES, counts.classes, true);
  view.setUint32(AT_EXTRAS, counts.extras, true);
  view.setUint32(AT_CATEGORIES, counts.categoryBytes, true);
  let crc = knownCrc32;
  if (crc === undefined) {
    crc = crc32(head.subarray(CRC_FROM));
    for (let p = 1; p < pieces.length; p++) crc = crc32(pieces[p]!, crc);
  }
  view.setUint32(AT_CRC, crc, true);
  return { pieces, bytes: total, crc32: crc };
}

/**
 * The CRC-32 an encoded table carries in its header (of its bytes from 20 to the end), as
 * decodeMatcher checks it: read, not computed, so naming a table costs no pass over it.
 */
export function encodedChecksum(encoded: Uint8Array): number {
  if (encoded.length < HEADER) throw new MatcherFormatError(`${encoded.length} bytes is shorter than the ${HEADER}-byte header`);
  return new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength).getUint32(AT_CRC, true);
}

/**
 * Decodes and checks `input`. By default the result keeps a private copy, so `input` may be
 * reused; with `adopt` (and `input` 4-byte aligned, as a file just read is) it keeps views into
 * `input` instead, halving the memory a load needs: the caller must not touch `input` again.
 */
export function decodeMatcher(input: Uint8Array, adopt = false): MatcherData {
  return readMatcher(input, adopt, true);
}

/**
 * Views over a table this thread has just encoded (`Matcher.toBuffer()`), adopting its bytes:
 * the layout of decodeMatcher without its checksum and invariant checks, which are for bytes
 * from elsewhere (a file, or a thread we do not control). On a 1M-name table those checks cost
 * ~85 ms of the reload; the compiled cache is still checked in full whenever it is read back.
 */
export function viewEncodedMatcher(encoded: Uint8Array): MatcherData {
  return readMatcher(encoded, true, false);
}

function readMatcher(input: Uint8Array, adopt: boolean, verify: boolean): MatcherData {
  requireLittleEndian();
  if (!(input instanceof Uint8Array)) throw new MatcherFormatError('not a byte array');
  if (input.length < HEADER) throw new MatcherFormatError(`${input.length} bytes is shorter than the ${HEADER}-byte header`);
  const magic = new TextDecoder().decode(input.subarray(0, 8));
  if (magic !== FORMAT_MAGIC) throw new MatcherFormatError('not a compiled matcher (bad magic)');
  // Typed-array views need 4-byte alignment; and unless adopted, the bytes must not change under us.
  let buf = input;
  if (!adopt || input.byteOffset % 4 !== 0) {
    buf = new Uint8Array(input.length);
    buf.set(input);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = view.getUint32(AT_VERSION, true);
  if (version !== FORMAT_VERSION) throw new MatcherFormatError(`format version ${version}, this firmware reads ${FORMAT_VERSION}`);
  const length = view.getUint32(AT_LENGTH, true);
  if (length !== buf.length) throw new MatcherFormatError(`header says ${length} bytes, the file has ${buf.length} (truncated or padded)`);
  if (verify && view.getUint32(AT_CRC, true) !== crc32(buf.subarray(CRC_FROM))) throw new MatcherFormatError('checksum mismatch (corrupt file)');

  const counts: Counts = {
    slots: view.getUint32(AT_SLOTS, true),
    entries: view.getUint32(AT_ENTRIES, true),
    classes: view.getUint32(AT_CLASSES, true),
    extras: view.getUint32(AT_EXTRAS, true),
    categoryBytes: view.getUint32(AT_CATEGORIES, true),
  };
  if (counts.entries > MAX_ENTRIES) throw new MatcherFormatError(`${counts.entries} entries is more than ${MAX_ENTRIES}`);
  // Bounded before layout() so a huge count cannot overflow the arithmetic into a plausible size.
  for (const [name, value] of Object.entries(counts)) {
    if (value > buf.length) throw new MatcherFormatError(`${name} count ${value} cannot fit in ${buf.length} bytes`);
  }
  const { offsets, total } = layout(counts);
  if (total !== buf.length) throw new MatcherFormatError(`counts need ${total} bytes, the file has ${buf.length}`);

  const categories = decodeCategories(buf.subarray(HEADER, HEADER + counts.categoryBytes));
  const u32 = (at: number, n: number): Uint32Array => new Uint32Array(buf.buffer, buf.byteOffset + at, n);
  const u16 = (at: number, n: number): Uint16Array => new Uint16Array(buf.buffer, buf.byteOffset + at, n);
  const n = counts.entries;
  const m = counts.extras;
  const data: MatcherData = {
    seed: view.getUint32(AT_SEED, true),
    categories,
    entries: n,
    slots: u32(offsets.slots, counts.slots),
    keys: u32(offsets.keys, 2 * n),
    classOf: u32(offsets.classOf, n),
    lines: u32(offsets.lines, n),
    classes: u32(offsets.classes, CLASS_STRIDE * counts.classes),
    extraEntry: u32(offsets.extraEntry, m),
    extraLine: u32(offsets.extraLine, m),
    lists: u16(offsets.lists, n),
    descs: u16(offsets.descs, n),
    extraList: u16(offsets.extraList, m),
    extraDesc: u16(offsets.extraDesc, m),
  };
  const problem = verify ? checkData(data, counts.classes) : undefined;
  if (problem !== undefined) throw new MatcherFormatError(problem);
  return data;
}

function decodeCategories(bytes: Uint8Array): CategoryIndex {
  let ids: unknown;
  try {
    ids = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new MatcherFormatError('category ids are not valid JSON');
  }
  if (!Array.isArray(ids) || ids.length > MAX_CATEGORIES) throw new MatcherFormatError('category ids are not a list of at most 64');
  if (!ids.every((id) => typeof id === 'string' && id.length > 0) || new Set(ids).size !== ids.length) {
    throw new MatcherFormatError('category ids must be distinct non-empty strings');
  }
  return new CategoryIndex(ids as string[]);
}

/** The table's invariants, which the CRC alone cannot vouch for (a file written by a bug). */
function checkData(d: MatcherData, classCount: number): string | undefined {
  const slotProblem = checkSlots(d.slots, d.keys, d.entries);
  if (slotProblem !== undefined) return slotProblem;
  const categories = d.categories.size;
  for (let e = 0; e < d.entries; e++) {
    if (d.classOf[e]! >= classCount) return `entry ${e} has class ${d.classOf[e]} of ${classCount}`;
    if (!isValidDescriptor(d.descs[e]!, categories)) return `entry ${e} has an invalid descriptor`;
  }
  // Bits past the last category would match but name nothing.
  const loBits = categories >= 32 ? 0xffffffff : (2 ** categories - 1);
  const hiBits = categories <= 32 ? 0 : 2 ** (categories - 32) - 1;
  for (let c = 0; c < classCount; c++) {
    const w = c * CLASS_STRIDE;
    const lo = d.classes[w]! | d.classes[w + 2]!;
    const hi = d.classes[w + 1]! | d.classes[w + 3]!;
    if ((lo & ~loBits) !== 0 || (hi & ~hiBits) !== 0) return `class ${c} uses a category bit with no id`;
    if ((d.classes[w + 4]! & ~CLASS_FLAGS) !== 0) return `class ${c} has unknown flags`;
  }
  for (let x = 0; x < d.extraEntry.length; x++) {
    const e = d.extraEntry[x]!;
    if (e >= d.entries || (x > 0 && e < d.extraEntry[x - 1]!)) return `extra record ${x} names entry ${e} out of order`;
    if (!isValidDescriptor(d.extraDesc[x]!, categories)) return `extra record ${x} has an invalid descriptor`;
  }
  return undefined;
}
