// Per-client question rate: over the limit a client is REFUSED (cheap to send, no amplification)
// until its bucket refills. The bucket table outlives reloads, so it is handed in.
import { answer, type RequestContext } from '../query/context.ts';
import { ANSWERED, NEXT, type Stage, type StageResult } from '../query/stage.ts';
import type { TokenBuckets } from '../query/token-buckets.ts';
import { Rcode } from '../wire/constants.ts';

export interface RateLimitOptions {
  buckets: TokenBuckets;
  /** Monotonic milliseconds. */
  now: () => number;
}

export class RateLimit implements Stage {
  readonly name = 'rate-limit';
  readonly #buckets: TokenBuckets;
  readonly #now: () => number;

  constructor(options: RateLimitOptions) {
    this.#buckets = options.buckets;
    this.#now = options.now;
  }

  query(ctx: RequestContext): StageResult {
    if (this.#buckets.take(ctx.source, this.#now())) return NEXT;
    answer(ctx, 'rate-limited', Rcode.REFUSED);
    return ANSWERED;
  }
}
