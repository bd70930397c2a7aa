// Which upstream a question tries first. In configuration order, except that an upstream which is
// failing (health.ts) goes after the ones that answer: otherwise, while a school's
// primary resolver is down, every question would wait out its timeout there before reaching the
// secondary, and every page would load seconds late. Moved back, a failing upstream would never
// be asked again, so every probe interval one question is also copied to it (a probe, whose
// answer nobody waits for): its first answer puts it back in its place.
import type { Target } from './target.ts';

export const DEFAULT_PROBE_INTERVAL_MS = 2000;

export class TryOrder {
  readonly #targets: readonly Target[];
  readonly #monotonic: () => number;
  readonly #probeIntervalMs: number;
  /** The order questions start with now; replaced (never changed) when an upstream's state flips. */
  #order: readonly Target[];
  /** Failing upstreams behind answering ones: probed. Empty when all or none are failing. */
  #probing: readonly Target[] = [];
  #nextProbe = Number.NEGATIVE_INFINITY;

  constructor(targets: readonly Target[], monotonic: () => number, probeIntervalMs = DEFAULT_PROBE_INTERVAL_MS) {
    this.#targets = targets;
    this.#order = targets;
    this.#monotonic = monotonic;
    this.#probeIntervalMs = probeIntervalMs;
  }

  /** The order for a question starting now. Questions in flight keep the one they started with. */
  get current(): readonly Target[] {
    return this.#order;
  }

  /** After an upstream started or stopped failing. */
  update(): void {
    const answering = this.#targets.filter((t) => !t.health.failing);
    if (answering.length === this.#targets.length || answering.length === 0) {
      // All answering, or all failing: each question tries them all anyway, in the configured order.
      this.#order = this.#targets;
      this.#probing = [];
      return;
    }
    const failing = this.#targets.filter((t) => t.health.failing);
    this.#order = [...answering, ...failing];
    // It has just failed several tries in a row: the first probe waits an interval.
    if (this.#probing.length === 0) this.#nextProbe = this.#monotonic() + this.#probeIntervalMs;
    this.#probing = failing;
  }

  /** The failing upstreams to copy a question to now, or undefined (most questions: no clock read). */
  probesDue(): readonly Target[] | undefined {
    if (this.#probing.length === 0) return undefined;
    const now = this.#monotonic();
    if (now < this.#nextProbe) return undefined;
    this.#nextProbe = now + this.#probeIntervalMs;
    return this.#probing;
  }
}
