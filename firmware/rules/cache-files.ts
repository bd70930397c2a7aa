// The compiled cache's files as the compiler thread reads them: the list files' hashes and the
// table's bytes. Kept apart from compiled-cache.ts (its TypeBox description and writing), so that
// thread starts without loading TypeBox.
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { forEachPiece } from './formats/file-lines.ts';
import { join } from 'node:path';
import { encodedChecksum } from '../dns/matcher/serialize.ts';
import type { CacheMeta, FileStamp } from './compiled-cache.ts';

export const CACHE_BIN = 'lists.bin';

export class CacheCorrupt extends Error {
  override name = 'CacheCorrupt';
}

/** Same key and every file the same by content (after a stat said something changed). */
export function sameByHash(key: string, files: readonly FileStamp[], meta: Pick<CacheMeta, 'key' | 'files'>): boolean {
  if (meta.key !== key || meta.files.length !== files.length) return false;
  return files.every((f, i) => f.sha256 !== undefined && f.id === meta.files[i]!.id && f.path === meta.files[i]!.path && f.sha256 === meta.files[i]!.sha256);
}

/** Size, mtime and SHA-256 of each file, from one open (for the compiler thread: hashing is CPU). */
export async function hashStamps(files: readonly FileStamp[]): Promise<FileStamp[]> {
  return Promise.all(files.map(async (f): Promise<FileStamp> => {
    const handle = await open(f.path, 'r').catch(() => undefined);
    if (!handle) return { ...f, size: -1, mtimeMs: -1 };
    try {
      const info = await handle.stat();
      // A piece at a time: after a compile this runs beside the new table, and a whole list file
      // held here counted toward the reload's peak.
      const hash = createHash('sha256');
      await forEachPiece(handle, (piece) => hash.update(piece));
      return { id: f.id, path: f.path, size: info.size, mtimeMs: info.mtimeMs, sha256: hash.digest('hex') };
    } finally {
      await handle.close();
    }
  }));
}

/**
 * The compiled table's bytes, if they are the table the description names: its length, and the
 * CRC-32 in its header. The bytes themselves are checked against that CRC (and the table's
 * invariants) when decoded, which every reader does (decodeMatcher, Matcher.fromBuffer), so they
 * are not summed twice (~12 ms for 1M names).
 */
export async function readCacheBin(dir: string, meta: CacheMeta): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(join(dir, CACHE_BIN));
  } catch (error) {
    throw new CacheCorrupt(`cannot read ${CACHE_BIN}: ${(error as Error).message}`);
  }
  if (bytes.length !== meta.bin.bytes) throw new CacheCorrupt(`${CACHE_BIN} is ${bytes.length} bytes, expected ${meta.bin.bytes}`);
  let checksum: number;
  try {
    checksum = encodedChecksum(bytes);
  } catch (error) {
    throw new CacheCorrupt(`${CACHE_BIN}: ${(error as Error).message}`);
  }
  if (checksum !== meta.bin.crc32) throw new CacheCorrupt(`${CACHE_BIN} is not the table its description names (checksum)`);
  return bytes;
}
