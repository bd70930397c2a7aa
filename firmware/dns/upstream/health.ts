// What the journal hears about one upstream: the first failure of an upstream that was answering
// at warn, its first answer after failing at info, at most one line per upstream per interval,
// each with the failure counts since the last line. An upstream that answers (even SERVFAIL or
// REFUSED) is up; silence and errors mean down. A try lost while it answered others says neither.
import type { Logger } from '../../log.ts';
import type { FailureReason } from './forwarder.ts';

export interface HealthSettings {
  /** Failed tries in a row before the upstream counts as failing. */
  failingAfter: number;
  /** Least time between two lines about one upstream (ms). */
  intervalMs: number;
  monotonic: () => number;
  logger: Logger | undefined;
}

export class UpstreamHealth {
  readonly #name: string;
  readonly #endpoint: string;
  readonly #settings: HealthSettings;
  #failing = false;
  /** Failures by reason since the last line. */
  #counts: Partial<Record<FailureReason, number>> = {};
  #failures = 0;
  #answers = 0;
  /** Answers ever: a try that times out while this grew was lost, not met by silence. */
  #answerCount = 0;
  /** Failed tries since the last answer. */
  #inARow = 0;
  #lastLine = Number.NEGATIVE_INFINITY;
  /** The state flipped while lines were rate-limited: say so at the next chance. */
  #unreported = false;
  #since = 0;
  /** How long the last outage lasted (from its first counted failure to the first answer). */
  #downMs = 0;

  /** `endpoint`: the address and port as people read them (`[::1]:53`, `192.0.2.1:53`). */
  constructor(name: string, endpoint: string, settings: HealthSettings) {
    this.#name = name;
    this.#endpoint = endpoint;
    this.#settings = settings;
  }

  /** Failing: the last `failingAfter` tries or more failed, with no answer since. */
  get failing(): boolean {
    return this.#failing;
  }

  get answerCount(): number {
    return this.#answerCount;
  }

  /** Counts a failed try; true when that made the upstream failing. */
  failed(reason: FailureReason, error?: Error): boolean {
    this.#counts[reason] = (this.#counts[reason] ?? 0) + 1;
    this.#failures++;
    if (reason !== 'declined' && reason !== 'lost') this.#inARow++;
    if (this.#failing || this.#inARow < this.#settings.failingAfter) {
      if (this.#unreported) this.#line(error);
      return false;
    }
    this.#failing = true;
    this.#since = this.#settings.monotonic();
    this.#unreported = true;
    this.#line(error);
    return true;
  }

  /** Counts an answer; true when the upstream was failing until now. */
  answered(): boolean {
    this.#answers++;
    this.#answerCount++;
    this.#inARow = 0;
    if (!this.#failing) {
      if (this.#unreported) this.#line();
      return false;
    }
    this.#failing = false;
    this.#downMs = this.#settings.monotonic() - this.#since;
    this.#unreported = true;
    this.#line();
    return true;
  }

  /** Logs the state if a line is due and the rate limit allows it. */
  #line(error?: Error): void {
    const { logger, intervalMs, monotonic } = this.#settings;
    if (logger === undefined) return;
    const now = monotonic();
    if (now - this.#lastLine < intervalMs) return;
    this.#lastLine = now;
    this.#unreported = false;
    const fields = {
      upstream: this.#name,
      address: this.#endpoint,
      failures: this.#failures,
      byReason: this.#counts,
      answers: this.#answers,
      ...(this.#failing ? {} : { downForMs: Math.round(this.#downMs) }),
    };
    this.#counts = {};
    this.#failures = 0;
    this.#answers = 0;
    try {
      if (this.#failing) {
        logger.warn({ ...fields, err: error }, 'DNS upstream failing: questions go to the next upstream, or get a stale answer or SERVFAIL');
      } else {
        logger.info(fields, 'DNS upstream answering again');
      }
    } catch {
      // A failing logger must not cost a reply.
    }
  }
}
