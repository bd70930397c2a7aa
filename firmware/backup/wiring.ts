// The backups' wiring, called with one line from the composition root: the control methods
// behind `schoolgate backup create|list|passphrase` (and the web UI's Backups page), and the
// nightly schedule. Restore is not here: it runs with the daemon stopped (restore.ts says why).
import { join } from 'node:path';
import { BACKUP_DEFAULTS } from '../config/backup-schema.ts';
import type { ConfigStore } from '../config/store.ts';
import { actorOf } from '../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../control/server.ts';
import type { Logger } from '../log.ts';
import { auditHeadNow } from '../monitor/reports/records-export.ts';
import { SealError } from '../monitor/reports/export-seal.ts';
import type { StateDatabase } from '../state/database.ts';
import { VERSION } from '../version.ts';
import { BackupError } from './archive.ts';
import { BackupCreateParams, BackupFileParams, BackupPassphraseParams, type BackupCreated, type BackupEntry, type BackupListResult, type BackupStatus } from './backup-schema.ts';
import { BACKUPS_DIR, createBackup, type BackupSources } from './create.ts';
import { listBackups } from './list.ts';
import { readStoredPassphrase, storePassphrase } from './passphrase-file.ts';
import { BackupSchedule } from './schedule.ts';

export interface BackupWiring {
  control: Pick<ControlServer, 'register'>;
  config: ConfigStore;
  configFile: string;
  state: StateDatabase;
  dataDir: string;
  logger: Logger;
  stops: { push(stop: () => unknown): void };
  now?: () => Date;
  scrypt?: BackupSources['scrypt'];
}

export interface BackupPurpose {
  /** Made before upgrading to this version (upgrade-methods.ts): named so, and a failure refuses the upgrade. */
  beforeUpgradeTo?: string;
}

export interface Backups {
  create(passphrase: string | undefined, actor: string, progress?: (line: string) => void, purpose?: BackupPurpose): Promise<BackupCreated>;
  list(): Promise<BackupListResult>;
  /** For the daemon's status: kept as backups are made, never read from disk when asked. */
  status(): BackupStatus;
  schedule: BackupSchedule;
  /** What the schedule runs (tests call it rather than wait for the clock). */
  runScheduled(): Promise<void>;
}

function asControlFailure(error: unknown): never {
  if (error instanceof BackupError || error instanceof SealError) throw new ControlFailure('invalid-input', error.message);
  throw error;
}

export function startBackups(o: BackupWiring): Backups {
  const logger = o.logger.child({ component: 'backup' });
  const now = o.now ?? (() => new Date());
  const sources: BackupSources = {
    dataDir: o.dataDir, configFile: o.configFile, snapshotState: (file) => o.state.snapshotTo(file),
    auditHead: () => auditHeadNow(o.state.audit), version: VERSION, now, ...(o.scrypt ? { scrypt: o.scrypt } : {}),
  };
  const keep = () => o.config.current.backup?.keep ?? BACKUP_DEFAULTS.keep;
  // The status's newest backup and whether a passphrase is stored: read once at start, then kept as they change.
  let latest: BackupEntry | null = null;
  let passphraseSet = false;
  const refreshStatus = (): Promise<void> => Promise.all([listBackups(join(o.dataDir, BACKUPS_DIR)), readStoredPassphrase(o.dataDir)])
    .then(([all, passphrase]) => { latest = all[0] ?? null; passphraseSet = passphrase !== undefined; })
    .catch((err: Error) => logger.error({ err }, 'the backups could not be read for the status'));
  void refreshStatus();
  // One at a time: a scheduled backup and one asked for by hand would race over retention.
  let queue: Promise<unknown> = Promise.resolve();
  const create = (passphrase: string | undefined, actor: string, progress?: (line: string) => void, purpose: BackupPurpose = {}): Promise<BackupCreated> => {
    const run = queue.then(async () => {
      const before = purpose.beforeUpgradeTo === undefined ? {} : { beforeUpgradeTo: purpose.beforeUpgradeTo };
      let result: BackupCreated;
      try {
        result = await createBackup(sources, { passphrase: passphrase ?? await readStoredPassphrase(o.dataDir), actor, keep: keep(), ...before, ...(progress ? { progress } : {}) });
      } catch (error) {
        // Audited (and so forwarded to the trust's collectors): a school without a good backup should be seen.
        o.state.audit.append({ actor, action: 'backup.failed', details: { reason: (error as Error).message, ...before } });
        throw error;
      }
      o.state.audit.append({
        actor, action: 'backup.create', subject: result.entry.file,
        details: { size: result.entry.size, parts: result.parts, removed: result.removed, storedPassphrase: passphrase === undefined, ...before },
      });
      logger.info({ file: result.entry.path, size: result.entry.size, removed: result.removed }, 'backup made');
      latest = result.entry;
      return result;
    });
    queue = run.catch(() => undefined);
    return run;
  };
  // Kept for `backup list` and the page: a nightly failure must be seen by more than the journal.
  let lastScheduled: BackupListResult['lastScheduled'] = null;
  const runScheduled = async (): Promise<void> => {
    const at = now().toISOString();
    if (await readStoredPassphrase(o.dataDir) === undefined) {
      lastScheduled = { at, ok: false, outcome: 'skipped', message: 'skipped: no backup passphrase is set' };
      logger.warn('no scheduled backup: no backup passphrase is set (schoolgate backup passphrase --passphrase-file F)');
      return;
    }
    try {
      const made = await create(undefined, 'system:backup');
      lastScheduled = { at, ok: true, outcome: 'made', message: `made ${made.entry.file}` };
    } catch (error) {
      lastScheduled = { at, ok: false, outcome: 'failed', message: `failed: ${(error as Error).message}` };
      throw error;
    }
  };

  const schedule = new BackupSchedule({
    settings: () => o.config.current.backup,
    timezone: () => o.config.current.site.timezone,
    run: runScheduled,
    logger,
  });
  const list = async (): Promise<BackupListResult> => {
    const passphrase = await readStoredPassphrase(o.dataDir);
    return {
      dir: join(o.dataDir, BACKUPS_DIR), keep: keep(), passphraseSet: passphrase !== undefined, schedule: schedule.describe(), lastScheduled,
      backups: await listBackups(join(o.dataDir, BACKUPS_DIR), passphrase),
    };
  };

  o.control.register<BackupCreateParams>('backup.create', {
    params: BackupCreateParams,
    handle: async (params, caller, context) => create(params.passphrase, actorOf(caller), (line) => context.progress(line)).catch(asControlFailure),
  });
  o.control.register('backup.list', { handle: () => list() });
  // The web UI's download: named from the list only, and audited, since a backup holds every secret (encrypted).
  o.control.register<BackupFileParams>('backup.download', {
    params: BackupFileParams,
    handle: async (params, caller) => {
      const entry = (await listBackups(join(o.dataDir, BACKUPS_DIR))).find((e) => e.file === params.file);
      if (entry === undefined) throw new ControlFailure('not-found', `there is no backup ${params.file}`);
      o.state.audit.append({ actor: actorOf(caller), action: 'backup.download', subject: entry.file, details: { size: entry.size } });
      return entry;
    },
  });
  o.control.register<BackupPassphraseParams>('backup.passphrase', {
    params: BackupPassphraseParams,
    handle: async (params, caller) => {
      await storePassphrase(o.dataDir, params.passphrase).catch((err: Error) => {
        throw new ControlFailure('invalid-input', err.message);
      });
      o.state.audit.append({ actor: actorOf(caller), action: 'backup.passphrase-set' });
      passphraseSet = true;
      return { stored: true, scheduled: schedule.describe() };
    },
  });

  schedule.start();
  const unsubscribe = o.config.onChange((next, previous) => {
    if (JSON.stringify(next.backup) !== JSON.stringify(previous.backup) || next.site.timezone !== previous.site.timezone) {
      schedule.restart().catch((err: Error) => logger.error({ err }, 'the backup schedule could not follow the change'));
    }
  });
  o.stops.push(async () => {
    unsubscribe();
    await schedule.stop();
    await queue;
  });
  const status = (): BackupStatus => ({ latest, passphraseSet, schedule: schedule.describe(), lastScheduled });
  return { create, list, status, schedule, runScheduled };
}
