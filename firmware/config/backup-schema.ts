// The configuration's `backup` section: when the gateway backs itself up and how many backups it
// keeps in DATA_DIR/backups/. Optional: without it a backup is made every night at 02:30 (school
// time, when no one is teaching) and seven are kept, a week of nights. A scheduled backup is made
// only once a technician has set the backup passphrase (`schoolgate backup passphrase`): every
// backup is encrypted, because state.db holds password hashes, TOTP secrets and pupils' devices.
import { Type, type Static } from 'typebox';

export const BackupSettings = Type.Object({
  enabled: Type.Optional(Type.Boolean({ description: 'whether the scheduled backup runs (default true; `schoolgate backup create` works either way)' })),
  at: Type.Optional(Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: "HH:MM on the school's clock, every day (default 02:30)" })),
  keep: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, description: 'how many backups DATA_DIR/backups/ keeps; the oldest goes only once a new one is written and verified (default 7)' })),
}, { additionalProperties: false, description: 'the scheduled backup: when, and how many are kept' });
export type BackupSettings = Static<typeof BackupSettings>;

export const BACKUP_DEFAULTS: Required<BackupSettings> = { enabled: true, at: '02:30', keep: 7 };
