// One feed's turn in an update: conditional download, validation, and (when the content is new
// and sound) the new copy written beside the old one kept aside. The swap into service and the
// bookkeeping that depends on it happen in feed-service.ts, once for the whole update.
import type { ListSource } from '../../config/schema.ts';
import { builtinId, loadCatalogue } from '../catalogue.ts';
import { listPath } from '../load-lists.ts';
import { createListReader } from '../formats/parse.ts';
import { forEachLine } from '../formats/read-list.ts';
import { readCopy, replaceCopy, sha256Of, type CopyBackup } from './feed-copy.ts';
import { emptyRecord, type FeedRecord } from './feed-store.ts';
import { fetchFeed, type FeedValidators } from './fetch-feed.ts';
import type { FeedUpdateResult } from './types.ts';
import { validateFeed } from './validate-feed.ts';

export type FeedList = ListSource & { feed: NonNullable<ListSource['feed']> };

export interface UpdateOneOptions {
  listsDir: string;
  record: FeedRecord | undefined;
  at: string;
  force: boolean;
  fetch: typeof globalThis.fetch;
  timeoutMs: number | undefined;
  signal: AbortSignal;
  userAgent?: string;
}

export interface UpdateOneOutcome {
  result: FeedUpdateResult;
  /** The record as it stands if this outcome is kept. */
  record: FeedRecord;
  /** Set when a new copy was written: undo it with restoreCopy if the lists cannot be rebuilt. */
  copy?: CopyBackup;
}

/** Entries in a copy, counted as the validator counts them (for a copy whose metadata was lost). */
function countEntries(body: Buffer, list: FeedList): number {
  let entries = 0;
  const reader = createListReader(list.format, { item: () => { entries++; }, error: () => {} }, { redact: list.restricted === true, exceptions: list.restricted !== true });
  const text = body.toString('utf8');
  forEachLine(text, (line) => reader.push(line));
  reader.end();
  return entries;
}

/** Where the feed's copy lives; shipped lists are the firmware's own, never overwritten by a feed. */
export function feedCopyPath(list: FeedList, listsDir: string): string {
  if (builtinId(list.file) !== undefined) throw new Error(`list ${list.id} has a feed but its file is a shipped list (${list.file}): give it a file in the lists directory`);
  return listPath(list, listsDir, loadCatalogue);
}

export async function updateOne(list: FeedList, options: UpdateOneOptions): Promise<UpdateOneOutcome> {
  const { at, record } = options;
  const feed = list.feed;
  // Validators from another URL (the subscription was moved) describe another file.
  const base = record && record.url === feed.url ? record : emptyRecord(feed.url);
  const failed = (error: string, extra: Partial<FeedUpdateResult> = {}): UpdateOneOutcome => {
    const result: FeedUpdateResult = { list: list.id, outcome: 'failed', at, ...extra, error };
    return { result, record: { ...base, lastAttempt: result } };
  };
  let path: string;
  let existing: Buffer | null;
  try {
    path = feedCopyPath(list, options.listsDir);
    existing = await readCopy(path);
  } catch (error) {
    return failed((error as Error).message);
  }

  // Without a copy on disk there is nothing for a 304 to keep; with a pin the copy must match it.
  const trustValidators = existing !== null && (!feed.sha256 || base.sha256 === feed.sha256);
  const storedSha = existing === null ? null : base.sha256 ?? sha256Of(existing);
  const validators: FeedValidators = trustValidators
    ? { etag: base.etag, lastModified: base.lastModified, sha256: storedSha }
    : { etag: null, lastModified: null, sha256: feed.sha256 && storedSha !== feed.sha256 ? null : storedSha };

  const fetched = await fetchFeed({
    url: feed.url,
    previous: validators,
    maxBytes: feed.maxBytes,
    timeoutMs: options.timeoutMs,
    pinnedSha256: feed.sha256,
    fetch: options.fetch,
    signal: options.signal,
    userAgent: options.userAgent,
  });
  if (fetched.kind === 'failed') return failed(fetched.error);

  if (fetched.kind === 'unchanged') {
    const entries = base.entries ?? (existing ? countEntries(existing, list) : null);
    const result: FeedUpdateResult = {
      list: list.id, outcome: 'unchanged', at,
      ...(storedSha ? { sha256: storedSha } : {}),
      ...(entries !== null ? { entries } : {}),
      ...(existing ? { bytes: existing.length } : {}),
    };
    return {
      result,
      record: {
        ...base, etag: fetched.etag, lastModified: fetched.lastModified, sha256: storedSha, entries,
        bytes: existing?.length ?? base.bytes, lastSuccess: at, lastAttempt: result,
      },
    };
  }

  // The shrink check compares against the copy in service, counted afresh if its metadata was lost
  // but not across a URL change: a new source owes nothing to the old one's size.
  const movedUrl = record !== undefined && record.url !== feed.url;
  const previousEntries = existing === null || movedUrl ? null : base.entries ?? countEntries(existing, list);
  const verdict = validateFeed(fetched.body.toString('utf8'), {
    format: list.format, previousEntries, restricted: list.restricted === true, force: options.force,
  });
  const counts = { bytes: fetched.body.length, sha256: fetched.sha256, entries: verdict.entries, badLines: verdict.badLines };
  if (!verdict.ok) return failed(`${verdict.error}; the last good copy stays`, counts);

  let copy: CopyBackup;
  try {
    // A restricted list's copy is readable by the daemon alone.
    copy = await replaceCopy(path, fetched.body, list.restricted ? 0o600 : 0o640);
  } catch (error) {
    return failed(`cannot store the new copy: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, counts);
  }
  const result: FeedUpdateResult = { list: list.id, outcome: 'updated', at, ...counts };
  return {
    result,
    copy,
    record: {
      url: feed.url, etag: fetched.etag, lastModified: fetched.lastModified, sha256: fetched.sha256,
      entries: verdict.entries, bytes: fetched.body.length, lastSuccess: at, lastAttempt: result,
    },
  };
}
