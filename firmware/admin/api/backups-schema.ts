// The Backups page's API shapes (system.manage): the list with its checks, a backup made now with
// the stored passphrase, and one backup's file by name. Restore stays on the CLI (docs/backup.md).
import { Type, type Static } from 'typebox';
export { BackupCreated, BackupEntry, BackupListResult } from '../../backup/backup-schema.ts';
import { BackupFileParams, BackupListResult } from '../../backup/backup-schema.ts';
import { ActorNames } from './actor-names-schema.ts';

/** The list as the page shows it: with the names of the accounts that made the backups. */
export const BackupListView = Type.Object({ ...BackupListResult.properties, names: ActorNames }, { additionalProperties: false });
export type BackupListView = Static<typeof BackupListView>;

export const BackupFilePath = BackupFileParams;
export type BackupFilePath = Static<typeof BackupFilePath>;

export const BackupCreateBody = Type.Object({}, { additionalProperties: false, description: 'a backup now, encrypted with the stored backup passphrase' });
