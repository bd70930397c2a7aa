// Whether a downloaded feed is a list worth swapping in. Pure: text in, verdict out.
//
// A feed server that is broken rarely says so with a status code: a captive login page, a CDN
// error page or a half-written file all arrive as "200 OK". Swapping one in would silently empty
// a category (or, for an illegal-content list, stop blocking it), so each is refused here and the
// last good copy stays.
import type { ListFormat } from '../../config/schema.ts';
import { createListReader } from '../formats/parse.ts';
import { forEachLine } from '../formats/read-list.ts';

/**
 * More bad lines than this share of the non-comment lines means the file is not in the list's
 * format (the wrong format configured, or not a list at all). Real lists carry a few odd lines —
 * an IP address, a name with a space — well under 1 %; 10 % leaves room for those without letting
 * a page of HTML or a hosts file read as domains through.
 */
export const MAX_BAD_LINE_SHARE = 0.1;

/**
 * A list that lost more than this share of its entries since the last good copy is taken for a
 * truncated download (a connection closed early behind a proxy that hid it). Feeds grow and shrink
 * by a few per cent a day; halving overnight needs a person to look (and `force` to accept).
 */
export const MAX_SHRINK_SHARE = 0.5;

export interface FeedValidationOptions {
  format: ListFormat;
  /** Entries in the copy in service, or null when there is none (a first download). */
  previousEntries: number | null;
  /** Restricted lists: counted as the compiler counts them (no exceptions, no quoting). */
  restricted?: boolean;
  /** Skip the shrink check (see MAX_SHRINK_SHARE). */
  force?: boolean;
}

export interface FeedValidation {
  ok: boolean;
  /** Why the download was refused; absent when ok. */
  error?: string;
  /** Entries as the compiler will count them (repeats folded). */
  entries: number;
  badLines: number;
  /** Lines that carry something: entries, repeats, bad lines and lines valid but not for DNS. */
  contentLines: number;
}

/** The file's text after a BOM and leading blank space: what a person would see first. */
function startsLikeMarkup(text: string): boolean {
  const start = text.replace(/^\ufeff/, '').trimStart();
  return start.startsWith('<');
}

export function validateFeed(text: string, options: FeedValidationOptions): FeedValidation {
  let entries = 0;
  let badLines = 0;
  const reader = createListReader(options.format, {
    item: () => { entries++; },
    error: () => { badLines++; },
  }, { redact: options.restricted === true, exceptions: options.restricted !== true });
  forEachLine(text, (line) => reader.push(line));
  const summary = reader.end();
  const skipped = summary.skipped.reduce((sum, s) => sum + s.count, 0);
  const contentLines = entries + summary.duplicates + badLines + skipped;
  const result = (error?: string): FeedValidation => ({ ok: error === undefined, ...(error === undefined ? {} : { error }), entries, badLines, contentLines });

  // No list format starts with "<": this is what an error or login page looks like.
  if (startsLikeMarkup(text)) return result(`the download looks like an HTML error page, not a ${options.format} list (it starts with "<")`);
  if (entries === 0) {
    return result(text.trim() === ''
      ? 'the download is empty'
      : `the download has no ${options.format} entries (${summary.lines} lines, ${badLines} of them bad)`);
  }
  if (badLines > contentLines * MAX_BAD_LINE_SHARE) {
    const percent = Math.round((badLines / contentLines) * 100);
    return result(`${badLines} of ${contentLines} lines (${percent} %) are not ${options.format} entries, more than the ${MAX_BAD_LINE_SHARE * 100} % allowed: is the list's format right?`);
  }
  if (summary.truncated && options.restricted) {
    // The compiler refuses part of an illegal-content list; refusing here keeps the copy that works.
    return result('the download is longer than a list may be; a restricted list is never used in part');
  }
  const previous = options.previousEntries;
  if (!options.force && previous !== null && previous > 0 && entries < previous * (1 - MAX_SHRINK_SHARE)) {
    return result(`the download has ${entries} entries against ${previous} in the copy in service, a drop of more than ${MAX_SHRINK_SHARE * 100} %: `
      + 'a truncated download? (if the feed really shrank, accept it with `lists update --force`)');
  }
  return result();
}
