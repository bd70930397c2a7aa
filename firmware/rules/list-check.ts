// Reading a list file a technician brings, before anything is stored: which format it is (when
// they did not say), what it holds, and which lines are bad. Shared by `schoolgate lists test`
// (run locally, changes nothing) and the daemon's `lists.import`, so both report the same thing.
import { Type, type Static } from 'typebox';
import type { ListFormat } from '../config/schema.ts';
import { forEachLine } from './formats/read-list.ts';
import { checkListBytes, REPORTED_BAD_LINES, type CheckedBytes } from './list-check-bytes.ts';

export { REPORTED_BAD_LINES } from './list-check-bytes.ts';

export const ListCheck = Type.Object({
  format: Type.String(),
  /** Set when the format was not given: why this one was chosen. */
  guessed: Type.Optional(Type.String()),
  lines: Type.Integer({ minimum: 0 }),
  entries: Type.Integer({ minimum: 0, description: 'names + regexes + hashes, repeats folded' }),
  names: Type.Integer({ minimum: 0 }),
  regexes: Type.Integer({ minimum: 0 }),
  hashes: Type.Integer({ minimum: 0 }),
  allow: Type.Integer({ minimum: 0, description: 'exception entries (@@ rules, rpz-passthru)' }),
  duplicates: Type.Integer({ minimum: 0 }),
  skipped: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer(), firstLine: Type.Integer() })),
  badLines: Type.Integer({ minimum: 0 }),
  firstBadLines: Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() }), { description: `the first ${REPORTED_BAD_LINES}` }),
  truncated: Type.Boolean(),
});
export type ListCheck = Static<typeof ListCheck>;

export type CheckedList = CheckedBytes;

const SAMPLE_LINES = 200;
const HOSTS_LINE = /^(0\.0\.0\.0|127\.0\.0\.1|::1?|0|::)\s+\S/;
const HEX64 = /^[0-9a-fA-F]{64}$/;
const DOMAIN_LINE = /^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/;

/**
 * Guesses the format from the first lines that are not blank or comments. Only the formats with
 * a telltale shape are guessed; a regex list never is (a plain name is a valid regex).
 */
export function guessFormat(text: string): { format: ListFormat; reason: string } | { error: string } {
  const sample: string[] = [];
  forEachLine(text.length > 1 << 20 ? text.slice(0, 1 << 20) : text, (raw) => {
    if (sample.length >= SAMPLE_LINES) return;
    const line = raw.replace(/^\ufeff/, '').trim();
    if (line) sample.push(line);
  });
  if (sample.some((l) => /^\$ORIGIN\b/i.test(l) || /\bSOA\b/.test(l))) return { format: 'rpz', reason: 'it has a $ORIGIN or SOA record' };
  if (sample.some((l) => l.startsWith('||') || l.startsWith('@@||') || /^\[adblock/i.test(l))) return { format: 'adblock', reason: 'lines start with "||"' };
  const data = sample.filter((l) => !l.startsWith('#') && !l.startsWith('!') && !l.startsWith(';'));
  if (data.length === 0) return { error: 'cannot tell the format: the file has no entries in its first lines; give --format' };
  const share = (test: RegExp): number => data.filter((l) => test.test(l)).length / data.length;
  if (share(HEX64) >= 0.9) return { format: 'sha256', reason: 'lines are 64 hexadecimal digits' };
  if (share(HOSTS_LINE) >= 0.5) return { format: 'hosts', reason: 'lines start with an address such as 0.0.0.0' };
  if (share(DOMAIN_LINE) >= 0.5) return { format: 'domains', reason: 'lines are domain names' };
  return { error: 'cannot tell the format from the first lines; give --format (domains, hosts, adblock, regex, rpz or sha256)' };
}

/**
 * Parses the whole of `text` as `format` and counts what it holds (checkListBytes, on its UTF-8
 * bytes). `restricted` keeps the listed text out of every message and refuses allow entries.
 */
export function checkListText(text: string, format: ListFormat, options: { restricted?: boolean; guessed?: string } = {}): CheckedList {
  return checkListBytes(Buffer.from(text, 'utf8'), format, options);
}
