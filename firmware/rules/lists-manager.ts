// Keeps the DNS service's lists current: compiles the configured lists at start and whenever the
// configuration or a list file changes, and hands the result over in one swap. A reload that
// fails (a list file missing or unreadable, or the compiler thread dying) changes nothing: the
// lists in service stay.
//
// Compiling a million names is about a second of CPU, so it runs in a worker thread
// (compile-worker.ts), one per reload: the DNS loop on this thread keeps answering meanwhile and
// only wraps the finished arrays, which arrive as one transferred buffer (no copy, no re-check),
// and swaps them in.
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
import type { CompileReply, CompileRequest } from './compile-protocol.ts';
import { ListReadError, type CompiledLists, type ListExtras, type ListStatus } from './load-lists.ts';

export interface ListsTarget {
  setLists(matcher: Matcher, listIds: readonly string[], extras: ListExtras): void;
}

export interface ListsReport {
  lists: ListStatus[];
  /** Reload request to lists in service: thread start, reading, parsing, building and the swap. */
  compileMs: number;
  names: number;
  loadedAt: string | null;
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
}

const COMPILER_URL = new URL('./compile-worker.ts', import.meta.url);
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
  #report: ListsReport = { lists: [], compileMs: 0, names: 0, loadedAt: null };
  #queue: Promise<unknown> = Promise.resolve();
  #worker: Worker | undefined;
  #closed = false;

  constructor(options: ListsManagerOptions) {
    this.#target = options.target;
    this.#listsDir = options.listsDir;
    this.#seed = options.seed;
    this.#logger = options.logger;
    this.#compilerUrl = options.compilerUrl ?? COMPILER_URL;
    this.#timeoutMs = options.compileTimeoutMs ?? COMPILE_TIMEOUT_MS;
  }

  get listsDir(): string {
    return this.#listsDir;
  }

  get report(): ListsReport {
    return this.#report;
  }

  /** Compiles and swaps in; reloads run one at a time, in order. Rejects (changing nothing) on a failure. */
  reload(config: Readonly<Config>): Promise<ListsReport> {
    const run = this.#queue.then(() => this.#compile(config));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops a compile in progress (its reload rejects, the lists in service stay) and refuses
   * later reloads, so a stopping daemon never waits for a compile.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#worker?.terminate();
    await this.#queue;
  }

  async #compile(config: Readonly<Config>): Promise<ListsReport> {
    const started = performance.now();
    let compiled: CompiledLists;
    try {
      if (this.#closed) throw new ListCompilerError('the lists manager is stopped');
      compiled = await this.#compileInWorker(config);
      if (this.#closed) throw new ListCompilerError('the lists manager stopped during the compile');
    } catch (error) {
      this.#logger.error({ err: error }, 'lists not reloaded; the lists in service stay');
      throw error;
    }
    const swapStarted = performance.now();
    this.#target.setLists(compiled.matcher, compiled.listIds, compiled.extras);
    const swapMs = performance.now() - swapStarted;
    this.#report = {
      lists: compiled.statuses,
      compileMs: Math.round(performance.now() - started),
      names: compiled.matcher.size,
      loadedAt: new Date().toISOString(),
    };
    for (const list of compiled.statuses) {
      if (list.badLines > 0) this.#logger.warn({ list: list.id, badLines: list.badLines, firstErrors: list.firstErrors }, 'list has lines that are not domain names; they were skipped');
    }
    this.#logger.info({
      lists: compiled.statuses.filter((l) => l.enabled).length, names: compiled.matcher.size, bytes: compiled.matcher.bytes,
      compileMs: this.#report.compileMs, workerCompileMs: Math.round(compiled.compileMs), swapMs: Math.round(swapMs * 100) / 100,
    }, 'lists compiled');
    return this.#report;
  }

  /** One thread, one compile: it reads, parses and builds, answers once, and is gone. */
  #compileInWorker(config: Readonly<Config>): Promise<CompiledLists> {
    const request: CompileRequest = {
      config: { policies: config.policies, lists: config.lists },
      listsDir: this.#listsDir,
      seed: this.#seed,
    };
    return new Promise<CompiledLists>((resolve, reject) => {
      const worker = new Worker(this.#compilerUrl, { workerData: request });
      this.#worker = worker;
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.#worker === worker) this.#worker = undefined;
        outcome();
        // The thread ends by itself after answering; this makes sure of it (and frees it at once).
        void worker.terminate();
      };
      const timer = setTimeout(() => {
        settle(() => reject(new ListCompilerError(`the list compiler did not finish within ${this.#timeoutMs} ms`)));
      }, this.#timeoutMs);
      timer.unref();
      worker.once('message', (reply: CompileReply) => {
        settle(() => {
          try {
            resolve(compiledFrom(reply));
          } catch (error) {
            reject(error);
          }
        });
      });
      worker.once('messageerror', (error) => {
        settle(() => reject(new ListCompilerError(`the list compiler's answer could not be read: ${error.message}`, { cause: error })));
      });
      worker.once('error', (error) => {
        settle(() => reject(new ListCompilerError(`the list compiler failed: ${error.message}`, { cause: error })));
      });
      worker.once('exit', (code) => {
        settle(() => reject(new ListCompilerError(`the list compiler stopped (exit code ${code}) before it answered`)));
      });
    });
  }
}

function compiledFrom(reply: CompileReply): CompiledLists {
  if (!reply.ok) {
    if (reply.statuses) throw new ListReadError(reply.message, reply.statuses);
    const error = new Error(reply.message);
    error.name = reply.name;
    throw error;
  }
  // Checked by decodeMatcher in the worker; adopted here as they are: no copy, no second pass.
  const matcher = new Matcher({ ...reply.data, categories: new CategoryIndex(reply.categories) });
  return { matcher, extras: reply.extras, statuses: reply.statuses, listIds: reply.listIds, compileMs: reply.compileMs };
}
