// The backups in DATA_DIR/backups/, newest first, each checked as far as can be: without the
// passphrase, that its header is a backup's and its length is exactly what the header says;
// with it, opened and every part's SHA-256 checked.
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SEAL_TAG_BYTES, SealError, type SealHeader } from '../monitor/reports/export-seal.ts';
import { BackupError, BACKUP_MEDIA_TYPE, parseBackupFileName } from './archive.ts';
import type { BackupEntry } from './backup-schema.ts';
import { readBackupFile, readBackupHeader } from './backup-file.ts';

/** What a backup's file name says of it. */
function named(path: string): Pick<BackupEntry, 'file' | 'firmwareVersion' | 'beforeUpgradeTo'> {
  const parsed = parseBackupFileName(basename(path));
  return { file: basename(path), firmwareVersion: parsed?.firmwareVersion ?? null, beforeUpgradeTo: parsed?.beforeUpgradeTo ?? null };
}

export function entryFromHeader(path: string, header: SealHeader, size: number, check: string, ok: boolean): BackupEntry {
  return { ...named(path), path, size, createdAt: header.exportedAt, createdBy: header.exportedBy, encrypted: header.encryption !== null, check, ok };
}

/** One backup file, checked (see above), read a piece at a time. Never throws for a bad file: the entry says what is wrong. */
export async function describeBackup(path: string, passphrase?: string): Promise<BackupEntry> {
  const size = (await stat(path)).size;
  let header: SealHeader;
  let headerBytes: number;
  try {
    ({ header, headerBytes } = await readBackupHeader(path));
  } catch (error) {
    if (!(error instanceof SealError)) throw error;
    return { ...named(path), path, size, createdAt: '', createdBy: '', encrypted: false, check: error.message, ok: false };
  }
  if (header.mediaType !== BACKUP_MEDIA_TYPE) return entryFromHeader(path, header, size, `a sealed ${header.mediaType} export, not a backup`, false);
  const expected = headerBytes + header.contentLength + (header.encryption ? SEAL_TAG_BYTES : 0);
  if (size !== expected) return entryFromHeader(path, header, size, `${size} bytes where the header says ${expected}: cut short or changed`, false);
  if (passphrase === undefined) return entryFromHeader(path, header, size, 'sealed (give the passphrase to verify every part)', true);
  try {
    await readBackupFile(path, passphrase);
    return entryFromHeader(path, header, size, 'verified', true);
  } catch (error) {
    if (error instanceof SealError || error instanceof BackupError) return entryFromHeader(path, header, size, error.message, false);
    throw error;
  }
}

/** Every file in the backups directory (Schoolgate's and any copied in), newest first. */
export async function listBackups(dir: string, passphrase?: string): Promise<BackupEntry[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const entries: BackupEntry[] = [];
  for (const name of names.filter((n) => !n.startsWith('.') && n.endsWith('.sgexport'))) {
    entries.push(await describeBackup(join(dir, name), passphrase));
  }
  return entries.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.file.localeCompare(a.file));
}
