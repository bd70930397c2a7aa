// cache: answers from the answer cache (with the asker's own ID), and stores what forward
// answered as the reply passes back through its `answered` hook; serves stale answers to forward
// when every upstream failed.
import { describe, expect, it } from 'vitest';
import { DNS_CACHE_DEFAULTS } from '../../../../firmware/config/defaults.ts';
import { AnswerCache } from '../../../../firmware/dns/answers/answer-cache.ts';
import type { RequestContext } from '../../../../firmware/dns/query/context.ts';
import { ANSWERED, NEXT } from '../../../../firmware/dns/query/stage.ts';
import { Cache } from '../../../../firmware/dns/stages/cache.ts';
import { a, response } from '../cache/responses.ts';
import { decodeReply } from '../decoded.ts';
import { Clock, WEDNESDAY_10AM } from '../filtering/harness.ts';
import { contextFor, runQuery } from './stage-context.ts';

function setup(): { cache: Cache; answers: AnswerCache; clock: Clock } {
  const clock = new Clock(WEDNESDAY_10AM);
  const answers = new AnswerCache({ ...DNS_CACHE_DEFAULTS });
  // As buildPipeline builds it: the service's answer cache and the wall clock.
  return { cache: new Cache(answers, clock.now), answers, clock };
}

/** forward's answer for `ctx`, as it comes back up through the cache's hook. */
function forwarded(ctx: RequestContext, ttl = 120): void {
  ctx.verdict = 'forwarded';
  ctx.rcode = 0;
  ctx.reply = response({ id: ctx.query.id, qname: ctx.query.name, answers: [a(ctx.query.name, '192.0.2.7', ttl)] });
}

describe('cache stage', () => {
  it('hands on a question it has no answer for', () => {
    const { cache } = setup();
    const ctx = contextFor('www.example.com');
    expect(runQuery(cache, ctx).step).toBe(NEXT);
    expect(ctx.reply).toBeUndefined();
  });

  it("stores forward's answer on the way back, then answers the same question from the cache with the new asker's ID", () => {
    const { cache, clock } = setup();
    const first = contextFor('www.example.com', { id: 1 });
    expect(runQuery(cache, first).step).toBe(NEXT);
    forwarded(first);
    cache.answered(first);
    clock.advance(20);
    const second = contextFor('WWW.Example.com', { id: 2 });
    expect(runQuery(cache, second).step).toBe(ANSWERED);
    expect([second.verdict, second.rcode]).toEqual(['cached', 0]);
    const reply = decodeReply(second.reply!);
    expect(reply.id).toBe(2);
    // The TTL counts down by the time it spent in the cache.
    expect(reply.answers.map((r) => [r.type, r.data, r.ttl])).toEqual([['A', '192.0.2.7', 100]]);
    // Another type of the same name is another question.
    expect(runQuery(cache, contextFor('www.example.com', { qtype: 28 })).step).toBe(NEXT);
  });

  it('stores only what forward answered, never a synthesised reply', () => {
    const { cache } = setup();
    for (const verdict of ['blocked', 'local', 'rewritten', 'cached', 'servfail'] as const) {
      const ctx = contextFor('www.example.com');
      forwarded(ctx);
      ctx.verdict = verdict;
      cache.answered(ctx);
    }
    expect(runQuery(cache, contextFor('www.example.com')).step).toBe(NEXT);
  });

  it('stops answering once the TTL ran out, and serves the expired answer as stale only when asked to', () => {
    const { cache, clock } = setup();
    const first = contextFor('www.example.com');
    forwarded(first, 60);
    cache.answered(first);
    clock.advance(61);
    const late = contextFor('www.example.com', { id: 3 });
    expect(runQuery(cache, late).step).toBe(NEXT);
    expect(late.reply).toBeUndefined();
    expect(cache.serveStale(late)).toBe(true);
    expect([late.verdict, late.rcode]).toEqual(['stale', 0]);
    expect(decodeReply(late.reply!)).toMatchObject({ id: 3, rcode: 'NOERROR' });
    expect(cache.serveStale(contextFor('never.example'))).toBe(false);
  });
});
