// The list checker's work on a file's bytes, as the compiler reads them: a line that is one plain
// name in normal form is counted from its bytes with no string made, and repeats are found by a
// 64-bit hash of each entry instead of a set of strings. The list compiler thread runs it for an
// import (import-check-worker.ts), so the daemon's main thread never holds a big list's names;
// `schoolgate lists test` runs it too, so both report the same thing. No TypeBox here: a worker
// thread loads this module (test/unit/thread-imports.test.ts).
import type { ListFormat } from '../config/schema.ts';
import { hashNameBytes } from '../dns/matcher/hash.ts';
import { plainAdblockLine } from './formats/adblock.ts';
import { createListReader, type ListItem } from './formats/parse.ts';
import { plainDomainsLine, plainHostsLine, type NameSpan, type PlainNameLine } from './formats/plain.ts';
import { estimateEntryLines, forEachLineRange } from './formats/read-list.ts';
import { KeySet } from './key-set.ts';
import type { ListCheck } from './list-check.ts';

/** How many bad lines a report quotes; the rest are counted ("… and N more"). */
export const REPORTED_BAD_LINES = 20;

export interface CheckedBytes {
  report: ListCheck;
  /** Every bad line's number, ascending, each once (import with --skip-bad-lines drops exactly these). */
  bad: Uint32Array;
}

const PLAIN_NAME_LINES: Partial<Record<ListFormat, PlainNameLine>> = {
  domains: plainDomainsLine,
  hosts: plainHostsLine,
  adblock: plainAdblockLine,
};

/** Line numbers in a growable typed array: a file of nothing but bad lines has millions. */
class LineNumbers {
  #lines = new Uint32Array(64);
  #count = 0;

  push(line: number): void {
    if (this.#count === this.#lines.length) {
      const grown = new Uint32Array(this.#lines.length * 2);
      grown.set(this.#lines);
      this.#lines = grown;
    }
    this.#lines[this.#count++] = line;
  }

  /** Ascending, repeats removed. */
  sorted(): Uint32Array {
    const lines = this.#lines.subarray(0, this.#count).sort();
    let n = 0;
    for (let i = 0; i < lines.length; i++) if (i === 0 || lines[i] !== lines[i - 1]) lines[n++] = lines[i]!;
    return lines.slice(0, n);
  }
}

/**
 * Parses `bytes` as `format` and counts what it holds, as checkListText does for a text: a
 * repeated entry is one that matches an earlier one of the same kind, action and mode.
 * `restricted` keeps the listed text out of every message and refuses allow entries.
 */
export function checkListBytes(bytes: Buffer, format: ListFormat, options: { restricted?: boolean; guessed?: string } = {}): CheckedBytes {
  const report: ListCheck = {
    format, ...(options.guessed ? { guessed: options.guessed } : {}),
    lines: 0, entries: 0, names: 0, regexes: 0, hashes: 0, allow: 0, duplicates: 0, skipped: [], badLines: 0, firstBadLines: [], truncated: false,
  };
  const bad = new LineNumbers();
  // Names of one action and mode are one set: each such bucket hashes with its own seed.
  const names = new KeySet(estimateEntryLines(bytes));
  const seeds = new Map<string, number>();
  const seedOf = (bucket: string): number => {
    let seed = seeds.get(bucket);
    if (seed === undefined) seeds.set(bucket, seed = 0x5eed0000 + seeds.size);
    return seed;
  };
  const hashes = new KeySet();
  const regexes = { block: new Set<string>(), allow: new Set<string>() };
  const scratch = new Uint32Array(2);
  const nameBytes = new Uint8Array(1024);
  const encoder = new TextEncoder();
  const fresh = (item: ListItem): boolean => {
    if (item.type === 'name') {
      const { written } = encoder.encodeInto(item.name, nameBytes);
      hashNameBytes(nameBytes, 0, written, seedOf(`${item.action} ${item.mode}`), scratch);
      return names.add(scratch[0]!, scratch[1]!);
    }
    if (item.type === 'regex') {
      const set = regexes[item.action];
      return set.size !== set.add(item.pattern).size;
    }
    // The digest's first 64 bits: two different digests that share them are never met.
    return hashes.add(Number.parseInt(item.sha256.slice(0, 8), 16), Number.parseInt(item.sha256.slice(8, 16), 16));
  };
  const reader = createListReader(format, {
    item(item) {
      if (!fresh(item)) {
        report.duplicates++;
        return;
      }
      report.entries++;
      if (item.type === 'name') report.names++;
      else if (item.type === 'regex') report.regexes++;
      else report.hashes++;
      if (item.type !== 'hash' && item.action === 'allow') report.allow++;
    },
    error(error) {
      bad.push(error.line);
      if (report.firstBadLines.length < REPORTED_BAD_LINES) report.firstBadLines.push(error);
    },
  }, { redact: options.restricted === true, exceptions: options.restricted !== true, keepDuplicates: true });
  const plainName = PLAIN_NAME_LINES[format];
  const plainSeed = seedOf('block suffix');
  const span: NameSpan = { start: 0, end: 0 };
  forEachLineRange(bytes, (start, end) => {
    const textEnd = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    const line = plainName?.(bytes, start, textEnd, span) ? reader.claimPlainName() : 0;
    if (line === 0) {
      reader.push(bytes.toString('utf8', start, end));
      return;
    }
    hashNameBytes(bytes, span.start, span.end, plainSeed, scratch);
    if (!names.add(scratch[0]!, scratch[1]!)) {
      report.duplicates++;
      return;
    }
    report.entries++;
    report.names++;
  });
  const summary = reader.end();
  report.lines = summary.lines;
  report.skipped = summary.skipped.map((s) => ({ ...s }));
  report.truncated = summary.truncated;
  const sorted = bad.sorted();
  report.badLines = sorted.length;
  return { report, bad: sorted };
}

/** Why an import is refused after its check; absent when the list may be stored. */
export type ImportRefusal = 'bad-lines' | 'too-long' | 'empty-list';

export function refusal(report: ListCheck, skipBadLines: boolean): ImportRefusal | undefined {
  if (report.badLines > 0 && !skipBadLines) return 'bad-lines';
  if (report.truncated) return 'too-long';
  if (report.entries === 0) return 'empty-list';
  return undefined;
}

/** The file's bytes without the lines numbered in `bad` (ascending), as pieces of the one buffer. */
export function keptPieces(bytes: Uint8Array, bad: Uint32Array): Uint8Array[] {
  if (bad.length === 0) return bytes.length === 0 || bytes[bytes.length - 1] === 0x0a ? [bytes] : [bytes, new Uint8Array([0x0a])];
  const pieces: Uint8Array[] = [];
  let line = 0;
  let next = 0;
  let keptFrom = 0;
  forEachLineRange(bytes, (start, end) => {
    line++;
    if (line !== bad[next]) return;
    next++;
    if (start > keptFrom) pieces.push(bytes.subarray(keptFrom, start));
    keptFrom = Math.min(end + 1, bytes.length);
  });
  if (keptFrom < bytes.length) pieces.push(bytes.subarray(keptFrom));
  const last = pieces.at(-1);
  if (last && last[last.length - 1] !== 0x0a) pieces.push(new Uint8Array([0x0a]));
  return pieces;
}
