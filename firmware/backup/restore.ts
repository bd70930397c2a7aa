// Restoring a backup, with the daemon stopped. Everything is checked before anything is replaced:
// the envelope and passphrase, every part's SHA-256, the manifest's versions against this
// firmware, the configuration against the schema and its cross-checks, state.db's integrity and
// migrations (an older one is migrated, in the staging copy). Only then is each entry of the data
// directory moved to restore-previous/<time>/ and the staged one renamed into its place (renames
// on one filesystem; a failure half-way moves everything back). The previous state stays there so
// a restore can be undone (`schoolgate backup undo`).
//
// Offline rather than through the daemon: swapping state.db under a running daemon means closing
// every repository, the query-log writer's view of devices and the web sessions, and restarting
// them in order — which is what a stop and a start already do, proven every boot.
import { randomBytes } from 'node:crypto';
import { chown, lstat, mkdir, open, readdir, readFile, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { loadConfigText, serializeConfig } from '../config/load.ts';
import { CONFIG_VERSION } from '../config/schema.ts';
import { StateDatabase } from '../state/database.ts';
import { STATE_MIGRATIONS } from '../state/migrations.ts';
import { BackupError } from './archive.ts';
import type { BackupManifest } from './backup-schema.ts';
import { readBackupFile } from './backup-file.ts';
import { journaledSwap, recoverSwap, type SwapOps, type SwapPlan } from './swap-journal.ts';
import { CONFIG_PART, COPIED_ENTRIES, RESTORED_ENTRIES, STATE_PART } from './contents.ts';

export const PREVIOUS_DIR = 'restore-previous';

/** What the manifest and the configuration say, checked once the whole backup is proven (pure). Throws BackupError or ConfigError. */
export function checkBackupContent(manifest: BackupManifest, configBytes: Buffer | undefined): { configText: string; configMigrated: string[] } {
  if (manifest.stateSchema > STATE_MIGRATIONS.length) {
    throw new BackupError(`this backup was made by Schoolgate ${manifest.firmwareVersion}, whose state.db has schema ${manifest.stateSchema}; this firmware knows up to ${STATE_MIGRATIONS.length}: upgrade to ${manifest.firmwareVersion} or later first, then restore`);
  }
  if (manifest.configVersion > CONFIG_VERSION) {
    throw new BackupError(`this backup was made by Schoolgate ${manifest.firmwareVersion}, whose configuration has version ${manifest.configVersion}; this firmware reads up to ${CONFIG_VERSION}: upgrade first, then restore`);
  }
  // Only what a backup holds may be moved in: a crafted part named logs.db or backups/… would
  // otherwise replace a file the restore never moves aside.
  const allowed = new Set<string>([CONFIG_PART, STATE_PART, ...COPIED_ENTRIES]);
  const stray = manifest.parts.find((p) => !allowed.has(p.name.split('/')[0]!) || (p.name.includes('/') && !(COPIED_ENTRIES as readonly string[]).includes(p.name.split('/')[0]!)));
  if (stray !== undefined) throw new BackupError(`the backup has a part named ${stray.name}, which no backup holds: refused`);
  if (configBytes === undefined) throw new BackupError(`the backup has no ${CONFIG_PART}`);
  if (!manifest.parts.some((p) => p.name === STATE_PART)) throw new BackupError(`the backup has no ${STATE_PART}`);
  const loaded = loadConfigText(configBytes.toString('utf8'), `${CONFIG_PART} in the backup`);
  return {
    configText: loaded.applied.length === 0 ? configBytes.toString('utf8') : serializeConfig(loaded.config),
    configMigrated: loaded.applied,
  };
}

/**
 * Decrypts the backup's parts into `staging` as they arrive. They are untrusted until this
 * resolves (GCM's tag and every hash checked); on a rejection the caller removes staging whole.
 */
async function unpackToStaging(file: string, passphrase: string | undefined, staging: string): Promise<BackupManifest> {
  let handle: FileHandle | undefined;
  try {
    const { manifest } = await readBackupFile(file, passphrase, async (event) => {
      if (event.kind === 'start') {
        const path = join(staging, ...event.part.name.split('/'));
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        handle = await open(path, 'wx', 0o600);
      } else if (event.kind === 'data') {
        await handle!.write(event.bytes);
      } else if (event.kind === 'end') {
        await handle!.close();
        handle = undefined;
      }
    });
    return manifest;
  } finally {
    await handle?.close();
  }
}

export interface RestoreOptions {
  dataDir: string;
  /** The backup's file: read a piece at a time, never whole. */
  file: string;
  passphrase: string | undefined;
  actor: string;
  /** Named in the audit entry. */
  source: string;
  now: () => Date;
  progress?: (line: string) => void;
  /** Tests stop the swap part-way, as a power cut would. */
  swapOps?: SwapOps;
}

export interface RestoreResult {
  manifest: BackupManifest;
  previousDir: string;
  replaced: string[];
  stateMigrated: { from: number; to: number };
  configMigrated: string[];
  audit: { ok: true; entries: number } | { ok: false; brokenAt: number; reason: string };
}

const stamp = (at: Date): string => at.toISOString().replace(/[-:.]/g, '');

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return false;
    throw err;
  });
}

/** integrity_check on the file as restored, then the ordinary open, which migrates an older one. */
function checkStagedState(file: string, now: () => Date): { from: number; to: number; audit: RestoreResult['audit'] } {
  const raw = new DatabaseSync(file, { readOnly: true });
  let from: number;
  try {
    const rows = raw.prepare('PRAGMA integrity_check').all().map((r) => String(Object.values(r)[0]));
    if (rows.length !== 1 || rows[0] !== 'ok') throw new BackupError(`state.db in the backup fails SQLite's integrity check: ${rows.slice(0, 3).join('; ')}`);
    from = Number(raw.prepare('PRAGMA user_version').get()?.user_version);
  } finally {
    raw.close();
  }
  const state = StateDatabase.open(file, { now });
  try {
    const verdict = state.audit.verify();
    return { from, to: state.schemaVersion, audit: verdict.ok ? { ok: true, entries: verdict.entries } : verdict };
  } finally {
    state.close();
  }
}

/** The daemon runs as its own user: what a restore run by root writes must be that user's. */
async function ownLikeDataDir(dataDir: string, staging: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = await stat(dataDir);
  const walk = async (path: string): Promise<void> => {
    await chown(path, uid, gid);
    if ((await lstat(path)).isDirectory()) for (const name of await readdir(path)) await walk(join(path, name));
  };
  await walk(staging);
}

/** Moves the current entries aside and the staged ones in, journaled (swap-journal.ts); on any failure puts everything back as it was. */
async function swapIn(dataDir: string, staging: string, previousDir: string, ops?: SwapOps): Promise<string[]> {
  const moves: SwapPlan['moves'] = [];
  for (const entry of RESTORED_ENTRIES) {
    if (await exists(join(dataDir, entry))) moves.push({ from: join(dataDir, entry), to: join(previousDir, entry) });
  }
  const movedIn = await readdir(staging);
  for (const entry of movedIn) moves.push({ from: join(staging, entry), to: join(dataDir, entry) });
  await journaledSwap(dataDir, { moves }, ops);
  return movedIn;
}

export async function restoreBackup(o: RestoreOptions): Promise<RestoreResult> {
  const progress = o.progress ?? (() => undefined);
  progress('checking the envelope, the passphrase and every part\'s SHA-256');
  const at = o.now();
  // Staged in the data directory itself: the same filesystem, so the swap below is renames only.
  const staging = join(o.dataDir, `.restore-${stamp(at)}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { mode: 0o700 });
  try {
    const manifest = await unpackToStaging(o.file, o.passphrase, staging);
    const configFile = join(staging, CONFIG_PART);
    const configBytes = manifest.parts.some((p) => p.name === CONFIG_PART) ? await readFile(configFile) : undefined;
    const checked = checkBackupContent(manifest, configBytes);
    if (checked.configMigrated.length > 0) await writeFile(configFile, checked.configText, { mode: 0o600 });
    progress(`backup of ${manifest.createdAt} by ${manifest.createdBy}, Schoolgate ${manifest.firmwareVersion}: ${manifest.parts.length} parts check out; the configuration is valid`);
    progress('checking state.db (integrity, schema, audit chain)');
    const state = checkStagedState(join(staging, STATE_PART), o.now);
    // The check opened it in WAL mode; fold the log back so only state.db itself is moved in.
    const db = new DatabaseSync(join(staging, STATE_PART));
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
    await rm(join(staging, `${STATE_PART}-wal`), { force: true });
    await rm(join(staging, `${STATE_PART}-shm`), { force: true });
    await ownLikeDataDir(o.dataDir, staging);
    const previousDir = join(o.dataDir, PREVIOUS_DIR, stamp(at));
    await mkdir(previousDir, { recursive: true, mode: 0o700 });
    progress(`replacing the data directory's files; the current ones go to ${previousDir}`);
    const replaced = await swapIn(o.dataDir, staging, previousDir, o.swapOps);
    const restored = StateDatabase.open(join(o.dataDir, STATE_PART), { now: o.now });
    try {
      restored.audit.append({
        actor: o.actor, action: 'backup.restore', subject: o.source,
        details: { createdAt: manifest.createdAt, firmwareVersion: manifest.firmwareVersion, previous: previousDir, stateSchemaFrom: state.from },
      });
    } finally {
      restored.close();
    }
    return { manifest, previousDir, replaced, stateMigrated: { from: state.from, to: state.to }, configMigrated: checked.configMigrated, audit: state.audit };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Puts a restore's previous state back (itself kept aside in turn, so nothing is ever lost). When
 * a restore or an undo was cut part-way (a journal is there), reversing that is the whole undo:
 * the data directory is then as it was before the cut swap began, and nothing else is moved.
 */
export async function undoRestore(o: { dataDir: string; previousDir: string | undefined; now: () => Date; swapOps?: SwapOps }): Promise<{ replaced: string[]; previousDir: string; recovered: boolean }> {
  if (await recoverSwap(o.dataDir)) return { replaced: [], previousDir: '', recovered: true };
  if (o.previousDir === undefined) throw new BackupError(`there is no restore to undo (${join(o.dataDir, PREVIOUS_DIR)} is empty)`);
  if (!await exists(o.previousDir)) throw new BackupError(`${o.previousDir} does not exist`);
  const aside = join(o.dataDir, PREVIOUS_DIR, stamp(o.now()));
  if (aside === o.previousDir) throw new BackupError('try again in a moment');
  await mkdir(aside, { recursive: true, mode: 0o700 });
  const replaced = await swapIn(o.dataDir, o.previousDir, aside, o.swapOps);
  await rm(o.previousDir, { recursive: true, force: true });
  return { replaced, previousDir: aside, recovered: false };
}

/** The restores that can be undone, newest first. */
export async function previousStates(dataDir: string): Promise<string[]> {
  const names = await readdir(join(dataDir, PREVIOUS_DIR)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const dirs = names.filter((n) => /^\d{8}T\d{9}Z$/.test(n)).sort().reverse().map((n) => join(dataDir, PREVIOUS_DIR, n));
  // An empty one is what a reversed (cut) swap or an undo cut before its clean-up leaves: nothing to put back.
  const kept: string[] = [];
  for (const dir of dirs) if ((await readdir(dir)).length > 0) kept.push(dir);
  return kept;
}

