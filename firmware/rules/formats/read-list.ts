// Everything every format shares, around its line parser: the file's limits, a BOM, CRLF
// endings, binary junk, duplicate folding, exceptions refused where a list cannot have them, and
// the redaction of a restricted list's text from every message.
import type { FormatParserFactory, LineError, LineOut, ListItem } from './list-item.ts';

export const DEFAULT_MAX_LINES = 5_000_000;
export const DEFAULT_MAX_LINE_BYTES = 4096;

export interface ListReadOptions {
  /** A restricted list: no message quotes the list's text. */
  redact?: boolean;
  /** Whether exception (allow) lines are accepted; false for restricted lists. Default true. */
  exceptions?: boolean;
  /** Pass repeated items on instead of folding them (a checker that reports repeats). Default false. */
  keepDuplicates?: boolean;
  maxLines?: number;
  maxLineBytes?: number;
}

export interface ListSink {
  item(item: ListItem): void;
  error(error: LineError): void;
}

/** Lines skipped as not applicable, one row per fixed reason. */
export interface SkipCount {
  reason: string;
  count: number;
  firstLine: number;
}

export interface ListReadSummary {
  lines: number;
  items: number;
  errors: number;
  /** Items repeated within the file, folded into their first occurrence. */
  duplicates: number;
  skipped: SkipCount[];
  /** The file had more than maxLines lines; the ones after were not read (and one error says so). */
  truncated: boolean;
}

export interface ListReader {
  /** One line without its "\n" (a trailing "\r" is removed here), in file order from line 1. */
  push(text: string): void;
  /**
   * Counts, in place of push, a line the caller has read itself as one plain block name (see
   * PlainNameLine in plain.ts) and passes on: returns its line
   * number, or 0 when the reader must see the line (past the line limit, or folding repeats),
   * and then nothing was counted and the caller pushes it as text.
   */
  claimPlainName(): number;
  /** End of file: flushes the format's open state and returns the counts. */
  end(): ListReadSummary;
}

const MAX_QUOTED = 80;

/** Items already passed on, one set per kind of item, keyed by the name, pattern or digest itself. */
class Seen {
  private readonly names = new Map<string, Set<string>>();
  private readonly regexes = { block: new Set<string>(), allow: new Set<string>() };
  private readonly hashes = new Set<string>();

  /** Whether the item was new (and is now remembered). */
  add(item: ListItem): boolean {
    let set: Set<string>;
    let key: string;
    if (item.type === 'name') {
      // Sets by action and mode: the name itself, already allocated by the parser, is the key.
      const bucket = item.action === 'block' ? item.mode : `allow ${item.mode}`;
      set = this.names.get(bucket) ?? new Set();
      if (set.size === 0) this.names.set(bucket, set);
      key = item.name;
    } else if (item.type === 'regex') {
      set = this.regexes[item.action];
      key = item.pattern;
    } else {
      set = this.hashes;
      key = item.sha256;
    }
    const before = set.size;
    set.add(key);
    return set.size !== before;
  }
}

export function readLines(factory: FormatParserFactory, sink: ListSink, options: ListReadOptions = {}): ListReader {
  const maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const summary: ListReadSummary = { lines: 0, items: 0, errors: 0, duplicates: 0, skipped: [], truncated: false };
  const skipped = new Map<string, SkipCount>();
  const seen = new Seen();
  const error = (line: number, message: string): void => {
    summary.errors++;
    sink.error({ line, message });
  };
  const out: LineOut = {
    item(item) {
      if (item.type !== 'hash' && item.action === 'allow' && options.exceptions === false) {
        error(item.line, 'exception (allow) entries are not accepted in this list: a restricted list can never be excepted');
        return;
      }
      if (options.keepDuplicates) {
        summary.items++;
        sink.item(item);
        return;
      }
      if (!seen.add(item)) {
        summary.duplicates++;
        return;
      }
      summary.items++;
      sink.item(item);
    },
    error,
    skip(line, reason) {
      const count = skipped.get(reason);
      if (count) count.count++;
      else skipped.set(reason, { reason, count: 1, firstLine: line });
    },
    quote(text) {
      if (options.redact) return 'the entry';
      return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
    },
  };
  const parser = factory(out);
  return {
    push(text) {
      const line = ++summary.lines;
      if (line > maxLines) {
        if (!summary.truncated) error(line, `the file has more than ${maxLines} lines; this line and the rest are ignored`);
        summary.truncated = true;
        return;
      }
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      // Characters never outnumber UTF-8 bytes, so only long-ish lines need counting.
      const bytes = text.length * 3 > maxLineBytes ? Buffer.byteLength(text, 'utf8') : text.length;
      if (bytes > maxLineBytes) {
        error(line, `line is ${bytes} bytes, over the limit of ${maxLineBytes}`);
        return;
      }
      if (text.includes('\0')) {
        error(line, 'line contains binary data (NUL bytes): is this file a text list?');
        return;
      }
      if (text.includes('\ufffd')) {
        error(line, 'line is not valid UTF-8 text');
        return;
      }
      parser.line(text, line);
    },
    claimPlainName() {
      if (!options.keepDuplicates || summary.lines >= maxLines) return 0;
      summary.items++;
      return ++summary.lines;
    },
    end() {
      parser.end();
      summary.skipped = [...skipped.values()];
      return summary;
    },
  };
}

/** Calls `each(line)` for every line of `text`; a final newline ends the last line rather than starting one. */
export function forEachLine(text: string, each: (line: string, number: number) => void): void {
  let start = 0;
  let number = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    each(text.slice(start, end), ++number);
    start = end + 1;
  }
}

/** forEachLine over bytes: `each(start, end)` for every line's range, without its "\n". */
export function forEachLineRange(bytes: Uint8Array, each: (start: number, end: number) => void): void {
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    each(start, end);
    start = end + 1;
  }
}

/** Bytes of a list read to estimate its line count from (estimateEntryLines). */
export const SAMPLE_BYTES = 64 * 1024;

// First bytes of a line that holds no entry: blank, a comment (#, !), an adblock [header].
const NOT_AN_ENTRY = new Set([0x0a, 0x0d, 0x20, 0x09, 0x23, 0x21, 0x5b]);

/**
 * About how many lines of `bytes` hold an entry, for sizing a table before the lines are read:
 * counted in full up to SAMPLE_BYTES, beyond that scaled from the first SAMPLE_BYTES (big lists
 * are uniform enough: the estimate only has to land in the right power of two). `bytes` may be
 * just the file's first SAMPLE_BYTES when `fileBytes` gives its size.
 */
export function estimateEntryLines(bytes: Uint8Array, fileBytes = bytes.length): number {
  const sample = bytes.subarray(0, Math.min(bytes.length, SAMPLE_BYTES));
  let lines = 0;
  forEachLineRange(sample, (start) => {
    if (!NOT_AN_ENTRY.has(sample[start]!)) lines++;
  });
  if (sample.length >= fileBytes) return lines;
  return Math.ceil((lines * fileBytes) / sample.length);
}
