// The list compiler's thread, with the compiled cache in front of it. Everything heavy happens
// here, off the DNS thread: hashing the list files, reading and checking a cached table, or
// compiling. A compiled table crosses back in shared memory (no copy on the DNS thread), before
// the work that only the compiled cache needs (its checksum, the files hashed again).
//
// The main thread only sends work here when a cheap stat says something may have changed; here
// the files are hashed, and if their contents are what the cache was built from (a file touched,
// or rewritten with the same bytes), the cached table is used instead of a compile.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeMatcher, sealMatcher, viewEncodedMatcher } from '../dns/matcher/serialize.ts';
import type { CompileReply, CompileRequest } from './compile-protocol.ts';
import { crc32, hashStamps, readCacheBin, sameByHash } from './cache-files.ts';
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
  /** Why a cache that looked usable was not used. */
  cacheProblem?: string;
};

/**
 * The second message after a compile, once the table (in shared memory) is in service: what
 * lists.json needs, worked out after the hand-over so the reload does not wait for it.
 */
export interface SealedReply {
  /** The files as compiled (with SHA-256); absent when one changed during the compile, so the result must not be cached. */
  files?: FileStamp[];
  /** CRC-32 of the whole table, now sealed (its header checksum written). */
  binCrc32: number;
}

interface Outcome {
  reply: CachedCompileReply;
  transfer: ArrayBuffer[];
  /** After a compile: seals the shared table and hashes the files again, for the second message. */
  seal?: () => Promise<SealedReply>;
}

const COMPILE_NICE = 19;

/** See compile-worker.ts: under load the DNS thread is scheduled first. Best effort. */
function yieldCpu(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, COMPILE_NICE);
  } catch {
    // not Linux, or not allowed: compile at normal priority
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
  // Shared memory: the DNS thread adopts these bytes while this thread still reads them to seal
  // them and work out their CRC. Neither writes what the other reads.
  const table = compiled.matcher.toUnsealedShared();
  const { categories, ...arrays } = viewEncodedMatcher(table);
  const seal = async (): Promise<SealedReply> => {
    const binCrc32 = crc32(sealMatcher(table));
    // A file rewritten while it was compiled: what was read is not what was hashed, so no cache.
    const after = await hashStamps(request.stamps.map((s) => ({ ...s })));
    const stable = before ? sameStat(before, after) && before.every((f, i) => f.sha256 === after[i]!.sha256) : sameStat(request.stamps, after);
    return { binCrc32, ...(stable ? { files: after } : {}) };
  };
  return {
    reply: {
      ok: true, data: arrays, categories: [...categories.ids()], extras: compiled.extras, statuses: compiled.statuses,
      listIds: compiled.listIds, compileMs: compiled.compileMs, ...(cacheProblem ? { cacheProblem } : {}),
    },
    transfer: [],
    seal,
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
  if (outcome.seal) parentPort!.postMessage(await outcome.seal());
}

await run(workerData as CachedCompileRequest);
