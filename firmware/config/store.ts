// The daemon's one owner of config.json. It refuses to start on a document it cannot fully use,
// hands out a frozen snapshot, and applies changes one at a time: validate, write durably, then
// publish. A change that fails at any step leaves memory and disk as they were.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { silentLogger, type Logger } from '../log.ts';
import { DurableJsonFile, readTextIfExists, removeStaleTempFiles, writeFileDurably } from './durable-file.ts';
import { ConfigError } from './issues.ts';
import { loadConfigText, serializeConfig } from './load.ts';
import type { Config } from './schema.ts';
import { assertValidConfig } from './validate.ts';

const CONFIG_MODE = 0o600;

export interface ConfigStoreOptions {
  /** Called when the file does not exist: its result is validated and written. */
  createWith?: () => Config;
  logger?: Logger;
}

export type ConfigListener = (next: Readonly<Config>, previous: Readonly<Config>) => void;

// A JSON round trip rather than structuredClone: a document built in code may share one object
// between several places (defaultConfig() does), and a copy must not carry that sharing into an
// edit, where changing one category's rule would silently change others.
const copy = (config: Readonly<Config>): Config => JSON.parse(JSON.stringify(config)) as Config;

function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

async function readOrRefuse(file: string): Promise<string | null> {
  try {
    return await readTextIfExists(file);
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file: ${(error as Error).message}` }]);
  }
}

/** Parse, migrate and validate a file without writing anything. Throws ConfigError. */
export async function readConfigFile(file: string): Promise<Config> {
  const text = await readOrRefuse(file);
  if (text === null) throw new ConfigError(file, [{ path: '', message: 'file does not exist' }]);
  return loadConfigText(text, file).config;
}

/** Told of an update once it is durably written, before the listeners (see ConfigStore.update). */
export type ConfigWritten = (next: Readonly<Config>, previous: Readonly<Config>) => void;

export class ConfigStore {
  readonly #file: string;
  readonly #db: Low<Config>;
  readonly #logger: Logger;
  readonly #listeners = new Set<ConfigListener>();
  #current: Readonly<Config>;
  /** The tail of the update chain: each update starts when the one before it has settled. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(file: string, config: Config, logger: Logger) {
    this.#file = file;
    this.#logger = logger;
    const adapter = new DurableJsonFile<Config>(file, {
      mode: CONFIG_MODE,
      // Every write is validated here too, whatever path led to it.
      serialize: (data) => serializeConfig(assertValidConfig(data, file)),
    });
    this.#db = new Low<Config>(adapter, copy(config));
    this.#current = deepFreeze(copy(config));
  }

  static async open(file: string, options: ConfigStoreOptions = {}): Promise<ConfigStore> {
    const logger = options.logger ?? silentLogger();
    const stale = await removeStaleTempFiles(file);
    if (stale.length > 0) logger.warn({ file, stale }, 'removed temporary files left by an interrupted write');

    const text = await readOrRefuse(file);
    if (text === null) {
      if (!options.createWith) throw new ConfigError(file, [{ path: '', message: 'file does not exist' }]);
      const config = assertValidConfig(options.createWith(), file);
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFileDurably(file, serializeConfig(config), { mode: CONFIG_MODE });
      logger.info({ file }, 'configuration file created');
      return new ConfigStore(file, config, logger);
    }

    const loaded = loadConfigText(text, file);
    const store = new ConfigStore(file, loaded.config, logger);
    if (loaded.applied.length > 0) {
      // The original is kept first, so a crash between the two writes loses nothing.
      const backup = `${file}.v${loaded.from}.bak`;
      await writeFileDurably(backup, text, { mode: CONFIG_MODE });
      await store.#db.write();
      logger.info({ file, backup, from: loaded.from, to: loaded.to, steps: loaded.applied }, 'configuration migrated');
    }
    logger.info({ file, version: loaded.to }, 'configuration loaded');
    return store;
  }

  get current(): Readonly<Config> {
    return this.#current;
  }

  get file(): string {
    return this.#file;
  }

  /**
   * Applies `change` to a private copy of the current document (return a replacement or edit the
   * draft), validates it, writes it durably, then publishes it. Updates run one at a time in
   * call order. Resolves with a mutable copy of the new document; rejects with ConfigError when
   * the result is invalid, leaving memory and the file untouched.
   *
   * `written` runs once the new document is on disk and before any listener hears of it: the
   * place for the change's audit entry. Listeners restart services (DNS, DHCP) and take seconds;
   * an entry appended after them could be lost to a crash that kept the change (the durability
   * soak found it so), leaving a change nobody is recorded as having made.
   */
  update(change: (draft: Config) => Config | void, written?: ConfigWritten): Promise<Config> {
    const run = (): Promise<Config> => this.#apply(change, written);
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #apply(change: (draft: Config) => Config | void, written?: ConfigWritten): Promise<Config> {
    const previous = this.#current;
    const draft = copy(previous);
    const next = assertValidConfig(change(draft) ?? draft, this.#file);
    const stored = copy(next);
    this.#db.data = stored;
    try {
      await this.#db.write();
    } catch (error) {
      this.#db.data = copy(previous);
      throw error;
    }
    this.#current = deepFreeze(copy(stored));
    this.#logger.info({ file: this.#file }, 'configuration updated');
    let recordFailed: unknown;
    try {
      written?.(this.#current, previous);
    } catch (error) {
      // The document is written and in force: the services still hear of it, and the caller
      // learns that its record failed.
      recordFailed = error;
    }
    for (const listener of this.#listeners) {
      try {
        listener(this.#current, previous);
      } catch (error) {
        // One faulty subscriber must not stop the others hearing about the change.
        this.#logger.error({ err: error }, 'configuration change listener failed');
      }
    }
    if (recordFailed !== undefined) throw recordFailed;
    return copy(stored);
  }

  /** Calls `listener` after each successful update; returns a function that unsubscribes. */
  onChange(listener: ConfigListener): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }
}
