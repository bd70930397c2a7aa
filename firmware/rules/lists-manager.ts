// Keeps the DNS service's lists current: compiles the configured lists at start and whenever the
// configuration or a list file changes, and hands the result over in one swap. A reload that
// fails (a list file missing or unreadable) changes nothing: the lists in service stay.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { writeFileDurably } from '../config/durable-file.ts';
import type { Matcher } from '../dns/matcher/matcher.ts';
import type { Logger } from '../log.ts';
import { compileLists, type ListStatus } from './load-lists.ts';

export interface ListsTarget {
  setLists(matcher: Matcher, listIds: readonly string[]): void;
}

export interface ListsReport {
  lists: ListStatus[];
  compileMs: number;
  names: number;
  loadedAt: string | null;
}

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

export class ListsManager {
  readonly #target: ListsTarget;
  readonly #listsDir: string;
  readonly #seed: number;
  readonly #logger: Logger;
  #report: ListsReport = { lists: [], compileMs: 0, names: 0, loadedAt: null };
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: { target: ListsTarget; listsDir: string; seed: number; logger: Logger }) {
    this.#target = options.target;
    this.#listsDir = options.listsDir;
    this.#seed = options.seed;
    this.#logger = options.logger;
  }

  get listsDir(): string {
    return this.#listsDir;
  }

  get report(): ListsReport {
    return this.#report;
  }

  /** Compiles and swaps in; reloads run one at a time, in order. Rejects (changing nothing) on a read failure. */
  reload(config: Readonly<Config>): Promise<ListsReport> {
    const run = this.#queue.then(() => this.#compile(config));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #compile(config: Readonly<Config>): Promise<ListsReport> {
    let compiled;
    try {
      compiled = await compileLists(config, { listsDir: this.#listsDir, seed: this.#seed });
    } catch (error) {
      this.#logger.error({ err: error }, 'lists not reloaded; the lists in service stay');
      throw error;
    }
    this.#target.setLists(compiled.matcher, compiled.listIds);
    this.#report = {
      lists: compiled.statuses,
      compileMs: Math.round(compiled.compileMs),
      names: compiled.matcher.size,
      loadedAt: new Date().toISOString(),
    };
    for (const list of compiled.statuses) {
      if (list.badLines > 0) this.#logger.warn({ list: list.id, badLines: list.badLines, firstErrors: list.firstErrors }, 'list has lines that are not domain names; they were skipped');
    }
    this.#logger.info({ lists: compiled.statuses.filter((l) => l.enabled).length, names: compiled.matcher.size, bytes: compiled.matcher.bytes, compileMs: this.#report.compileMs }, 'lists compiled');
    return this.#report;
  }
}
