// The content inside a backup's sealed envelope (pure, no files): a magic line, the manifest as
// one line of JSON, then each part's bytes one after another in the manifest's order. Chosen over
// tar so reading a backup needs nothing beyond this file, and every byte is accounted for by the
// manifest: each part's size and SHA-256 are checked before anything is written anywhere.
import { createHash } from 'node:crypto';
import { Value } from 'typebox/value';
import { BackupManifest, type BackupPart } from './backup-schema.ts';

export const ARCHIVE_MAGIC = 'SCHOOLGATE-BACKUP 1';
export const BACKUP_MEDIA_TYPE = 'application/vnd.schoolgate.backup';

export class BackupError extends Error {
  override name = 'BackupError';
}

export interface PartBytes {
  name: string;
  bytes: Buffer;
}

export type ManifestInfo = Omit<BackupManifest, 'parts' | 'format'>;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export function packArchive(info: ManifestInfo, parts: readonly PartBytes[]): { archive: Buffer; manifest: BackupManifest } {
  const manifest = checkedManifest(info, parts.map((p): BackupPart => ({ name: p.name, size: p.bytes.length, sha256: sha256(p.bytes) })));
  return { archive: Buffer.concat([archiveHead(manifest), ...parts.map((p) => p.bytes)]), manifest };
}

/** The archive's first two lines; the parts' bytes follow them in the manifest's order. */
export function archiveHead(manifest: BackupManifest): Buffer {
  return Buffer.from(`${ARCHIVE_MAGIC}\n${JSON.stringify(manifest)}\n`, 'utf8');
}

/** Checks a manifest made from parts read a piece at a time (create.ts) as packArchive checks its own. */
export function checkedManifest(info: ManifestInfo, parts: readonly BackupPart[]): BackupManifest {
  const seen = new Set<string>();
  for (const p of parts) {
    if (seen.has(p.name)) throw new BackupError(`part ${p.name} given twice`);
    seen.add(p.name);
  }
  const manifest: BackupManifest = { format: 1, ...info, parts: [...parts] };
  if (!Value.Check(BackupManifest, manifest)) {
    const first = [...Value.Errors(BackupManifest, manifest)][0];
    throw new BackupError(`cannot make this backup: ${first?.instancePath ?? ''} ${first?.message ?? 'is not valid'}`);
  }
  return manifest;
}

/** The manifest and every part, each checked against its size and SHA-256; throws BackupError naming the first that is not right. */
export function unpackArchive(archive: Buffer): { manifest: BackupManifest; parts: PartBytes[] } {
  const magic = Buffer.from(`${ARCHIVE_MAGIC}\n`, 'utf8');
  if (archive.length < magic.length || !archive.subarray(0, magic.length).equals(magic)) {
    throw new BackupError(`this sealed file is not a Schoolgate backup (its content does not start with "${ARCHIVE_MAGIC}")`);
  }
  const end = archive.indexOf(0x0a, magic.length);
  if (end < 0) throw new BackupError('the backup is cut short: its manifest has no end');
  let parsed: unknown;
  try {
    parsed = JSON.parse(archive.subarray(magic.length, end).toString('utf8'));
  } catch {
    throw new BackupError('the backup\'s manifest is not JSON');
  }
  if (!Value.Check(BackupManifest, parsed)) {
    const first = [...Value.Errors(BackupManifest, parsed)][0];
    throw new BackupError(`the backup's manifest is not valid: ${first?.instancePath || '(manifest)'} ${first?.message ?? ''}`);
  }
  const manifest = parsed;
  const parts: PartBytes[] = [];
  const names = new Set<string>();
  let offset = end + 1;
  for (const part of manifest.parts) {
    if (names.has(part.name)) throw new BackupError(`the manifest names ${part.name} twice`);
    names.add(part.name);
    if (offset + part.size > archive.length) throw new BackupError(`the backup is cut short: part ${part.name} is missing bytes`);
    const bytes = archive.subarray(offset, offset + part.size);
    if (sha256(bytes) !== part.sha256) throw new BackupError(`part ${part.name} does not match its SHA-256 in the manifest`);
    parts.push({ name: part.name, bytes });
    offset += part.size;
  }
  if (offset !== archive.length) throw new BackupError(`the backup has ${archive.length - offset} bytes the manifest does not account for`);
  return { manifest, parts };
}

const NAME_PART = /[^A-Za-z0-9._-]/g;
const BEFORE_UPGRADE = '-before-upgrade-to-';

/**
 * A backup's file name: when, by which firmware, and for one made before an upgrade, to which
 * version (so the list shows why it was made without opening it); sortable by time.
 */
export function backupFileName(at: Date, firmwareVersion: string, beforeUpgradeTo?: string): string {
  // Milliseconds kept: a scheduled backup and one asked for by hand may fall in the same second.
  const stamp = at.toISOString().replace(/[-:.]/g, '');
  const before = beforeUpgradeTo === undefined ? '' : `${BEFORE_UPGRADE}${beforeUpgradeTo.replace(NAME_PART, '_')}`;
  return `schoolgate-backup-${stamp}-${firmwareVersion.replace(NAME_PART, '_')}${before}`;
}

const NAME_RE = /^schoolgate-backup-(\d{8}T\d{9}Z)-([A-Za-z0-9._-]+?)(?:-before-upgrade-to-([A-Za-z0-9._-]+))?\.sgexport$/;

/** The time, firmware version and upgrade a backup's file name records, or undefined for a file that is not one. */
export function parseBackupFileName(file: string): { stamp: string; firmwareVersion: string; beforeUpgradeTo?: string } | undefined {
  const m = NAME_RE.exec(file);
  if (!m) return undefined;
  return { stamp: m[1]!, firmwareVersion: m[2]!, ...(m[3] === undefined ? {} : { beforeUpgradeTo: m[3] }) };
}

/** Which of these backup files to remove so that `keep` remain: the oldest by the time in their names. */
export function beyondRetention(files: readonly string[], keep: number): string[] {
  const ours = files.filter((f) => parseBackupFileName(f) !== undefined)
    .sort((a, b) => parseBackupFileName(a)!.stamp.localeCompare(parseBackupFileName(b)!.stamp) || a.localeCompare(b));
  return ours.slice(0, Math.max(0, ours.length - keep));
}
