// Making one backup: the configuration, a consistent snapshot of state.db, the lists, secrets,
// certificate and attachments (contents.ts), packed with a manifest (archive.ts) and sealed,
// always encrypted (docs/export-format.md), into DATA_DIR/backups/. The file is read back and
// opened before it counts, and only then are the oldest removed to keep N: a failed backup never
// costs a good one.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { writeFileDurably } from '../config/durable-file.ts';
import { checkPassphrase, openExport, readSealHeader, sealExport, SEALED_SUFFIX, type AuditHeadAtExport, type SealHeader } from '../monitor/reports/export-seal.ts';
import { BackupError, backupFileName, beyondRetention, BACKUP_MEDIA_TYPE, packArchive, unpackArchive, type PartBytes } from './archive.ts';
import type { BackupCreated } from './backup-schema.ts';
import { CONFIG_PART, readCopiedParts, STATE_PART } from './contents.ts';
import { entryFromHeader } from './list.ts';

export const BACKUPS_DIR = 'backups';

export interface BackupSources {
  dataDir: string;
  configFile: string;
  /** Writes a consistent copy of state.db to `file` (StateDatabase.snapshotTo on the owning connection). */
  snapshotState: (file: string) => void;
  auditHead: () => AuditHeadAtExport;
  version: string;
  now: () => Date;
  /** Tests pass cheaper scrypt parameters; the envelope's bounds still apply. */
  scrypt?: { N: number; r: number; p: number };
}

export interface CreateBackupOptions {
  passphrase: string | undefined;
  actor: string;
  keep: number;
  progress?: (line: string) => void;
}

/** The backups directory: group-readable, so a technician can copy a (encrypted) backup off the box. */
export async function backupsDir(dataDir: string): Promise<string> {
  const dir = join(dataDir, BACKUPS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o750 });
  return dir;
}

function readUserVersion(file: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return Number(db.prepare('PRAGMA user_version').get()?.user_version);
  } finally {
    db.close();
  }
}

async function snapshot(sources: BackupSources, dir: string): Promise<{ part: PartBytes; schema: number }> {
  const tmp = join(dir, `.state-${randomBytes(6).toString('hex')}.db`);
  try {
    sources.snapshotState(tmp);
    return { part: { name: STATE_PART, bytes: await readFile(tmp) }, schema: readUserVersion(tmp) };
  } finally {
    await rm(tmp, { force: true });
  }
}

async function writeSealed(sources: BackupSources, options: CreateBackupOptions & { passphrase: string }, at: Date, dir: string, fileName: string, path: string,
  progress: (line: string) => void): Promise<{ header: SealHeader; parts: number }> {
  progress('snapshot of state.db');
  const state = await snapshot(sources, dir);
  const configText = await readFile(sources.configFile);
  const configVersion = Number((JSON.parse(configText.toString('utf8')) as { version?: unknown }).version ?? 0);
  progress('reading the configuration, lists, secrets and certificate');
  const parts = [{ name: CONFIG_PART, bytes: configText }, state.part, ...await readCopiedParts(sources.dataDir)];
  progress(`sealing ${parts.length} parts (${(parts.reduce((n, p) => n + p.bytes.length, 0) / 1e6).toFixed(1)} MB), encrypted`);
  const { archive } = packArchive({
    firmwareVersion: sources.version, createdAt: at.toISOString(), createdBy: options.actor, configVersion, stateSchema: state.schema,
  }, parts);
  const sealed = sealExport({ fileName, mediaType: BACKUP_MEDIA_TYPE, body: archive }, {
    auditHead: sources.auditHead(), actor: options.actor, at, passphrase: options.passphrase, ...(sources.scrypt ? { scrypt: sources.scrypt } : {}),
  });
  await writeFileDurably(path, sealed.body, { mode: 0o640 });
  return { header: readSealHeader(sealed.body).header, parts: parts.length };
}

export async function createBackup(sources: BackupSources, options: CreateBackupOptions): Promise<BackupCreated> {
  const progress = options.progress ?? (() => undefined);
  // Never unencrypted: state.db holds password hashes, TOTP secrets and the names of pupils'
  // devices, and a backup is made to leave the box.
  if (options.passphrase === undefined) {
    throw new BackupError('a backup is always encrypted and no passphrase was given: set one with schoolgate backup passphrase --passphrase-file F, or give --passphrase-file F');
  }
  checkPassphrase(options.passphrase);
  const passphrase = options.passphrase;
  const at = sources.now();
  const dir = await backupsDir(sources.dataDir);
  const fileName = backupFileName(at, sources.version);
  const path = join(dir, `${fileName}${SEALED_SUFFIX}`);
  // Written from a function of its own so the parts, the archive and the sealed copy are
  // garbage once the file is on disk: a backup is held in memory several times over while it is
  // sealed, and the read-back below should not add to that.
  const { header, parts } = await writeSealed(sources, { ...options, passphrase }, at, dir, fileName, path, progress);
  progress(`written ${path}; reading it back to verify`);
  try {
    unpackArchive(openExport(await readFile(path), options.passphrase).body);
  } catch (error) {
    await rm(path, { force: true });
    throw new BackupError(`the backup written to ${path} did not read back (${(error as Error).message}): removed, older backups kept`);
  }
  const removed: string[] = [];
  for (const old of beyondRetention((await readdir(dir)).filter((f) => f !== basename(path)), options.keep - 1)) {
    await rm(join(dir, old), { force: true });
    removed.push(old);
    progress(`removed ${old} (keeping ${options.keep})`);
  }
  return { entry: entryFromHeader(path, header, (await stat(path)).size, 'verified', true), parts, removed };
}
