// Everything started registers how it stops, as soon as it has started: a start that fails half
// way stops what is already running, and a clean stop undoes the start in exactly reverse order
// (the admin listener closes before the portal it serves, DNS before the lists it answers from).
import type { Logger } from '../log.ts';

export type Stop = () => Promise<void> | void;

export class Stops {
  readonly #stops: Stop[] = [];
  readonly #logger: Logger;

  constructor(logger: Logger, first: readonly Stop[] = []) {
    this.#logger = logger;
    this.#stops.push(...first);
  }

  push(stop: Stop): void {
    this.#stops.push(stop);
  }

  /** Runs every stop registered so far, newest first; one that fails is logged and the rest still run. */
  async stopAll(): Promise<void> {
    for (const stop of this.#stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        this.#logger.error({ err }, 'error while stopping');
      }
    }
  }
}
