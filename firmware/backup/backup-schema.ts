// The shapes of a backup: the manifest inside it, the control methods' parameters and answers
// (shared by the CLI and the web UI). docs/backup.md describes the file.
import { Type, type Static } from 'typebox';

const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });

/**
 * A part's name is a path relative to the data directory, '/'-separated, with no '..', no
 * leading '/' and no hidden component: a crafted manifest cannot write outside the data dir.
 */
export const PART_NAME_PATTERN = '^(?!.*(^|/)\\.)[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$';

export const BackupPart = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 300, pattern: PART_NAME_PATTERN }),
  size: Type.Integer({ minimum: 0 }),
  sha256: Sha256Hex,
}, { additionalProperties: false });
export type BackupPart = Static<typeof BackupPart>;

export const BackupManifest = Type.Object({
  format: Type.Literal(1),
  firmwareVersion: Type.String({ minLength: 1, maxLength: 64 }),
  createdAt: Type.String({ minLength: 1, maxLength: 40 }),
  createdBy: Type.String({ minLength: 1, maxLength: 128 }),
  /** config.json's `version`, and state.db's migration number (PRAGMA user_version). */
  configVersion: Type.Integer({ minimum: 0 }),
  stateSchema: Type.Integer({ minimum: 0 }),
  parts: Type.Array(BackupPart, { maxItems: 100_000 }),
}, { additionalProperties: false });
export type BackupManifest = Static<typeof BackupManifest>;

export const BackupCreateParams = Type.Object({
  /** Absent: the passphrase the technician stored with `schoolgate backup passphrase`. */
  passphrase: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
}, { additionalProperties: false });
export type BackupCreateParams = Static<typeof BackupCreateParams>;

export const BackupPassphraseParams = Type.Object({
  passphrase: Type.String({ minLength: 1, maxLength: 1024 }),
}, { additionalProperties: false });
export type BackupPassphraseParams = Static<typeof BackupPassphraseParams>;

/** One backup by its file name in DATA_DIR/backups/ (never a path: nothing outside it can be named). */
export const BackupFileParams = Type.Object({
  file: Type.String({ minLength: 1, maxLength: 200, pattern: '^schoolgate-backup-[A-Za-z0-9._-]+\\.sgexport$' }),
}, { additionalProperties: false });
export type BackupFileParams = Static<typeof BackupFileParams>;

export const BackupEntry = Type.Object({
  file: Type.String({ description: 'the file name in DATA_DIR/backups/' }),
  path: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  createdAt: Type.String(),
  createdBy: Type.String(),
  encrypted: Type.Boolean(),
  firmwareVersion: Type.Union([Type.String(), Type.Null()], { description: 'from the file name; null for a file not named by Schoolgate' }),
  beforeUpgradeTo: Type.Union([Type.String(), Type.Null()], { description: 'made before upgrading to this version (from the file name); null for any other backup' }),
  /** 'verified': opened and every part checked; 'sealed': the header and length check out (no passphrase at hand); else why not. */
  check: Type.String(),
  ok: Type.Boolean(),
}, { additionalProperties: false });
export type BackupEntry = Static<typeof BackupEntry>;

export const BackupCreated = Type.Object({
  entry: BackupEntry,
  parts: Type.Integer(),
  removed: Type.Array(Type.String(), { description: 'older backups removed to keep N' }),
}, { additionalProperties: false });
export type BackupCreated = Static<typeof BackupCreated>;

const Schedule = Type.String({ description: 'in words: when the next scheduled backup runs, or why none does' });
const LastScheduled = Type.Union([Type.Object({
  at: Type.String(), ok: Type.Boolean(),
  outcome: Type.Union([Type.Literal('made'), Type.Literal('skipped'), Type.Literal('failed')], { description: 'skipped: no passphrase was stored' }),
  message: Type.String(),
}, { additionalProperties: false }), Type.Null()], { description: 'the last scheduled run since the daemon started: made, skipped (no passphrase) or failed, and why' });

export const BackupListResult = Type.Object({
  dir: Type.String(),
  keep: Type.Integer(),
  passphraseSet: Type.Boolean(),
  schedule: Schedule,
  lastScheduled: LastScheduled,
  backups: Type.Array(BackupEntry),
}, { additionalProperties: false });
export type BackupListResult = Static<typeof BackupListResult>;

/** The `backups` part of `schoolgate status`: the newest backup, and when the next is made. */
export const BackupStatus = Type.Object({
  latest: Type.Union([BackupEntry, Type.Null()], { description: 'the newest file in DATA_DIR/backups/, null when there is none' }),
  passphraseSet: Type.Boolean(),
  schedule: Schedule,
  lastScheduled: LastScheduled,
}, { additionalProperties: false });
export type BackupStatus = Static<typeof BackupStatus>;
