// Making one backup: the configuration, a consistent snapshot of state.db, the lists, secrets,
// certificate and attachments (contents.ts), packed with a manifest (archive.ts) and sealed,
// always encrypted (docs/export-format.md), into DATA_DIR/backups/, read from disk a piece at a
// time so the backup is never held in memory whole. The file is read back and
// opened before it counts, and only then are the oldest removed to keep N: a failed backup never
// costs a good one.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { sealExportToFile } from '../monitor/reports/export-seal-stream.ts';
import { checkPassphrase, SEALED_SUFFIX, type AuditHeadAtExport, type SealHeader } from '../monitor/reports/export-seal.ts';
import { archiveHead, BackupError, backupFileName, beyondRetention, BACKUP_MEDIA_TYPE, checkedManifest } from './archive.ts';
import type { BackupCreated, BackupPart } from './backup-schema.ts';
import { fileChunks, readBackupFile } from './backup-file.ts';
import { CONFIG_PART, listCopiedParts, STATE_PART, type PartFile } from './contents.ts';
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
  /** Made before upgrading to this version: its file name says so. */
  beforeUpgradeTo?: string;
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

type PartSource = PartFile | { name: string; bytes: Buffer };

async function* partChunks(part: PartSource): AsyncGenerator<Buffer> {
  if ('bytes' in part) yield part.bytes;
  else yield* fileChunks(part.path, part.size);
}

async function describePart(part: PartSource): Promise<BackupPart> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of partChunks(part)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { name: part.name, size, sha256: hash.digest('hex') };
}

// Three passes over the parts, each a piece at a time: their hashes for the manifest, the whole
// content's hash for the envelope's header (which is the cipher's additional data, so it must be
// known before the first byte is encrypted), then the encryption itself. Reading twice more costs
// seconds; holding a 100 MB backup in memory while DNS answers costs the box.
async function writeSealed(sources: BackupSources, options: CreateBackupOptions & { passphrase: string }, at: Date, dir: string, fileName: string, path: string,
  progress: (line: string) => void): Promise<{ header: SealHeader; parts: number }> {
  progress('snapshot of state.db');
  const stateFile = join(dir, `.state-${randomBytes(6).toString('hex')}.db`);
  try {
    sources.snapshotState(stateFile);
    const stateSchema = readUserVersion(stateFile);
    const configText = await readFile(sources.configFile);
    const configVersion = Number((JSON.parse(configText.toString('utf8')) as { version?: unknown }).version ?? 0);
    progress('reading the configuration, lists, secrets and certificate');
    const parts: PartSource[] = [
      { name: CONFIG_PART, bytes: configText }, { name: STATE_PART, path: stateFile, size: (await stat(stateFile)).size }, ...await listCopiedParts(sources.dataDir),
    ];
    const described: BackupPart[] = [];
    for (const part of parts) described.push(await describePart(part));
    const manifest = checkedManifest({ firmwareVersion: sources.version, createdAt: at.toISOString(), createdBy: options.actor, configVersion, stateSchema }, described);
    const head = archiveHead(manifest);
    const content = async function* (): AsyncGenerator<Buffer> {
      yield head;
      for (const [i, part] of parts.entries()) yield* 'bytes' in part ? partChunks(part) : fileChunks(part.path, described[i]!.size);
    };
    const contentHash = createHash('sha256');
    let contentLength = 0;
    for await (const chunk of content()) {
      contentHash.update(chunk);
      contentLength += chunk.length;
    }
    progress(`sealing ${parts.length} parts (${(contentLength / 1e6).toFixed(1)} MB), encrypted`);
    const header = await sealExportToFile(path, {
      fileName, mediaType: BACKUP_MEDIA_TYPE, contentLength, contentSha256: contentHash.digest('hex'), chunks: content,
    }, {
      auditHead: sources.auditHead(), actor: options.actor, at, passphrase: options.passphrase, mode: 0o640, ...(sources.scrypt ? { scrypt: sources.scrypt } : {}),
    });
    return { header, parts: parts.length };
  } finally {
    await rm(stateFile, { force: true });
  }
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
  const fileName = backupFileName(at, sources.version, options.beforeUpgradeTo);
  const path = join(dir, `${fileName}${SEALED_SUFFIX}`);
  const { header, parts } = await writeSealed(sources, { ...options, passphrase }, at, dir, fileName, path, progress);
  progress(`written ${path}; reading it back to verify`);
  try {
    await readBackupFile(path, options.passphrase);
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
