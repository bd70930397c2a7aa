// The nightly backup: node-cron in the school's time zone, rebuilt when the `backup` section or
// the time zone changes. The cron expression comes from a validated HH:MM (pure, tested).
import cron, { type ScheduledTask } from 'node-cron';
import { BACKUP_DEFAULTS, type BackupSettings } from '../config/backup-schema.ts';
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

export class BackupSchedule {
  readonly #o: BackupScheduleOptions;
  #task: ScheduledTask | undefined;

  constructor(options: BackupScheduleOptions) {
    this.#o = options;
  }

  /** In words, for `schoolgate backup list`. */
  describe(): string {
    const settings = this.#o.settings();
    if (backupCron(settings) === undefined) return 'the scheduled backup is off (config backup.enabled)';
    return `every day at ${settings?.at ?? BACKUP_DEFAULTS.at} (${this.#o.timezone()})`;
  }

  start(): void {
    const expression = backupCron(this.#o.settings());
    if (expression === undefined) return;
    this.#task = cron.schedule(expression, () => {
      this.#o.run().catch((err: Error) => this.#o.logger.error({ err }, `the scheduled backup failed: ${err.message}`));
    }, { timezone: this.#o.timezone(), name: 'backup', noOverlap: true });
  }

  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  async stop(): Promise<void> {
    await this.#task?.stop();
    this.#task = undefined;
  }
}
