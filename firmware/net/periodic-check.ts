// A check the daemon runs every minute and a CLI command can ask for now (tethering suspects,
// attempt counts): one run at a time, so the timer and the command never record the same device
// twice, and the timer's failures are logged rather than lost.
import type { Logger } from '../log.ts';

export const SET_CHECK_MS = 60_000;

export class PeriodicCheck<T> {
  readonly #what: string;
  readonly #run: () => Promise<T>;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<T> | undefined;

  /** `what` names the check in the log line when a timed run fails. */
  constructor(what: string, run: () => Promise<T>, logger: Logger) {
    this.#what = what;
    this.#run = run;
    this.#logger = logger;
  }

  start(periodMs = SET_CHECK_MS): void {
    this.#timer = setInterval(() => {
      this.check().catch((err: Error) => this.#logger.error({ err }, `${this.#what} failed`));
    }, periodMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Runs now, or joins the run already going. */
  check(): Promise<T> {
    this.#running ??= this.#run().finally(() => { this.#running = undefined; });
    return this.#running;
  }
}
