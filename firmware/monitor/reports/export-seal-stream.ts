// The export envelope (export-seal.ts, docs/export-format.md) sealed and opened as streams, for
// content too large to hold in memory more than a piece at a time (a backup with a 50 MB state.db
// and a list of a million names, on a gateway with 1 GB whose DNS must keep answering). The bytes
// on disk are exactly sealExport's: a file sealed here opens with openExport and the other way round.
//
// The header carries the content's length and SHA-256 and is the cipher's additional data, so it
// must be complete before the first byte is encrypted: the caller hashes the content in a first
// pass, and the sealer checks the second pass gave the same bytes. Opening decrypts piece by
// piece into the caller's sink; GCM proves the content only at final(), so what the sink received
// is untrusted until openExportFile resolves: a caller writes it somewhere temporary and uses it
// only then (restore.ts stages it in the data directory and throws it away on any failure).
import { createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDirectory } from '../../config/durable-file.ts';
import { readSealHeader, SEAL_TAG_BYTES, sealKey, SealError, startSeal, type SealContentInfo, type SealHeader, type SealOptions } from './export-seal.ts';

/** How much is read at a time: large enough for few system calls, small beside the box's memory. */
export const STREAM_CHUNK_BYTES = 1024 * 1024;
// A header is a few hundred bytes (its fields are bounded by the schema); more is not an export.
const HEADER_READ_MAX = 64 * 1024;

export interface SealStreamSource extends SealContentInfo {
  /** The content, in order; called once. Must yield exactly contentLength bytes hashing to contentSha256. */
  chunks: () => AsyncIterable<Uint8Array>;
}

/**
 * Seals the content into `path` durably (a temporary file beside it, fsynced, renamed, the
 * directory fsynced): a reader sees no file or the whole one. Returns the header written.
 */
export async function sealExportToFile(path: string, source: SealStreamSource, options: SealOptions & { mode?: number }): Promise<SealHeader> {
  const { header, headerLine, cipher } = startSeal(source, options);
  const mode = options.mode ?? 0o600;
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  let renamed = false;
  try {
    try {
      await handle.chmod(mode);
      await handle.write(headerLine);
      const hash = createHash('sha256');
      let length = 0;
      for await (const chunk of source.chunks()) {
        hash.update(chunk);
        length += chunk.length;
        if (chunk.length > 0) await handle.write(cipher === null ? chunk : cipher.update(chunk));
      }
      // The header already promised a length and hash: content that changed between the passes
      // would make a file that never opens, so it is refused here rather than found out later.
      if (length !== source.contentLength || hash.digest('hex') !== source.contentSha256) {
        throw new SealError('the content changed while it was being sealed: nothing was written');
      }
      if (cipher !== null) await handle.write(Buffer.concat([cipher.final(), cipher.getAuthTag()]));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    renamed = true;
    await fsyncDirectory(dirname(path));
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
  return header;
}

/** The header of an open sealed file (no passphrase needed), read from its first bytes only. */
export async function readSealHeaderFromHandle(handle: FileHandle): Promise<{ header: SealHeader; headerBytes: number; headerLine: Buffer }> {
  const prefix = Buffer.alloc(HEADER_READ_MAX);
  const { bytesRead } = await handle.read(prefix, 0, HEADER_READ_MAX, 0);
  const { header, headerBytes } = readSealHeader(prefix.subarray(0, bytesRead));
  return { header, headerBytes, headerLine: Buffer.from(prefix.subarray(0, headerBytes)) };
}

/** Yields `length` bytes of the file from `position`, a piece at a time, in one reused buffer (the consumer is done with a piece before the next read). */
async function* readRange(handle: FileHandle, position: number, length: number): AsyncGenerator<Buffer> {
  const buffer = Buffer.allocUnsafe(Math.min(STREAM_CHUNK_BYTES, length));
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, length - done), position + done);
    if (bytesRead === 0) throw new SealError('the export is cut short: it changed while it was being read');
    done += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/**
 * Opens a sealed file as a stream: the content goes to `sink` a piece at a time, and the promise
 * resolves with the header only once GCM's tag (with a passphrase), the length and the SHA-256
 * all check out. It rejects with the same SealError messages as openExport. Until it resolves,
 * what the sink received must not be trusted: on a rejection the caller discards it. A chunk is
 * the sink's only until its promise settles (the reading buffer is reused): copy what is kept.
 */
export async function openExportFile(path: string, passphrase: string | undefined, sink: (chunk: Buffer) => void | Promise<void>): Promise<SealHeader> {
  const handle = await open(path, 'r');
  try {
    const { header, headerBytes, headerLine } = await readSealHeaderFromHandle(handle);
    const size = (await handle.stat()).size;
    const hash = createHash('sha256');
    let length = 0;
    const deliver = async (chunk: Buffer): Promise<void> => {
      if (chunk.length === 0) return;
      hash.update(chunk);
      length += chunk.length;
      await sink(chunk);
    };
    if (header.encryption === null) {
      if (passphrase !== undefined) throw new SealError('this export is not encrypted: open it without a passphrase (its content hash is still checked)');
      for await (const chunk of readRange(handle, headerBytes, size - headerBytes)) await deliver(chunk);
    } else {
      if (passphrase === undefined) throw new SealError('this export is encrypted: give its passphrase (--passphrase-file FILE)');
      const enc = header.encryption;
      const payload = size - headerBytes;
      if (payload < SEAL_TAG_BYTES) throw new SealError('the export is cut short: its content is missing');
      const tag = Buffer.alloc(SEAL_TAG_BYTES);
      await handle.read(tag, 0, SEAL_TAG_BYTES, size - SEAL_TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', sealKey(passphrase, Buffer.from(enc.salt, 'base64'), enc), Buffer.from(enc.iv, 'base64'));
      decipher.setAAD(headerLine);
      decipher.setAuthTag(tag);
      for await (const chunk of readRange(handle, headerBytes, payload - SEAL_TAG_BYTES)) await deliver(decipher.update(chunk));
      let last: Buffer;
      try {
        last = decipher.final();
      } catch {
        // GCM cannot tell the two apart, and saying which would help a guesser no more than this.
        throw new SealError('the passphrase is wrong, or the file was changed after it was sealed: nothing was opened');
      }
      await deliver(last);
    }
    const digest = hash.digest();
    if (length !== header.contentLength || !timingSafeEqual(digest, Buffer.from(header.contentSha256, 'hex'))) {
      throw new SealError('the content does not match the SHA-256 in its header: the file was changed after it was sealed');
    }
    return header;
  } finally {
    await handle.close();
  }
}
