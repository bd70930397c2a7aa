// A file sent to the daemon in pieces over the control socket, stored as it arrives, so the
// daemon's main thread never holds the whole file (a 1M-name list is ~20 MiB, a release ~55 MB;
// as JSON strings twice that). One store per use, bound to its directory and its size cap:
// lists keep theirs under DATA_DIR/lists/.incoming, upgrades under DATA_DIR/upgrade/incoming. The
// user of the file (an import, an upgrade request) then reads it from disk and removes it.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ControlFailure, type ControlMethod } from './server.ts';
import { isUploadId, noSuchUpload, refuseAppend, tooLarge, type UploadRefusal } from './upload-rules.ts';
import { UploadParams, type UploadResult } from './upload-schema.ts';

/** An upload nobody finished or used within this long is removed (a CLI interrupted mid-file). */
export const UPLOAD_STALE_MS = 60 * 60 * 1000;

export interface UploadStoreOptions {
  dir: string;
  /** The largest file this use takes. */
  maxBytes: number;
  /** What the file is, for messages: "a list", "a release file". */
  what: string;
  staleMs?: number;
  now?: () => number;
}

const SUFFIX = '.part';
const refused = (r: UploadRefusal): ControlFailure => new ControlFailure(r.code, r.message);

export class UploadStore {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #what: string;
  readonly #staleMs: number;
  readonly #now: () => number;
  /** Pieces for one upload are stored one after another, so two cannot both pass the offset check. */
  readonly #busy = new Map<string, Promise<unknown>>();

  constructor(options: UploadStoreOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.#what = options.what;
    this.#staleMs = options.staleMs ?? UPLOAD_STALE_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Where an upload's bytes are; refuses a name the store never gives, so none reaches the disk. */
  pathOf(upload: string): string {
    if (!isUploadId(upload)) throw new ControlFailure('unknown-upload', `"${upload}" is not an upload`);
    return join(this.dir, `${upload}${SUFFIX}`);
  }

  /** The path of an upload that exists, for its user to read; refuses one that does not. */
  async finished(upload: string): Promise<string> {
    const path = this.pathOf(upload);
    if (await this.#held(path) === undefined) throw refused(noSuchUpload(upload));
    return path;
  }

  /** Stores one piece: a new upload when `params.upload` is absent, else the next piece of that one at `params.offset`. */
  append(params: UploadParams): Promise<UploadResult> {
    const piece = Buffer.from(params.data, 'base64');
    if (params.upload === undefined) return this.#start(params.offset, piece);
    const upload = params.upload;
    const run = (): Promise<UploadResult> => this.#continue(upload, params.offset, piece);
    const result = (this.#busy.get(upload) ?? Promise.resolve()).then(run, run);
    const tail = result.catch(() => undefined);
    this.#busy.set(upload, tail);
    void tail.then(() => { if (this.#busy.get(upload) === tail) this.#busy.delete(upload); });
    return result;
  }

  /** Stores a file given whole (the web UI's list form) as an upload, so it is used the same way. */
  async write(data: string | Uint8Array): Promise<string> {
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if (bytes > this.maxBytes) throw refused(tooLarge(this.#what, this.maxBytes));
    return this.#create(data);
  }

  /** Removes an upload once used or refused; one already gone is no error. */
  async remove(upload: string): Promise<void> {
    await rm(this.pathOf(upload), { force: true });
  }

  /** Removes the uploads untouched for longer than the stale time; returns their names. Only uploads: anything else in the directory stays. */
  async removeStale(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names) {
      const upload = name.slice(0, -SUFFIX.length);
      if (!name.endsWith(SUFFIX) || !isUploadId(upload)) continue;
      const info = await stat(join(this.dir, name)).catch(() => undefined);
      if (!info || this.#now() - info.mtimeMs <= this.#staleMs) continue;
      await rm(join(this.dir, name), { force: true });
      removed.push(upload);
    }
    return removed;
  }

  async #start(offset: number, piece: Buffer): Promise<UploadResult> {
    const refusal = refuseAppend({ upload: undefined, held: 0, offset, pieceBytes: piece.length, maxBytes: this.maxBytes, what: this.#what });
    if (refusal) throw refused(refusal);
    return { upload: await this.#create(piece), bytes: piece.length };
  }

  async #continue(upload: string, offset: number, piece: Buffer): Promise<UploadResult> {
    const path = isUploadId(upload) ? this.pathOf(upload) : undefined;
    const held = path === undefined ? undefined : await this.#held(path);
    const refusal = refuseAppend({ upload, held, offset, pieceBytes: piece.length, maxBytes: this.maxBytes, what: this.#what });
    if (refusal) {
      if (path !== undefined && held !== undefined) await rm(path, { force: true });
      throw refused(refusal);
    }
    await this.#stored(path!, () => appendFile(path!, piece));
    return { upload, bytes: held! + piece.length };
  }

  async #create(data: string | Uint8Array): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o750 });
    await this.removeStale();
    const upload = randomBytes(16).toString('hex');
    const path = this.pathOf(upload);
    // 'wx': a name already taken (128 random bits: never, in practice) is an error, not a mix of two files.
    await this.#stored(path, () => writeFile(path, data, { flag: 'wx', mode: 0o640 }));
    return upload;
  }

  /** Runs a write; if it fails (a full disk) the upload goes, so no half-written piece is left to be used. */
  async #stored(path: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      // EEXIST: the name is another upload's (see #create), which stays as it is.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(path, { force: true });
      throw new ControlFailure('upload-failed', `${this.#what} could not be stored (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): the upload is removed, send the file again`);
    }
  }

  async #held(path: string): Promise<number | undefined> {
    return stat(path).then((s) => s.size, () => undefined);
  }
}

/** The control method that feeds a store (`lists.upload`, `upgrade.upload`). Not audited: nothing changes until the upload is used, which is. */
export function uploadMethod(store: UploadStore): ControlMethod<UploadParams> {
  return { params: UploadParams, handle: (params) => store.append(params) };
}
