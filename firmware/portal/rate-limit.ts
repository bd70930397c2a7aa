// At most `limit` sends per device within a sliding window: a pupil pressing "send" forty times
// (or a script) must not flood the DSL's alerts or state.db. Pure: the clock is an argument.
export class SlidingWindowLimit {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #seen = new Map<string, number[]>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts a send by `key` at `now` if the limit allows it; false (and nothing counted) if not. */
  take(key: string, now: number): boolean {
    const from = now - this.#windowMs;
    const times = (this.#seen.get(key) ?? []).filter((t) => t > from);
    if (times.length >= this.#limit) {
      this.#seen.set(key, times);
      return false;
    }
    times.push(now);
    this.#seen.set(key, times);
    if (this.#seen.size > 10_000) this.#prune(from);
    return true;
  }

  #prune(from: number): void {
    for (const [key, times] of this.#seen) if (times.every((t) => t <= from)) this.#seen.delete(key);
  }
}
