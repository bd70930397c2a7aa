// What the gateway remembers about each feed between downloads: the validators the server gave
// (ETag, Last-Modified), the checksum and size of the last good copy, and how the last attempt
// went. One JSON file, DATA_DIR/lists/feeds.json, written durably after every update.
//
// The copies themselves are the list files (feed-copy.ts) and are what filtering depends on; this
// file only saves bandwidth and explains. So a damaged feeds.json is reported and read as empty:
// the next download is unconditional, and nothing in service is touched.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { readTextIfExists, writeFileDurably } from '../../config/durable-file.ts';
import type { Logger } from '../../log.ts';
import { FeedUpdateResult } from './types.ts';

export const FEEDS_FILE_NAME = 'feeds.json';
const STORE_VERSION = 1;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const FeedRecord = Type.Object({
  /** The URL these validators came from: after a URL change they mean nothing. */
  url: Type.String(),
  etag: Nullable(Type.String()),
  lastModified: Nullable(Type.String()),
  sha256: Nullable(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  entries: Nullable(Type.Integer({ minimum: 0 })),
  bytes: Nullable(Type.Integer({ minimum: 0 })),
  lastSuccess: Nullable(Type.String()),
  lastAttempt: Nullable(FeedUpdateResult),
});
export type FeedRecord = Static<typeof FeedRecord>;

const FeedsFile = Type.Object({
  version: Type.Literal(STORE_VERSION),
  feeds: Type.Record(Type.String(), FeedRecord),
});
type FeedsFile = Static<typeof FeedsFile>;

export function emptyRecord(url: string): FeedRecord {
  return { url, etag: null, lastModified: null, sha256: null, entries: null, bytes: null, lastSuccess: null, lastAttempt: null };
}

export class FeedStore {
  readonly file: string;
  /** Why the file on disk was not used (it is then read as empty), or undefined. */
  readonly problem: string | undefined;
  readonly #records: Map<string, FeedRecord>;

  private constructor(file: string, records: Map<string, FeedRecord>, problem: string | undefined) {
    this.file = file;
    this.#records = records;
    this.problem = problem;
  }

  /** Reads DIR/feeds.json; a missing file is an empty store, a damaged one is reported and empty. */
  static async open(listsDir: string, logger: Logger): Promise<FeedStore> {
    const file = join(listsDir, FEEDS_FILE_NAME);
    const text = await readTextIfExists(file);
    if (text === null) return new FeedStore(file, new Map(), undefined);
    let problem: string | undefined;
    try {
      const data: unknown = JSON.parse(text);
      if (Value.Check(FeedsFile, data)) return new FeedStore(file, new Map(Object.entries(data.feeds)), undefined);
      const first = Value.Errors(FeedsFile, data)[0];
      problem = `${file} is not a feeds file (${first ? `${first.instancePath || '/'}: ${first.message}` : 'unexpected shape'})`;
    } catch (error) {
      problem = `${file} is not valid JSON (${(error as Error).message})`;
    }
    logger.error({ file, problem }, 'feed metadata unreadable: read as empty; the list copies are untouched and the next downloads are unconditional');
    return new FeedStore(file, new Map(), problem);
  }

  get(listId: string): FeedRecord | undefined {
    return this.#records.get(listId);
  }

  set(listId: string, record: FeedRecord): void {
    this.#records.set(listId, record);
  }

  /** Writes every record durably (temp file, fsync, rename): a power cut leaves the old or new file. */
  async save(): Promise<void> {
    const data: FeedsFile = { version: STORE_VERSION, feeds: Object.fromEntries([...this.#records].sort(([a], [b]) => a.localeCompare(b))) };
    // A feed whose copy lives outside the lists directory may be the first thing written here.
    await mkdir(dirname(this.file), { recursive: true, mode: 0o750 });
    // 0600: a feed URL may carry a subscription key.
    await writeFileDurably(this.file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  }
}
