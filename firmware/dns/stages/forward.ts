// The last stage: ask the upstreams. The client's ID goes back into the answer; when every
// upstream fails the client gets a stale answer if the cache still has one (RFC 8767: filtering
// has already been applied, so this fails closed), else SERVFAIL rather than silence.
import { answer, type RequestContext } from '../query/context.ts';
import { ForwardingStage } from '../query/forwarding-stage.ts';
import type { Stage, StageStep } from '../query/stage.ts';
import type { ForwardResult, Forwarder } from '../upstream/forwarder.ts';
import { restoreId, upstreamRcode } from '../upstream/upstream-message.ts';
import { Rcode } from '../wire/constants.ts';

/** Where a stale answer may come from when the upstreams are all down. */
export interface StaleSource {
  serveStale(ctx: RequestContext): boolean;
}

export class Forward extends ForwardingStage implements Stage {
  readonly name = 'forward';
  readonly #forwarder: Forwarder;
  readonly #stale: StaleSource | undefined;

  constructor(forwarder: Forwarder, stale?: StaleSource) {
    super();
    this.#forwarder = forwarder;
    this.#stale = stale;
  }

  query(ctx: RequestContext): StageStep {
    return this.ask(this.#forwarder, ctx.packet, ctx.query, ctx);
  }

  protected settle(ctx: RequestContext, result: ForwardResult): void {
    if (result.response === undefined) {
      if (this.#stale?.serveStale(ctx)) return;
      answer(ctx, 'servfail', Rcode.SERVFAIL);
      return;
    }
    ctx.verdict = 'forwarded';
    ctx.rcode = upstreamRcode(result.response);
    ctx.upstream = result.upstream;
    // In place: the reply is sent (copied out) before the forwarder's call to forwarded() returns.
    ctx.reply = restoreId(result.response, ctx.query.id);
  }
}
