// The nightly backup: node-cron in the school's time zone, rebuilt when the `backup` section or
// the time zone changes. The cron expression comes from a validated HH:MM (pure, tested).
import { BACKUP_DEFAULTS, type BackupSettings } from '../config/backup-schema.ts';
import { CronJob } from '../cron-job.ts';
import type { Logger } from '../log.ts';

export function backupCron(settings: BackupSettings | undefined): string | undefined {
  if (settings?.enabled === false) return undefined;
  const [h, m] = (settings?.at ?? BACKUP_DEFAULTS.at).split(':').map(Number) as [number, number];
  return `${m} ${h} * * *`;
}

export interface BackupScheduleOptions {
  settings: () => BackupSettings | undefined;
  timezone: () => string;
  run: () => Promise<unknown>;
  logger: Logger;
}

/** The nightly backup; `describe` says when it runs, in words. */
export class BackupSchedule extends CronJob {
  readonly #o: BackupScheduleOptions;

  constructor(options: BackupScheduleOptions) {
    super({
      name: 'backup',
      plan: () => {
        const expression = backupCron(options.settings());
        return expression === undefined ? undefined : { expression, run: options.run };
      },
      timezone: options.timezone,
      onError: (err) => options.logger.error({ err }, `the scheduled backup failed: ${err.message}`),
    });
    this.#o = options;
  }

  /** In words, for `schoolgate backup list`. */
  describe(): string {
    const settings = this.#o.settings();
    if (backupCron(settings) === undefined) return 'the scheduled backup is off (config backup.enabled)';
    return `every day at ${settings?.at ?? BACKUP_DEFAULTS.at} (${this.#o.timezone()})`;
  }
}
