// `schoolgate backup list` and the results of create and restore, for a terminal.
import type { BackupCreated, BackupEntry, BackupListResult, BackupStatus } from '../backup/backup-schema.ts';
import type { RestoreResult } from '../backup/restore.ts';
import { table } from './table.ts';

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

export function formatBackupEntries(entries: readonly BackupEntry[]): string {
  if (entries.length === 0) return '  (no backups)\n';
  return `${table([
    ['made (UTC)', 'size', 'encrypted', 'firmware', 'check', 'file'],
    ...entries.map((e) => [e.createdAt.replace('T', ' ').slice(0, 19), mb(e.size), e.encrypted ? 'yes' : 'NO', e.firmwareVersion ?? '?', e.ok ? e.check : `FAILED: ${e.check}`, e.file]),
  ])}\n`;
}

/** `schoolgate status`'s backup line: the newest, and the next. */
export function backupStatusLine(b: BackupStatus): string {
  const newest = b.latest === null ? 'none yet' : `${b.latest.file}, ${mb(b.latest.size)}, made ${b.latest.createdAt.replace('T', ' ').slice(0, 19)} UTC${b.latest.beforeUpgradeTo === null ? '' : ` before upgrading to ${b.latest.beforeUpgradeTo}`}${b.latest.ok ? '' : ` (FAILED its check: ${b.latest.check})`}`;
  const next = b.passphraseSet ? `next ${b.schedule}` : 'NO PASSPHRASE SET, so none is made (schoolgate backup passphrase --passphrase-file F)';
  const last = b.lastScheduled === null || b.lastScheduled.ok ? '' : `\n            the last scheduled backup at ${b.lastScheduled.at} was NOT MADE: ${b.lastScheduled.message}`;
  return `${newest}; ${next}${last}`;
}

export function formatBackupList(result: BackupListResult): string {
  return [
    `Backups in ${result.dir} (the newest ${result.keep} are kept; scheduled ${result.schedule}).`,
    result.lastScheduled === null ? '' : `Last scheduled backup at ${result.lastScheduled.at}: ${result.lastScheduled.ok ? '' : 'NOT MADE, '}${result.lastScheduled.message}.`,
    result.passphraseSet ? '' : 'No backup passphrase is set, so no scheduled backup is made: schoolgate backup passphrase --passphrase-file F\n',
  ].filter((l) => l !== '').join('\n') + '\n' + formatBackupEntries(result.backups);
}

export function formatBackupCreated(result: BackupCreated, copiedTo: string | undefined): string {
  const e = result.entry;
  return [
    `Backup written: ${e.path} (${mb(e.size)}, ${result.parts} parts, encrypted, read back and verified).`,
    ...(copiedTo ? [`Copied to ${copiedTo}.`] : []),
    ...result.removed.map((f) => `Removed the oldest: ${f}.`),
    'It holds the configuration, state.db, lists, secrets and the certificate; not the query log (logs.db), kept only days by policy.',
    'Keep the passphrase apart from the file: without it the backup cannot be restored.',
    '',
  ].join('\n');
}

export function formatRestored(result: RestoreResult): string {
  const m = result.manifest;
  return [
    `Restored the backup of ${m.createdAt} (Schoolgate ${m.firmwareVersion}, made by ${m.createdBy}): ${result.replaced.join(', ')}.`,
    result.stateMigrated.from === result.stateMigrated.to ? `state.db at schema ${result.stateMigrated.to}.` : `state.db migrated from schema ${result.stateMigrated.from} to ${result.stateMigrated.to}.`,
    ...(result.configMigrated.length > 0 ? [`Configuration migrated: ${result.configMigrated.join('; ')}.`] : []),
    result.audit.ok ? `The audit chain verifies (${result.audit.entries} entries); the restore is its newest entry.` : `WARNING: the audit chain in the backup is broken at entry ${result.audit.brokenAt}: ${result.audit.reason}`,
    `The previous state is in ${result.previousDir}: schoolgate backup undo puts it back.`,
    'The query log (logs.db) was left as it was. Start the daemon: systemctl start schoolgate',
    '',
  ].join('\n');
}
