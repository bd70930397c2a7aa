// Files that survive a power cut: the new bytes go to a temporary file in the same directory, are
// fsynced, renamed over the target (atomic on POSIX), and the directory is fsynced so the rename
// itself is on disk. A reader then sees the old file or the new one, never a mixture.
// lowdb's own writer (steno) renames but never fsyncs; DurableJsonFile is its replacement.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';

export interface DurableWriteOptions {
  /** Permission bits of the written file; 0o600 unless told (the configuration holds secrets). */
  mode?: number;
}

const TEMP_MARK = '.tmp-';

function tempName(file: string): string {
  return join(dirname(file), `.${basename(file)}${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`);
}

function isTempOf(file: string, candidate: string): boolean {
  const prefix = `.${basename(file)}${TEMP_MARK}`;
  return candidate.startsWith(prefix) && /^[0-9]+-[0-9a-f]{12}$/.test(candidate.slice(prefix.length));
}

/** Makes a rename in `dir` durable (where the filesystem can sync a directory). */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } catch (error) {
    // Some filesystems cannot sync a directory and say so with EINVAL; the rename is still atomic.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  } finally {
    await handle.close();
  }
}

/** `data` may be pieces written in order (an imported list: its header, then its kept lines, no copy). */
export async function writeFileDurably(file: string, data: string | Uint8Array | readonly Uint8Array[], options: DurableWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const temp = tempName(file);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  let renamed = false;
  try {
    try {
      // The umask can only remove bits, but an explicit chmod makes the mode exact either way.
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    renamed = true;
    await fsyncDirectory(dirname(file));
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
}

/** Removes temporary files a killed writer left beside `file`; returns their names. */
export async function removeStaleTempFiles(file: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dirname(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const stale = names.filter((name) => isTempOf(file, name));
  for (const name of stale) await unlink(join(dirname(file), name)).catch(() => undefined);
  return stale;
}

/** The file's text, or null when it does not exist. */
export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export interface DurableJsonFileOptions<T> extends DurableWriteOptions {
  /** Turns the file's text into data; throw to refuse it. JSON.parse unless told. */
  parse?: (text: string) => T;
  /** Turns data into the file's text. Two-space JSON with a final newline unless told. */
  serialize?: (data: T) => string;
}

/** A lowdb adapter that writes durably (see writeFileDurably). */
export class DurableJsonFile<T> implements Adapter<T> {
  readonly file: string;
  readonly #options: DurableJsonFileOptions<T>;

  constructor(file: string, options: DurableJsonFileOptions<T> = {}) {
    this.file = file;
    this.#options = options;
  }

  async read(): Promise<T | null> {
    const text = await readTextIfExists(this.file);
    if (text === null) return null;
    return this.#options.parse ? this.#options.parse(text) : (JSON.parse(text) as T);
  }

  async write(data: T): Promise<void> {
    const text = this.#options.serialize ? this.#options.serialize(data) : `${JSON.stringify(data, null, 2)}\n`;
    await writeFileDurably(this.file, text, { mode: this.#options.mode });
  }
}
