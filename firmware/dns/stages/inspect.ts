// Answer inspection, on every answer that came from outside (forwarded, cached, stale, or a
// safe-search rewrite carrying the safe host's addresses):
// - every name in a CNAME/DNAME chain is checked against this device's policy, so a blocked site
//   cannot hide behind an allowed name that aliases to it (CNAME cloaking);
// - a public name resolving to a private or loopback address is refused (DNS rebinding), unless
//   the name is local or allowed by configuration;
// - the school's filtering resolver's own blocks (its block page, or an Extended DNS Error) are
//   passed on as it gave them and recorded as blocked upstream.
import type { BlockAnswers } from '../answers/block-answers.ts';
import { answer, type RequestContext } from '../query/context.ts';
import type { FilterState } from '../policy/filter-state.ts';
import { Inspection, inspectAnswer, InspectOutcome } from '../answers/inspection.ts';
import { Decision } from '../policy/decision.ts';
import { rebindingVerdict, type RebindingOptions } from '../answers/private-addresses.ts';
import { NEXT, type Stage, type StageResult } from '../query/stage.ts';
import type { UpstreamBlocks } from '../upstream/blocks.ts';
import { Rcode } from '../wire/constants.ts';

export interface InspectOptions {
  state: () => FilterState;
  upstreamBlocks: UpstreamBlocks;
  blockAnswers: BlockAnswers;
  rebinding: RebindingOptions;
  now: () => number;
}

export class InspectAnswers implements Stage {
  readonly name = 'inspect';
  readonly #options: InspectOptions;
  readonly #inspection = new Inspection();
  readonly #decision = new Decision();

  constructor(options: InspectOptions) {
    this.#options = options;
  }

  query(): StageResult {
    return NEXT;
  }

  answered(ctx: RequestContext): void {
    const v = ctx.verdict;
    // 'rewritten' too: a safe-search answer carries the safe host's addresses, from the upstreams.
    if ((v !== 'forwarded' && v !== 'cached' && v !== 'stale' && v !== 'rewritten') || ctx.reply === undefined || ctx.client === undefined) return;
    const inspection = this.#inspection;
    const outcome = inspectAnswer(ctx.reply, ctx.query, inspection);
    if (outcome === InspectOutcome.malformed || outcome === InspectOutcome.questionMismatch) {
      answer(ctx, 'servfail', Rcode.SERVFAIL);
      return;
    }
    if (outcome !== InspectOutcome.ok) {
      // A chain that loops or never ends is an attack or a broken zone: nothing safe to serve.
      answer(ctx, 'servfail', Rcode.SERVFAIL);
      return;
    }
    const { state, blockAnswers, now } = this.#options;
    const filter = state();
    const decision = this.#decision;
    const client = ctx.client;
    // The safe host a safe-search rewrite points at is our own choice, a narrowing of a name the
    // policy already let through (an allow exception for www.youtube.com must not be undone by the
    // same list listing restrict.youtube.com); only a restricted list could still stop it. Any
    // further alias the safe host's own answer carries is checked as usual.
    const safeHost = v === 'rewritten' ? ctx.rewrite : undefined;
    for (const target of inspection.targets) {
      const list = filter.check(client.network.id, client.device?.group, target, now(), decision, client.policy, client.device?.id);
      if (decision.action !== 'block') continue;
      if (target === safeHost && decision.reason !== 'restricted') continue;
      const upstream = ctx.upstream;
      blockAnswers.answer(ctx, decision.policy);
      ctx.upstream = upstream;
      ctx.category = decision.reason === 'restricted' ? 'restricted' : decision.category;
      ctx.list = list;
      ctx.redact = decision.reason === 'restricted';
      return;
    }
    const upstreamBlock = this.#options.upstreamBlocks.active ? this.#options.upstreamBlocks.blockedBy(ctx.reply, inspection) : undefined;
    if (upstreamBlock !== undefined) {
      // The provider's answer goes to the device unchanged (its block page explains the block).
      ctx.verdict = 'blocked';
      ctx.category = 'upstream-filter';
      ctx.list = `${ctx.upstream ?? 'upstream'} (${upstreamBlock})`;
      return;
    }
    if (inspection.addressCount > 0 && rebindingVerdict(ctx.query.name, inspection, this.#options.rebinding) === 'refused') {
      answer(ctx, 'blocked', Rcode.REFUSED);
      ctx.category = 'dns-rebinding';
    }
  }
}
