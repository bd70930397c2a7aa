// The last good copy of a feed: the list file the compiler reads. A new copy replaces it in one
// rename (writeFileDurably), and the old one is kept aside until the lists in service have been
// rebuilt from the new one: if that rebuild fails, the old copy goes back, so what is on disk is
// always what is filtering.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDirectory, writeFileDurably } from '../../config/durable-file.ts';

/** A replaced copy, and how to undo the replacement. */
export interface CopyBackup {
  path: string;
  /** The previous copy, kept aside; null when there was none (a first download). */
  backup: string | null;
}

/** Where the previous copy waits during an update: beside it, hidden, with a fixed name. */
export function backupPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.feed-previous`);
}

/** The copy's bytes, or null when there is none. */
export async function readCopy(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function removeIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Keeps the current copy aside: a hard link (no bytes copied), or a synced copy where links are refused. */
async function keepAside(path: string, backup: string): Promise<boolean> {
  await removeIfExists(backup); // left by an update that was killed
  try {
    await link(path, backup);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EMLINK') throw error;
  }
  await copyFile(path, backup);
  const handle = await open(backup, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/** Writes `body` as the new copy (durably), keeping the previous one aside for restoreCopy. */
export async function replaceCopy(path: string, body: Uint8Array, mode: number): Promise<CopyBackup> {
  await mkdir(dirname(path), { recursive: true, mode: 0o750 });
  const backup = backupPath(path);
  const kept = await keepAside(path, backup);
  try {
    await writeFileDurably(path, body, { mode });
  } catch (error) {
    if (kept) await removeIfExists(backup);
    throw error;
  }
  return { path, backup: kept ? backup : null };
}

/** Puts the previous copy back (or removes a first copy), durably. */
export async function restoreCopy(copy: CopyBackup): Promise<void> {
  if (copy.backup) await rename(copy.backup, copy.path);
  else await removeIfExists(copy.path);
  await fsyncDirectory(dirname(copy.path));
}

/** The replacement stands: the previous copy is no longer needed. */
export async function discardBackup(copy: CopyBackup): Promise<void> {
  if (copy.backup) await removeIfExists(copy.backup);
}
