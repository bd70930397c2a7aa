// Where incident attachments live: DATA_DIR/incidents/attachments/<sha256>.<png|jpg|csv>, named by
// their hash so a file is written once however often it is attached, never overwritten, and read
// back only if it still has the hash the timeline recorded.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttachmentMediaType, CheckedAttachment } from './attachment-check.ts';

export class AttachmentMissingError extends Error {
  override name = 'AttachmentMissingError';
}

const EXTENSION: Record<AttachmentMediaType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'text/csv': 'csv' };

export class AttachmentStore {
  readonly #dir: string;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, 'incidents', 'attachments');
  }

  #path(sha256: string, mediaType: AttachmentMediaType): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a SHA-256');
    return join(this.#dir, `${sha256}.${EXTENSION[mediaType]}`);
  }

  /** Writes the checked bytes (synced, then renamed into place) unless a file with that hash is there. */
  async put(data: Uint8Array, checked: CheckedAttachment): Promise<void> {
    const path = this.#path(checked.sha256, checked.mediaType);
    if (await stat(path).then((s) => s.size === checked.bytes, () => false)) return;
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.${Date.now()}.part`;
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** The bytes, if the file is there and still hashes to what was recorded. */
  async get(sha256: string, mediaType: AttachmentMediaType): Promise<Buffer> {
    const data = await readFile(this.#path(sha256, mediaType)).catch(() => undefined);
    if (data === undefined) throw new AttachmentMissingError(`the attachment's file (${sha256.slice(0, 12)}…) is missing from the data directory`);
    if (createHash('sha256').update(data).digest('hex') !== sha256) throw new AttachmentMissingError(`the attachment's file (${sha256.slice(0, 12)}…) no longer has the hash recorded when it was attached`);
    return data;
  }
}
