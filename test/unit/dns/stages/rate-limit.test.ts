// rate-limit: a client over its per-second rate is REFUSED until its bucket refills; the buckets
// are per source and are handed in (they outlive reloads).
import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../../../firmware/dns/query/token-buckets.ts';
import { ANSWERED, NEXT } from '../../../../firmware/dns/query/stage.ts';
import { RateLimit } from '../../../../firmware/dns/stages/rate-limit.ts';
import { decodeReply } from '../decoded.ts';
import { PUPIL, STAFF } from '../filtering/harness.ts';
import { contextFor, runQuery } from './stage-context.ts';

function stage(ratePerSecond: number): { stage: RateLimit; clock: { ms: number } } {
  const clock = { ms: 10_000 };
  // As buildPipeline builds it: the service's buckets, set to the configured rate, and a monotonic clock.
  return { stage: new RateLimit({ buckets: new TokenBuckets({ ratePerSecond }), now: () => clock.ms }), clock };
}

describe('rate-limit stage', () => {
  it('hands on a second\'s worth of questions, then REFUSES the next one from that client only', () => {
    const { stage: limit } = stage(3);
    const steps = Array.from({ length: 3 }, () => runQuery(limit, contextFor('example.com', { from: PUPIL })).step);
    expect(steps).toEqual([NEXT, NEXT, NEXT]);
    const over = contextFor('example.com', { from: PUPIL, id: 77 });
    expect(runQuery(limit, over).step).toBe(ANSWERED);
    expect(over.verdict).toBe('rate-limited');
    expect(over.rcode).toBe(5);
    expect(decodeReply(over.reply!)).toMatchObject({ id: 77, rcode: 'REFUSED', answers: [] });
    // Another device has its own bucket.
    expect(runQuery(limit, contextFor('example.com', { from: STAFF })).step).toBe(NEXT);
  });

  it('lets the client in again once its bucket has refilled, by the clock it was given', () => {
    const { stage: limit, clock } = stage(2);
    for (let i = 0; i < 2; i++) runQuery(limit, contextFor('example.com'));
    expect(runQuery(limit, contextFor('example.com')).step).toBe(ANSWERED);
    clock.ms += 499; // not yet one token (2 per second)
    expect(runQuery(limit, contextFor('example.com')).step).toBe(ANSWERED);
    clock.ms += 2; // 0.998 + 0.004 tokens: one question's worth, and no more
    expect(runQuery(limit, contextFor('example.com')).step).toBe(NEXT);
    expect(runQuery(limit, contextFor('example.com')).step).toBe(ANSWERED);
  });
});
