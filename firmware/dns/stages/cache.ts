// Answers from the cache, and stores what the upstreams answer (the `answered` hook sees forward's
// reply on its way out). Stored answers are the upstream's own: answer inspection, placed before
// this stage, re-checks every answer on every hit, because policy differs per device and moment.
import { CacheHit, queryCacheKey, type AnswerCache } from '../answers/answer-cache.ts';
import type { RequestContext } from '../query/context.ts';
import { ANSWERED, NEXT, type Stage, type StageResult } from '../query/stage.ts';
import { FLAG_CD } from '../wire/constants.ts';

export class Cache implements Stage {
  readonly name = 'cache';
  readonly #cache: AnswerCache;
  readonly #now: () => number;
  readonly #hit = new CacheHit();

  constructor(cache: AnswerCache, now: () => number) {
    this.#cache = cache;
    this.#now = now;
  }

  query(ctx: RequestContext): StageResult {
    const q = ctx.query;
    if (!this.#cache.lookup(queryCacheKey(q), q.id, this.#now(), this.#hit)) return NEXT;
    ctx.verdict = 'cached';
    ctx.rcode = this.#hit.rcode;
    ctx.reply = this.#hit.reply;
    return ANSWERED;
  }

  answered(ctx: RequestContext): void {
    if (ctx.verdict !== 'forwarded' || ctx.reply === undefined) return;
    this.#cache.store(ctx.reply, this.#now(), ctx.query.dnssecOk, (ctx.query.flags & FLAG_CD) !== 0);
  }

  /** For forward, when every upstream failed: an answer expired within the stale window. */
  serveStale(ctx: RequestContext): boolean {
    const q = ctx.query;
    if (!this.#cache.lookupStale(queryCacheKey(q), q.id, this.#now(), this.#hit)) return false;
    ctx.verdict = 'stale';
    ctx.rcode = this.#hit.rcode;
    ctx.reply = this.#hit.reply;
    return true;
  }
}
