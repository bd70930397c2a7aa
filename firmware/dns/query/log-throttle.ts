// At most one log line per interval for errors a packet can trigger: a bug hit by every question
// must not flood the journal. The lines held back are counted and reported with the next one.
export class LogThrottle {
  readonly #intervalMs: number;
  #last = Number.NEGATIVE_INFINITY;
  #suppressed = 0;

  constructor(intervalMs = 1000) {
    this.#intervalMs = intervalMs;
  }

  /** At `now` (ms): how many lines were held back since the last one, or undefined to hold this one back too. */
  take(now: number): number | undefined {
    if (now - this.#last < this.#intervalMs) {
      this.#suppressed++;
      return undefined;
    }
    this.#last = now;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    return suppressed;
  }
}
