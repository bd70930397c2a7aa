// A backup's content (archive.ts: magic line, manifest line, the parts' bytes) read as it arrives,
// a piece at a time, so a restore or a verification never holds the whole backup (pure: bytes in,
// events out, no files). Each part's size and SHA-256 are checked as its last byte goes by; the
// caller writes the parts' bytes where it likes and trusts them only after finish() and, for a
// sealed backup, the envelope's GCM tag.
import { createHash, type Hash } from 'node:crypto';
import { Value } from 'typebox/value';
import { ARCHIVE_MAGIC, BackupError } from './archive.ts';
import { BackupManifest, type BackupPart } from './backup-schema.ts';

// The manifest's parts are bounded (100,000 of at most ~400 bytes of JSON each).
const MANIFEST_MAX_BYTES = 64 * 1024 * 1024;

export type ArchiveEvent =
  | { kind: 'manifest'; manifest: BackupManifest }
  | { kind: 'start'; part: BackupPart }
  | { kind: 'data'; part: BackupPart; bytes: Buffer }
  | { kind: 'end'; part: BackupPart };

export class ArchiveReader {
  #head: Buffer[] = [];
  #manifest: BackupManifest | undefined;
  #index = 0;
  #partDone = 0;
  #hash: Hash | undefined;
  #extra = 0;

  get manifest(): BackupManifest | undefined {
    return this.#manifest;
  }

  /** The events these bytes complete, in order; throws BackupError at the first thing that is not right. */
  push(chunk: Buffer): ArchiveEvent[] {
    const events: ArchiveEvent[] = [];
    let rest = chunk;
    if (this.#manifest === undefined) {
      rest = this.#readHead(chunk, events);
      if (this.#manifest === undefined) return events;
    }
    const parts = this.#manifest.parts;
    while (rest.length > 0 || (this.#index < parts.length && parts[this.#index]!.size === 0)) {
      const part = parts[this.#index];
      if (part === undefined) {
        this.#extra += rest.length;
        break;
      }
      if (this.#hash === undefined) {
        this.#hash = createHash('sha256');
        events.push({ kind: 'start', part });
      }
      const take = Math.min(rest.length, part.size - this.#partDone);
      if (take > 0) {
        const bytes = rest.subarray(0, take);
        this.#hash.update(bytes);
        this.#partDone += take;
        events.push({ kind: 'data', part, bytes });
        rest = rest.subarray(take);
      }
      if (this.#partDone === part.size) {
        if (this.#hash.digest('hex') !== part.sha256) throw new BackupError(`part ${part.name} does not match its SHA-256 in the manifest`);
        events.push({ kind: 'end', part });
        this.#hash = undefined;
        this.#partDone = 0;
        this.#index++;
      }
    }
    return events;
  }

  /** After the last byte: throws if the backup was cut short or has bytes the manifest does not name. */
  finish(): BackupManifest {
    if (this.#manifest === undefined) {
      const head = Buffer.concat(this.#head);
      this.#magicCheck(head);
      throw new BackupError('the backup is cut short: its manifest has no end');
    }
    const part = this.#manifest.parts[this.#index];
    if (part !== undefined) throw new BackupError(`the backup is cut short: part ${part.name} is missing bytes`);
    if (this.#extra > 0) throw new BackupError(`the backup has ${this.#extra} bytes the manifest does not account for`);
    return this.#manifest;
  }

  #magicCheck(head: Buffer): void {
    const magic = Buffer.from(`${ARCHIVE_MAGIC}\n`, 'utf8');
    const n = Math.min(head.length, magic.length);
    if (!head.subarray(0, n).equals(magic.subarray(0, n))) {
      throw new BackupError(`this sealed file is not a Schoolgate backup (its content does not start with "${ARCHIVE_MAGIC}")`);
    }
  }

  /** Gathers the magic and manifest lines; returns the bytes after them. */
  #readHead(chunk: Buffer, events: ArchiveEvent[]): Buffer {
    this.#head.push(chunk);
    const head = Buffer.concat(this.#head);
    this.#head = [head];
    this.#magicCheck(head);
    const magicLength = Buffer.byteLength(`${ARCHIVE_MAGIC}\n`);
    if (head.length <= magicLength) return Buffer.alloc(0);
    const end = head.indexOf(0x0a, magicLength);
    if (end < 0) {
      if (head.length > MANIFEST_MAX_BYTES) throw new BackupError('the backup\'s manifest is longer than any backup\'s: the file is not one');
      return Buffer.alloc(0);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(head.subarray(magicLength, end).toString('utf8'));
    } catch {
      throw new BackupError('the backup\'s manifest is not JSON');
    }
    if (!Value.Check(BackupManifest, parsed)) {
      const first = [...Value.Errors(BackupManifest, parsed)][0];
      throw new BackupError(`the backup's manifest is not valid: ${first?.instancePath || '(manifest)'} ${first?.message ?? ''}`);
    }
    const names = new Set<string>();
    for (const part of parsed.parts) {
      if (names.has(part.name)) throw new BackupError(`the manifest names ${part.name} twice`);
      names.add(part.name);
    }
    this.#manifest = parsed;
    this.#head = [];
    events.push({ kind: 'manifest', manifest: parsed });
    return head.subarray(end + 1);
  }
}
