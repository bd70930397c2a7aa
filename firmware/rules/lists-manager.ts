// Keeps the DNS service's lists current: compiles the configured lists at start and whenever the
// configuration or a list file changes, and hands the result over in one swap. A reload that
// fails (a list file missing or unreadable, or the compiler thread dying) changes nothing: the
// lists in service stay.
//
// Compiling a million names is about half a second of CPU, so it runs in a worker thread
// (cached-compile-worker.ts), one per reload: the DNS loop on this thread keeps answering meanwhile and
// only wraps the finished arrays, which arrive transferred (no copy, no re-check),
// and swaps them in. The thread then hashes the files again for the cache while the table serves.
//
// With a cache directory, each compiled table is also kept on disk (compiled-cache.ts): a reload
// whose inputs have not changed does nothing, and a restart loads the table instead of compiling.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema.ts';
import { writeFileDurably } from '../config/durable-file.ts';
import { CategoryIndex } from '../dns/matcher/categories.ts';
import { Matcher } from '../dns/matcher/matcher.ts';
import type { Logger } from '../log.ts';
import { siblingModule } from '../paths.ts';
import type { CachedCompileReply, CachedCompileRequest, RehashReply } from './cached-compile-worker.ts';
import {
  CACHE_SCHEMA, CacheCorrupt, readCacheBin, readCacheMeta, sameByStat, stampInputs, writeCache, writeCacheMeta,
  type CacheInputs, type CacheMeta, type FileStamp,
} from './compiled-cache.ts';
import { ListReadError, type CompiledLists, type ListExtras, type ListStatus } from './load-lists.ts';

export interface ListsTarget {
  /**
   * Puts `matcher` in service in place of the one before. The target must not match with the one
   * before once this returns: the lists manager then frees its memory (Matcher.release).
   */
  setLists(matcher: Matcher, listIds: readonly string[], extras: ListExtras): void;
}

export interface ListsReport {
  lists: ListStatus[];
  /** Reload request to lists in service: thread start, reading, parsing, building and the swap. */
  compileMs: number;
  names: number;
  loadedAt: string | null;
  /** The table in service was loaded from the compiled cache, not compiled. */
  fromCache: boolean;
  /** Each enabled list's file as it was when loaded: when it last changed. */
  files: Array<{ id: string; bytes: number; modifiedAt: string | null }>;
}

export interface ReloadOptions {
  /** Compile even if nothing seems to have changed, and without the cache (`schoolgate lists reload`). */
  force?: boolean;
}

export interface ListsManagerOptions {
  target: ListsTarget;
  listsDir: string;
  seed: number;
  logger: Logger;
  /** The compiler thread's module (tests substitute one that fails). */
  compilerUrl?: URL;
  /** A compile still running after this long is abandoned (its thread stopped) and the reload rejected. */
  compileTimeoutMs?: number;
  /** Where the compiled cache lives (DATA_DIR/compiled); without one, every reload compiles. */
  cacheDir?: string;
}

const COMPILER_URL = siblingModule(import.meta.url, 'cached-compile-worker');
const COMPILE_TIMEOUT_MS = 120_000;

/**
 * A random hash seed per installation, kept in the data directory, so nobody can compute in
 * advance a made-up name whose 64-bit hash collides with a listed one on this gateway.
 */
export async function installationSeed(dataDir: string): Promise<number> {
  const file = join(dataDir, 'matcher.seed');
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]{8}$/.test(text)) return Number.parseInt(text, 16);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const seed = randomBytes(4).readUInt32BE(0);
  await writeFileDurably(file, `${seed.toString(16).padStart(8, '0')}\n`);
  return seed;
}

/** The compiler thread stopped, timed out or was stopped before it answered. */
export class ListCompilerError extends Error {
  override name = 'ListCompilerError';
}

export class ListsManager {
  readonly #target: ListsTarget;
  readonly #listsDir: string;
  readonly #seed: number;
  readonly #logger: Logger;
  readonly #compilerUrl: URL;
  readonly #timeoutMs: number;
  readonly #cacheDir: string | undefined;
  #report: ListsReport = { lists: [], compileMs: 0, names: 0, loadedAt: null, fromCache: false, files: [] };
  /** What the table in service was built from. */
  #inService: { key: string; files: FileStamp[] } | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /**
   * The cache writes after swaps, one after another (close waits for them). A reload does not:
   * while one is pending the cache on disk is not the one to read, so that reload compiles.
   */
  #writing: Promise<void> = Promise.resolve();
  #writesPending = 0;
  /**
   * Until the compiler thread's second message: whether the files in service changed during their
   * compile. A reload waits for that word (tens of ms), never for the write.
   */
  #settling: Promise<void> = Promise.resolve();
  /** The table last handed to the target, and the end of the cache writes that read it. */
  #served: { matcher: Matcher; written: Promise<void> } | undefined;
  /** The compiler thread until it answers (what close() stops). */
  #worker: Worker | undefined;
  #closed = false;

  constructor(options: ListsManagerOptions) {
    this.#target = options.target;
    this.#listsDir = options.listsDir;
    this.#seed = options.seed;
    this.#logger = options.logger;
    this.#compilerUrl = options.compilerUrl ?? COMPILER_URL;
    this.#timeoutMs = options.compileTimeoutMs ?? COMPILE_TIMEOUT_MS;
    this.#cacheDir = options.cacheDir;
  }

  get listsDir(): string {
    return this.#listsDir;
  }

  get report(): ListsReport {
    return this.#report;
  }

  /** Compiles and swaps in; reloads run one at a time, in order. Rejects (changing nothing) on a failure. */
  reload(config: Readonly<Config>, options: ReloadOptions = {}): Promise<ListsReport> {
    const run = this.#queue.then(() => this.#compile(config, options.force === true));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops a compile in progress (its reload rejects, the lists in service stay) and refuses
   * later reloads, so a stopping daemon never waits for a compile. A compile that has already
   * answered is let finish its cache (the files hashed again, a file write) so the next start need not compile.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#worker?.terminate();
    await this.#queue;
    await this.#writing;
  }

  async #compile(config: Readonly<Config>, force: boolean): Promise<ListsReport> {
    const started = performance.now();
    let compiled: CompiledLists & { fromCache: boolean; files?: FileStamp[]; reply?: WorkerCompiled['reply']; rehashed?: WorkerCompiled['rehashed'] };
    let inputs: CacheInputs;
    try {
      if (this.#closed) throw new ListCompilerError('the lists manager is stopped');
      inputs = await stampInputs(config, this.#listsDir, this.#seed);
      await this.#settling;
      const current = this.#inService;
      if (!force && current && sameByStat(inputs, current.key, current.files)) {
        this.#logger.debug('lists unchanged since they were loaded; nothing to do');
        return this.#report;
      }
      const meta = force || this.#writesPending > 0 ? null : await this.#readMeta();
      // At start nothing is being served yet, so the table is read right here: no thread to start.
      const startup = !current && meta && sameByStat(inputs, meta.key, meta.files) ? this.#loadCached(meta) : undefined;
      compiled = (startup && await startup.catch((error: unknown) => this.#cacheIgnored(error)))
        || await this.#compileInWorker(config, inputs, meta?.key === inputs.key ? meta : undefined);
      if (this.#closed) throw new ListCompilerError('the lists manager stopped during the compile');
    } catch (error) {
      this.#logger.error({ err: error }, 'lists not reloaded; the lists in service stay');
      throw error;
    }
    const swapStarted = performance.now();
    this.#target.setLists(compiled.matcher, compiled.listIds, compiled.extras);
    const swapMs = performance.now() - swapStarted;
    // Until the compiler thread says the files did not change during the compile, their stat
    // from before it stands.
    const files = compiled.files ?? inputs.files;
    const inService = { key: inputs.key, files };
    this.#inService = inService;
    if (compiled.reply) this.#store(compiled.reply, compiled.matcher, inputs.key, compiled.rehashed, inService);
    this.#retire(compiled.matcher);
    this.#report = {
      lists: compiled.statuses,
      compileMs: Math.round(performance.now() - started),
      names: compiled.matcher.size,
      loadedAt: new Date().toISOString(),
      fromCache: compiled.fromCache,
      files: files.map((f) => ({ id: f.id, bytes: Math.max(f.size, 0), modifiedAt: f.mtimeMs >= 0 ? new Date(f.mtimeMs).toISOString() : null })),
    };
    for (const list of compiled.statuses) {
      if (list.badLines > 0) this.#logger.warn({ list: list.id, badLines: list.badLines, firstErrors: list.firstErrors }, 'list has lines that are not domain names; they were skipped');
    }
    this.#logger.info({
      lists: compiled.statuses.filter((l) => l.enabled).length, names: compiled.matcher.size, bytes: compiled.matcher.bytes,
      compileMs: this.#report.compileMs, workerCompileMs: Math.round(compiled.compileMs), swapMs: Math.round(swapMs * 100) / 100,
      fromCache: compiled.fromCache,
    }, compiled.fromCache ? 'lists loaded from the compiled cache' : 'lists compiled');
    return this.#report;
  }

  /**
   * `matcher` is in service: the table it replaced is freed now, or once the cache write reading
   * it is done, rather than when V8 gets round to collecting it (under load two replaced 1M-name
   * tables, 54 MB, stayed until a collection). Safe because nothing keeps a table past a swap:
   * DNS questions, `schoolgate check` and the self-test read the lists in service afresh each
   * time and use them without waiting on anything; with DNS threads the target matches with a
   * shared copy and never kept this one.
   */
  #retire(matcher: Matcher): void {
    const replaced = this.#served;
    this.#served = { matcher, written: this.#writing };
    if (!replaced || replaced.matcher === matcher) return;
    void replaced.written.then(() => {
      replaced.matcher.release();
    });
  }

  async #readMeta(): Promise<CacheMeta | null> {
    if (!this.#cacheDir) return null;
    try {
      return await readCacheMeta(this.#cacheDir);
    } catch (error) {
      return this.#cacheIgnored(error);
    }
  }

  /** A bad cache is never served: say so, compile, and the compile replaces it. */
  #cacheIgnored(error: unknown): null {
    this.#logger.warn({ cacheDir: this.#cacheDir, problem: (error as Error).message }, 'compiled list cache ignored; compiling the lists');
    return null;
  }

  async #loadCached(meta: CacheMeta): Promise<CompiledLists & { fromCache: boolean; files: FileStamp[] }> {
    const bytes = await readCacheBin(this.#cacheDir!, meta);
    let matcher: Matcher;
    try {
      matcher = Matcher.fromBuffer(bytes, { adopt: true });
    } catch (error) {
      throw new CacheCorrupt((error as Error).message);
    }
    return { matcher, extras: meta.extras, statuses: meta.statuses, listIds: meta.listIds, compileMs: meta.compileMs, fromCache: true, files: meta.files };
  }

  /**
   * After a swap: keep what was compiled (or refresh the description of what was reused). A fresh
   * compile's files, hashed again after it, come in the compiler thread's second message (`rehashed`).
   */
  #store(reply: CachedCompileReply & { ok: true }, matcher: Matcher, key: string, rehashed: Promise<RehashReply | undefined> | undefined, inService: { files: FileStamp[] }): void {
    const dir = this.#cacheDir;
    const settled = (async (): Promise<FileStamp[] | undefined> => {
      const files = rehashed ? (await rehashed)?.files : reply.files;
      // Changed during the compile (or the thread stopped first): the next reload compiles again.
      inService.files = files ?? inService.files.map((f) => ({ ...f, size: -1 }));
      return files;
    })();
    this.#settling = settled.then(() => undefined);
    const write = async (): Promise<void> => {
      const files = await settled;
      if (!files || !dir) return;
      if (reply.fromCache) {
        const old = await readCacheMeta(dir);
        if (old) await writeCacheMeta(dir, { ...old, files });
        return;
      }
      // The encoded table as a header and the matcher's own arrays, which are immutable: written
      // as they are, by the I/O threads, with no copy and (the checksum came with them) no pass
      // over them on this one.
      const encoded = matcher.toPieces(reply.binCrc32);
      const meta: CacheMeta = {
        schema: CACHE_SCHEMA, key, files, extras: reply.extras, statuses: reply.statuses, listIds: reply.listIds,
        compiledAt: new Date().toISOString(), compileMs: reply.compileMs, bin: { bytes: encoded.bytes, crc32: encoded.crc32 },
      };
      await writeCache(dir, meta, encoded.pieces);
    };
    this.#writesPending++;
    this.#writing = this.#writing.then(write).catch((error: unknown) => {
      this.#logger.warn({ err: error, cacheDir: dir }, 'compiled list cache not written; the next start compiles');
    }).finally(() => {
      this.#writesPending--;
    });
  }

  /**
   * One thread, one compile: it reads, parses and builds, answers, and is gone. After a compile it
   * sends a second message, the files hashed again, for the cache only.
   */
  #compileInWorker(config: Readonly<Config>, inputs: CacheInputs, cached: CacheMeta | undefined): Promise<WorkerCompiled> {
    const request: CachedCompileRequest = {
      config: { policies: config.policies, lists: config.lists },
      listsDir: this.#listsDir,
      seed: this.#seed,
      key: inputs.key,
      stamps: inputs.files,
      cacheDir: this.#cacheDir ?? '',
      ...(cached && this.#cacheDir ? { cached } : {}),
    };
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.#compilerUrl, { workerData: request });
      this.#worker = worker;
      let answered = false;
      let finished = false;
      let rehashedWith: (rehash: RehashReply | undefined) => void = () => {};
      const rehashed = new Promise<RehashReply | undefined>((done) => { rehashedWith = done; });
      const finish = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (this.#worker === worker) this.#worker = undefined;
        // The thread ends by itself after its last message; this makes sure of it (and frees it at once).
        void worker.terminate();
      };
      /** The thread failed: the reload if it had not answered yet, else only the cache's second message. */
      const fail = (error: Error): void => {
        if (!answered) reject(error);
        answered = true;
        rehashedWith(undefined);
        finish();
      };
      const timer = setTimeout(() => fail(new ListCompilerError(`the list compiler did not finish within ${this.#timeoutMs} ms`)), this.#timeoutMs);
      timer.unref();
      worker.on('message', (message: CachedCompileReply | RehashReply) => {
        if (answered) {
          rehashedWith(message as RehashReply);
          finish();
          return;
        }
        answered = true;
        const reply = message as CachedCompileReply;
        try {
          if (!reply.ok) throw compileFailure(reply);
          const compiled = compiledFrom(reply);
          if (reply.cacheProblem) this.#cacheIgnored(new CacheCorrupt(reply.cacheProblem));
          const fresh = reply.fromCache !== true;
          // Answered: close() no longer stops the thread; it waits for the cache's few ms instead.
          if (this.#worker === worker) this.#worker = undefined;
          if (!fresh) finish();
          resolve({ ...compiled, fromCache: !fresh, ...(reply.files ? { files: reply.files } : {}), reply, ...(fresh ? { rehashed } : {}) });
        } catch (error) {
          rehashedWith(undefined);
          finish();
          reject(error);
        }
      });
      worker.once('messageerror', (error) => {
        fail(new ListCompilerError(`the list compiler's answer could not be read: ${error.message}`, { cause: error }));
      });
      worker.once('error', (error) => {
        fail(new ListCompilerError(`the list compiler failed: ${error.message}`, { cause: error }));
      });
      worker.once('exit', (code) => {
        fail(new ListCompilerError(`the list compiler stopped (exit code ${code}) before it answered`));
      });
    });
  }
}

/** A compile's result as the compiler thread gave it. */
interface WorkerCompiled extends CompiledLists {
  fromCache: boolean;
  files?: FileStamp[];
  reply: CachedCompileReply & { ok: true };
  /** After a fresh compile: the thread's second message (undefined if it stopped before sending it). */
  rehashed?: Promise<RehashReply | undefined>;
}

/** The error a failed compile reply stands for. */
function compileFailure(reply: CachedCompileReply & { ok: false }): Error {
  if (reply.statuses) return new ListReadError(reply.message, reply.statuses);
  const error = new Error(reply.message);
  error.name = reply.name;
  return error;
}

function compiledFrom(reply: CachedCompileReply & { ok: true }): CompiledLists {
  // Checked by decodeMatcher in the worker (or encoded there a moment ago): adopted as they are,
  // no copy, no second pass.
  const matcher = new Matcher({ ...reply.data, categories: new CategoryIndex(reply.categories) });
  return { matcher, extras: reply.extras, statuses: reply.statuses, listIds: reply.listIds, compileMs: reply.compileMs };
}
