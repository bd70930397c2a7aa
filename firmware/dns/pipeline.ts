// The order in which a question meets the stages, declared here and nowhere else. Each stage is a
// file in stages/ named for what it does; its settings come from buildPipeline, never from the
// stage reading the configuration itself.
//
// A question goes down the list until a stage answers; the answer then goes back up through the
// `answered` hooks of the stages it passed: the cache stores what forward returned, and answer
// inspection re-checks every answer that came from outside (forwarded, cached, stale, rewritten).
import type { Config } from '../config/schema.ts';
import { BlockAnswers } from './answers/block-answers.ts';
import type { AnswerCache } from './answers/answer-cache.ts';
import type { RequestContext, Resumable } from './query/context.ts';
import type { FilterState } from './policy/filter-state.ts';
import { ANSWERED, NEXT, type Stage, type StageResult } from './query/stage.ts';
import { Cache } from './stages/cache.ts';
import { Canary } from './stages/canary.ts';
import { DenyAny } from './stages/deny-any.ts';
import { Filter } from './stages/filter.ts';
import { Forward } from './stages/forward.ts';
import { InspectAnswers } from './stages/inspect.ts';
import { LocalNames } from './stages/local-names.ts';
import { RateLimit } from './stages/rate-limit.ts';
import { RefuseOutsiders } from './stages/refuse-outsiders.ts';
import { SafeSearchRewrite } from './stages/safe-search.ts';
import type { TokenBuckets } from './query/token-buckets.ts';
import { UpstreamBlocks } from './upstream/blocks.ts';
import type { Forwarder } from './upstream/forwarder.ts';

export interface PipelineDeps {
  config: Readonly<Config>;
  /** Per-client buckets, already set to the configured rate; they survive reloads. */
  buckets: TokenBuckets;
  forwarder: Forwarder;
  /** The answer cache; it survives reloads (its limits are reconfigured). */
  cache: AnswerCache;
  /** The lists and policy in force, read once per question. */
  filter: () => FilterState;
  /** Monotonic milliseconds. */
  monotonic: () => number;
  /** Wall clock, ms since the epoch: schedules, exception expiry, cache ages. */
  now: () => number;
}

/** TTL of the RFC 8482 answer to ANY: long, so clients stop asking. */
const ANY_ANSWER_TTL = 3600;

export function buildPipeline(deps: PipelineDeps): Pipeline {
  const { config, now } = deps;
  const blockAnswers = new BlockAnswers(config);
  const cache = new Cache(deps.cache, now);
  return new Pipeline([
    new RefuseOutsiders(),
    new RateLimit({ buckets: deps.buckets, now: deps.monotonic }),
    new DenyAny({ ttl: ANY_ANSWER_TTL }),
    new Canary(),
    new LocalNames({ domain: config.dns.localDomain, networks: config.networks, ttl: config.dns.blockTtl }),
    new Filter({ state: deps.filter, blockAnswers, now }),
    // Before safe search, so the safe host's addresses (from outside too) are inspected as well.
    new InspectAnswers({
      state: deps.filter,
      upstreamBlocks: new UpstreamBlocks(config.dns.upstreamBlocks),
      blockAnswers,
      rebinding: { ...config.dns.rebindingProtection, localDomain: config.dns.localDomain },
      now,
    }),
    new SafeSearchRewrite(deps.forwarder, deps.cache, now),
    cache,
    new Forward(deps.forwarder, cache),
  ]);
}

export class Pipeline implements Resumable {
  readonly stages: readonly Stage[];

  constructor(stages: readonly Stage[]) {
    this.stages = stages;
  }

  /**
   * Runs `ctx` through the stages until one answers. True when that happened at once; false when
   * a stage waits, and then `ctx.hooks` hears once the question is answered (or failed on a bug).
   * Throws only on a bug, including a chain in which no stage answers.
   */
  run(ctx: RequestContext): boolean {
    return this.#from(ctx, 0);
  }

  /** Where a waiting stage's ctx.resume() lands. Never throws: a bug reaches ctx.hooks.failed. */
  resume(ctx: RequestContext, result: StageResult): void {
    try {
      const at = ctx.waitingAt;
      if (result === ANSWERED) this.#unwind(ctx, at);
      else if (!this.#from(ctx, at + 1)) return;
      ctx.hooks?.answered(ctx);
    } catch (error) {
      ctx.hooks?.failed(ctx, error);
    }
  }

  #from(ctx: RequestContext, start: number): boolean {
    const stages = this.stages;
    for (let i = start; i < stages.length; i++) {
      const step = stages[i]!.query(ctx);
      if (step === NEXT) continue;
      if (step === ANSWERED) {
        this.#unwind(ctx, i);
        return true;
      }
      ctx.waitingIn = this;
      ctx.waitingAt = i;
      return false;
    }
    throw new Error(`no stage answered ${ctx.query.name}`);
  }

  /** Lets the stages before the one that answered see the reply, nearest first. */
  #unwind(ctx: RequestContext, answeredAt: number): void {
    for (let i = answeredAt - 1; i >= 0; i--) this.stages[i]!.answered?.(ctx);
  }
}
