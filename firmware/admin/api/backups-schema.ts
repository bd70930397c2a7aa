// The Backups page's API shapes (system.manage): the list with its checks, a backup made now with
// the stored passphrase, and one backup's file by name. Restore stays on the CLI (docs/backup.md).
import { Type, type Static } from 'typebox';
export { BackupCreated, BackupEntry, BackupListResult } from '../../backup/backup-schema.ts';
import { BackupFileParams } from '../../backup/backup-schema.ts';

export const BackupFilePath = BackupFileParams;
export type BackupFilePath = Static<typeof BackupFilePath>;

export const BackupCreateBody = Type.Object({}, { additionalProperties: false, description: 'a backup now, encrypted with the stored backup passphrase' });
