// A backup file read as a stream: the envelope opened piece by piece (export-seal-stream.ts) and
// its content parsed as it arrives (archive-stream.ts), so verifying or restoring a backup holds
// one piece of it in memory, never the whole. Used by create's read-back, list and restore.
import { open } from 'node:fs/promises';
import { openExportFile, readSealHeaderFromHandle, STREAM_CHUNK_BYTES } from '../monitor/reports/export-seal-stream.ts';
import type { SealHeader } from '../monitor/reports/export-seal.ts';
import { BackupError, BACKUP_MEDIA_TYPE } from './archive.ts';
import { ArchiveReader, type ArchiveEvent } from './archive-stream.ts';
import type { BackupManifest } from './backup-schema.ts';

/**
 * A file's bytes a piece at a time; throws if it is not `size` bytes long (it changed since it was
 * measured). One buffer is reused for every piece, so a consumer must be done with a piece (hashed,
 * encrypted, written and awaited) before it asks for the next: garbage pieces waiting for the
 * collector would otherwise add tens of MB to the daemon's peak.
 */
export async function* fileChunks(path: string, size: number): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(STREAM_CHUNK_BYTES);
  try {
    let done = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, done);
      if (bytesRead === 0) break;
      done += bytesRead;
      if (done > size) break;
      yield buffer.subarray(0, bytesRead);
    }
    if (done !== size) throw new BackupError(`${path} changed while it was being backed up (${done} bytes where it had ${size}): try again`);
  } finally {
    await handle.close();
  }
}

/** The envelope's header, read without the passphrase. */
export async function readBackupHeader(path: string): Promise<{ header: SealHeader; headerBytes: number }> {
  const handle = await open(path, 'r');
  try {
    return await readSealHeaderFromHandle(handle);
  } finally {
    await handle.close();
  }
}

/**
 * Opens a backup and hands each archive event to `onEvent` as it is decrypted. Resolves only when
 * GCM's tag, the content's SHA-256 and every part's SHA-256 have checked out; until then nothing
 * onEvent received may be trusted. A part that fails its hash is reported only after the tag was
 * checked, so a changed file or a wrong passphrase is named as such rather than as a bad part.
 */
export async function readBackupFile(path: string, passphrase: string | undefined,
  onEvent: (event: ArchiveEvent) => void | Promise<void> = () => undefined): Promise<{ header: SealHeader; manifest: BackupManifest }> {
  const { header } = await readBackupHeader(path);
  if (header.mediaType !== BACKUP_MEDIA_TYPE) throw new BackupError(`this is a sealed ${header.mediaType} export, not a backup`);
  const reader = new ArchiveReader();
  let failure: unknown;
  await openExportFile(path, passphrase, async (chunk) => {
    if (failure !== undefined) return;
    try {
      for (const event of reader.push(chunk)) await onEvent(event);
    } catch (error) {
      failure = error;
    }
  });
  if (failure !== undefined) throw failure;
  return { header, manifest: reader.finish() };
}
