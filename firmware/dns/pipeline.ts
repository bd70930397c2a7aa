// The order in which a question meets the stages, declared here and nowhere else. Each stage is a
// file in stages/ named for what it does; its settings come from buildPipeline, never from the
// stage reading the configuration itself.
//
// Later stages slot in before `forward`: client policy, exceptions, the category matcher, safe
// search, the cache (its `answered` hook stores what forward returns) and answer inspection.
import type { RequestContext } from './context.ts';
import { ANSWERED, NEXT, type Stage } from './stage.ts';
import { DenyAny } from './stages/deny-any.ts';
import { Forward } from './stages/forward.ts';
import { RateLimit } from './stages/rate-limit.ts';
import { RefuseOutsiders } from './stages/refuse-outsiders.ts';
import type { TokenBuckets } from './token-buckets.ts';
import type { Forwarder } from './upstream.ts';

export interface PipelineDeps {
  /** Per-client buckets, already set to the configured rate; they survive reloads. */
  buckets: TokenBuckets;
  forwarder: Forwarder;
  /** Monotonic milliseconds. */
  monotonic: () => number;
}

/** TTL of the RFC 8482 answer to ANY: long, so clients stop asking. */
const ANY_ANSWER_TTL = 3600;

export function buildPipeline(deps: PipelineDeps): Pipeline {
  return new Pipeline([
    new RefuseOutsiders(),
    new RateLimit({ buckets: deps.buckets, now: deps.monotonic }),
    new DenyAny({ ttl: ANY_ANSWER_TTL }),
    new Forward(deps.forwarder),
  ]);
}

export class Pipeline {
  readonly stages: readonly Stage[];

  constructor(stages: readonly Stage[]) {
    this.stages = stages;
  }

  /**
   * Runs `ctx` through the stages until one answers. Returns undefined when that happened
   * synchronously, else a promise of the same context once answered. Throws (or rejects) only on
   * a bug, including a chain in which no stage answers.
   */
  run(ctx: RequestContext): Promise<RequestContext> | undefined {
    return this.#from(ctx, 0);
  }

  #from(ctx: RequestContext, start: number): Promise<RequestContext> | undefined {
    const stages = this.stages;
    for (let i = start; i < stages.length; i++) {
      const step = stages[i]!.query(ctx);
      if (step === NEXT) continue;
      if (step === ANSWERED) {
        this.#unwind(ctx, i);
        return undefined;
      }
      return step.then((result) => {
        if (result === ANSWERED) {
          this.#unwind(ctx, i);
          return ctx;
        }
        return this.#from(ctx, i + 1) ?? ctx;
      });
    }
    throw new Error(`no stage answered ${ctx.query.name}`);
  }

  /** Lets the stages before the one that answered see the reply, nearest first. */
  #unwind(ctx: RequestContext, answeredAt: number): void {
    for (let i = answeredAt - 1; i >= 0; i--) this.stages[i]!.answered?.(ctx);
  }
}
