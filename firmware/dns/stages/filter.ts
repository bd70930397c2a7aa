// The school's policy for this device, now: the lists and the policy decide; a block gets the
// policy's block answer; an allowed name may carry a watch flag (an alert for the review) and,
// where the policy enforces safe search, a rewrite to the provider's safe host.
import type { BlockAnswers } from '../answers/block-answers.ts';
import type { RequestContext } from '../query/context.ts';
import { Decision } from '../policy/decision.ts';
import type { FilterState } from '../policy/filter-state.ts';
import { ANSWERED, NEXT, type Stage, type StageResult } from '../query/stage.ts';

export interface FilterOptions {
  /** The current lists+policy; read once per question, swapped whole on reload. */
  state: () => FilterState;
  blockAnswers: BlockAnswers;
  /** Wall clock, ms: schedules are about the time of day at the school. */
  now: () => number;
}

export class Filter implements Stage {
  readonly name = 'filter';
  readonly #options: FilterOptions;
  // One question is decided at a time (the loop is single-threaded and this stage is synchronous).
  readonly #decision = new Decision();

  constructor(options: FilterOptions) {
    this.#options = options;
  }

  query(ctx: RequestContext): StageResult {
    const client = ctx.client;
    if (client === undefined) return NEXT;
    const state = this.#options.state();
    const decision = this.#decision;
    const list = state.check(client.network.id, client.device?.group, ctx.query.name, this.#options.now(), decision, client.policy, client.device?.id);
    if (decision.action === 'block') {
      this.#options.blockAnswers.answer(ctx, decision.policy);
      ctx.category = decision.reason === 'restricted' ? 'restricted' : decision.category;
      ctx.list = list;
      ctx.redact = decision.reason === 'restricted';
      return ANSWERED;
    }
    if (decision.watch) {
      ctx.watch = true;
      ctx.category = decision.category;
    }
    const mode = decision.policy?.safeSearch;
    if (mode !== undefined && mode !== 'off') ctx.rewrite = state.safeSearch.rewriteFor(ctx.query.name, mode);
    return NEXT;
  }
}
