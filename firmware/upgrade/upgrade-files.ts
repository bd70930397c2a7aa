// The upgrade's files in the daemon's data directory, the hand-over between the unprivileged
// daemon and the root switcher:
//   upgrade/incoming/      release files uploaded through the daemon (CLI or web UI)
//   upgrade/request.json   "install this verified file": its appearance starts the switcher
//                          (image/schoolgate-upgrade.path)
//   upgrade/progress.json  the switcher's phase, for the CLI and the web UI
//   upgrade/history.jsonl  every attempt and its outcome, one JSON object a line
import { appendFile, chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { UpgradeHistoryEntry, UpgradeProgress, UpgradeRequest } from './upgrade-schema.ts';

export const upgradeDir = (dataDir: string): string => join(dataDir, 'upgrade');
export const incomingDir = (dataDir: string): string => join(dataDir, 'upgrade', 'incoming');
export const requestFile = (dataDir: string): string => join(dataDir, 'upgrade', 'request.json');
const progressFile = (dataDir: string): string => join(dataDir, 'upgrade', 'progress.json');
const historyFile = (dataDir: string): string => join(dataDir, 'upgrade', 'history.jsonl');

/**
 * The switcher runs as root: what it writes here is given to the data directory's owner (the
 * daemon's user), or the daemon could not read its own history.
 */
async function ownLikeDataDir(dataDir: string, path: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const owner = await stat(dataDir);
  await chown(path, owner.uid, owner.gid);
}

async function ensureUpgradeDir(dataDir: string): Promise<void> {
  await mkdir(upgradeDir(dataDir), { recursive: true, mode: 0o750 });
  await ownLikeDataDir(dataDir, upgradeDir(dataDir));
}

async function writeAtomically(dataDir: string, file: string, text: string): Promise<void> {
  await ensureUpgradeDir(dataDir);
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, text, { mode: 0o640 });
  await ownLikeDataDir(dataDir, partial);
  await rename(partial, file);
}

export async function writeRequest(dataDir: string, request: UpgradeRequest): Promise<void> {
  await writeAtomically(dataDir, requestFile(dataDir), `${JSON.stringify(request)}\n`);
}

/** The pending request, if any, without taking it. */
export async function readRequest(dataDir: string): Promise<UpgradeRequest | undefined> {
  let text: string;
  try {
    text = await readFile(requestFile(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value: unknown = JSON.parse(text);
  if (!Value.Check(UpgradeRequest, value)) throw new Error(`${requestFile(dataDir)} is not an upgrade request`);
  return value;
}

/**
 * Takes the pending request (renames it away first, so the path unit does not start the switcher
 * again for the same one); undefined if there is none.
 */
export async function takeRequest(dataDir: string): Promise<UpgradeRequest | undefined> {
  const taken = `${requestFile(dataDir)}.taken`;
  try {
    await rename(requestFile(dataDir), taken);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value: unknown = JSON.parse(await readFile(taken, 'utf8'));
    if (!Value.Check(UpgradeRequest, value)) throw new Error(`${requestFile(dataDir)} is not an upgrade request`);
    return value;
  } finally {
    await rm(taken, { force: true });
  }
}

export async function writeProgress(dataDir: string, progress: UpgradeProgress): Promise<void> {
  await writeAtomically(dataDir, progressFile(dataDir), `${JSON.stringify(progress)}\n`);
}

export async function readProgress(dataDir: string): Promise<UpgradeProgress | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(progressFile(dataDir), 'utf8'));
    return Value.Check(UpgradeProgress, value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function appendHistory(dataDir: string, entry: UpgradeHistoryEntry): Promise<void> {
  await ensureUpgradeDir(dataDir);
  await appendFile(historyFile(dataDir), `${JSON.stringify(entry)}\n`, { mode: 0o640 });
  await ownLikeDataDir(dataDir, historyFile(dataDir));
}

/** Every recorded attempt, oldest first; a damaged line (a crash mid-append) is skipped. */
export async function readHistory(dataDir: string): Promise<UpgradeHistoryEntry[]> {
  let text: string;
  try {
    text = await readFile(historyFile(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: UpgradeHistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (Value.Check(UpgradeHistoryEntry, value)) entries.push(value);
    } catch {
      // A line cut short by a power cut: the entries around it still count.
    }
  }
  return entries;
}
