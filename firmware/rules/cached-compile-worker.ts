// The list compiler's thread, with the compiled cache in front of it. Everything heavy happens
// here, off the DNS thread: hashing the list files, reading and checking a cached table, or
// compiling. The table crosses back as its arrays, transferred (no copy on either thread), before
// the work only the compiled cache needs (the files hashed again).
//
// The main thread only sends work here when a cheap stat says something may have changed; here
// the files are hashed, and if their contents are what the cache was built from (a file touched,
// or rewritten with the same bytes), the cached table is used instead of a compile.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { osThreadId } from '../native/thread-id.ts';
import { decodeMatcher, encodeMatcherPieces } from '../dns/matcher/serialize.ts';
import type { CompileReply, CompileRequest } from './compile-protocol.ts';
import { hashStamps, readCacheBin, sameByHash } from './cache-files.ts';
import type { CacheMeta, FileStamp } from './compiled-cache.ts';
import { compileLists, ListReadError } from './load-lists.ts';

export interface CachedCompileRequest extends CompileRequest {
  key: string;
  /** The enabled lists' files, by stat, in config order. */
  stamps: FileStamp[];
  cacheDir: string;
  /** The cache's description when its key matches (only then is it worth reading). */
  cached?: CacheMeta;
}

export type CachedCompileReply = CompileReply & {
  /** The table came from lists.bin, not a compile (its files, hashed before it was read, are here). */
  fromCache?: boolean;
  files?: FileStamp[];
  /** The table's checksum (encodedChecksum), for lists.json. */
  binCrc32?: number;
  /** Why a cache that looked usable was not used. */
  cacheProblem?: string;
};

/**
 * The second message after a compile, once the table is in service: the files hashed again,
 * worked out after the hand-over so the reload does not wait for it.
 */
export interface RehashReply {
  /** The files as compiled (with SHA-256); absent when one changed during the compile, so the result must not be cached. */
  files?: FileStamp[];
}

interface Outcome {
  reply: CachedCompileReply;
  transfer: ArrayBuffer[];
  /** After a compile: hashes the files again, for the second message. */
  rehash?: () => Promise<RehashReply>;
}

const COMPILE_NICE = 19;

/** See compile-worker.ts: under load the DNS thread is scheduled first. Best effort. */
function yieldCpu(): void {
  const tid = osThreadId();
  if (tid === undefined) return;
  try {
    setPriority(tid, COMPILE_NICE);
  } catch {
    // not allowed: compile at normal priority
  }
}

const sameStat = (a: readonly FileStamp[], b: readonly FileStamp[]): boolean =>
  a.length === b.length && a.every((f, i) => f.size === b[i]!.size && f.mtimeMs === b[i]!.mtimeMs);

async function answer(request: CachedCompileRequest): Promise<Outcome> {
  // Hashed first only when a cached table might serve (same stat key): otherwise it is a compile
  // anyway, and the files' stat from before it stands in for "before".
  const before = request.cached ? await hashStamps(request.stamps) : undefined;
  let cacheProblem: string | undefined;
  if (request.cached && before && sameByHash(request.key, before, request.cached)) {
    try {
      const bytes = await readCacheBin(request.cacheDir, request.cached);
      const { categories, ...arrays } = decodeMatcher(bytes, true);
      const { extras, statuses, listIds, compileMs } = request.cached;
      return {
        reply: { ok: true, data: arrays, categories: [...categories.ids()], extras, statuses, listIds, compileMs, fromCache: true, files: before },
        // The views' buffer: the file's own, or decodeMatcher's aligned copy of it.
        transfer: [arrays.slots.buffer as ArrayBuffer],
      };
    } catch (error) {
      cacheProblem = (error as Error).message;
    }
  }
  // The paths the main thread stamped: the same files, and no catalogue to load here. A path it
  // could not work out fails that list with the main thread's reason, as an in-thread compile would.
  const stamps = new Map(request.stamps.map((s) => [s.id, s]));
  const pathOf = (list: { id: string; file: string }): string => {
    const stamp = stamps.get(list.id);
    if (stamp?.problem !== undefined) throw new Error(stamp.problem);
    return stamp?.path ?? list.file;
  };
  const compiled = await compileLists(request.config, { listsDir: request.listsDir, seed: request.seed, pathOf });
  // The builder's own arrays cross as they are, transferred: encoding them into one buffer first
  // held a second copy of the table (28 MB for 1M names) at the reload's peak. Not shared: the
  // DNS thread's old table must be an ArrayBuffer for V8 to free it promptly after a swap (shared
  // tables stayed resident in an idle daemon, +28 MB a reload). The cache's checksum is worked
  // out here, before the hand-over, so the main thread writes the file without a pass over it.
  const { data, buffers } = compiled.matcher.toTransfer();
  const binCrc32 = encodeMatcherPieces(data).crc32;
  const { categories, ...arrays } = data;
  // A file rewritten while it was compiled: what was read is not what was hashed, so no cache.
  // Found after the table is handed over: only the cache needs to know.
  const rehash = async (): Promise<RehashReply> => {
    const after = await hashStamps(request.stamps.map((s) => ({ ...s })));
    const stable = before ? sameStat(before, after) && before.every((f, i) => f.sha256 === after[i]!.sha256) : sameStat(request.stamps, after);
    return stable ? { files: after } : {};
  };
  return {
    reply: {
      ok: true, data: arrays, categories: [...categories.ids()], extras: compiled.extras, statuses: compiled.statuses,
      listIds: compiled.listIds, compileMs: compiled.compileMs, binCrc32, ...(cacheProblem ? { cacheProblem } : {}),
    },
    transfer: buffers,
    rehash,
  };
}

async function run(request: CachedCompileRequest): Promise<void> {
  yieldCpu();
  let outcome: Outcome;
  try {
    outcome = await answer(request);
  } catch (error) {
    outcome = {
      reply: {
        ok: false,
        name: error instanceof Error ? error.name : 'Error',
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof ListReadError ? { statuses: error.statuses } : {}),
      },
      transfer: [],
    };
  }
  parentPort!.postMessage(outcome.reply, outcome.transfer);
  if (outcome.rehash) parentPort!.postMessage(await outcome.rehash());
}

await run(workerData as CachedCompileRequest);
