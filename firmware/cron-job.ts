// One node-cron task in the school's time zone that is rebuilt when the configuration changes:
// the nightly backup and the governor report's sending share this life (start, restart on a
// change, stop), each saying what to run and when.
import cron, { type ScheduledTask } from 'node-cron';

/** What runs and when, read at each (re)start; undefined when the job is off. */
export interface CronPlan {
  expression: string;
  run: () => Promise<unknown>;
}

export interface CronJobOptions {
  /** node-cron's name for the task (seen in its errors). */
  name: string;
  plan: () => CronPlan | undefined;
  timezone: () => string;
  /** A run that failed: the job keeps its schedule. */
  onError: (err: Error) => void;
}

export class CronJob {
  readonly #o: CronJobOptions;
  #task: ScheduledTask | undefined;

  constructor(options: CronJobOptions) {
    this.#o = options;
  }

  start(): void {
    const plan = this.#o.plan();
    if (plan === undefined) return;
    this.#task = cron.schedule(plan.expression, () => {
      plan.run().catch((err: Error) => this.#o.onError(err));
    }, { timezone: this.#o.timezone(), name: this.#o.name, noOverlap: true });
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
