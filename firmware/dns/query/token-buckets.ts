// Per-client token buckets in a bounded table. State lives in typed arrays indexed through one
// Map, so a question from a known client allocates nothing. A table that fills up first forgets
// clients whose buckets have refilled (forgetting them changes nothing), then the oldest entries,
// in batches so a flood of new sources costs amortised O(1) per question.

export interface TokenBucketOptions {
  ratePerSecond: number;
  /** Bucket size; defaults to one second's worth. */
  burst?: number;
  /** Most clients remembered at once. */
  maxClients?: number;
}

export class TokenBuckets {
  #rate = 1;
  #burst = 1;
  readonly maxClients: number;
  readonly #slots = new Map<string, number>();
  readonly #tokens: Float64Array;
  readonly #last: Float64Array;
  readonly #free: Int32Array;
  #freeCount: number;
  #evicted = 0;

  constructor(options: TokenBucketOptions) {
    this.maxClients = Math.max(1, Math.floor(options.maxClients ?? 65536));
    this.#tokens = new Float64Array(this.maxClients);
    this.#last = new Float64Array(this.maxClients);
    this.#free = new Int32Array(this.maxClients);
    for (let i = 0; i < this.maxClients; i++) this.#free[i] = this.maxClients - 1 - i;
    this.#freeCount = this.maxClients;
    this.setRate(options.ratePerSecond, options.burst);
  }

  /** Changes the rate (on reload) without forgetting anyone. */
  setRate(ratePerSecond: number, burst?: number): void {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate must be positive, got ${ratePerSecond}`);
    this.#rate = ratePerSecond / 1000;
    this.#burst = burst !== undefined && burst >= 1 ? burst : Math.max(1, ratePerSecond);
  }

  /** Takes one token for `key` at `nowMs`; false when the client is over its rate. */
  take(key: string, nowMs: number): boolean {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.#allocate(nowMs);
      this.#slots.set(key, slot);
      this.#tokens[slot] = this.#burst - 1;
      this.#last[slot] = nowMs;
      return true;
    }
    // A clock stepping backwards must not mint tokens or lock a client out.
    const elapsed = nowMs - this.#last[slot]!;
    let tokens = this.#tokens[slot]!;
    if (elapsed > 0) {
      tokens += elapsed * this.#rate;
      if (tokens > this.#burst) tokens = this.#burst;
    }
    this.#last[slot] = nowMs;
    if (tokens < 1) {
      this.#tokens[slot] = tokens;
      return false;
    }
    this.#tokens[slot] = tokens - 1;
    return true;
  }

  get size(): number {
    return this.#slots.size;
  }

  /** Clients forgotten while still mid-bucket because the table was full. */
  get evicted(): number {
    return this.#evicted;
  }

  #allocate(nowMs: number): number {
    if (this.#freeCount === 0) this.#reclaim(nowMs);
    return this.#free[--this.#freeCount]!;
  }

  #reclaim(nowMs: number): void {
    const batch = Math.max(1, this.maxClients >>> 3);
    for (const [key, slot] of this.#slots) {
      const refilled = this.#tokens[slot]! + (nowMs - this.#last[slot]!) * this.#rate >= this.#burst;
      if (refilled) this.#release(key, slot);
    }
    if (this.#freeCount >= batch) return;
    for (const [key, slot] of this.#slots) {
      this.#release(key, slot);
      this.#evicted++;
      if (this.#freeCount >= batch) return;
    }
  }

  #release(key: string, slot: number): void {
    this.#slots.delete(key);
    this.#free[this.#freeCount++] = slot;
  }
}
