// What the two stages that ask the upstreams (forward, safe-search) share: asking, waiting, and
// resuming the question once the forwarder has answered, so the WAIT/resume protocol of stage.ts
// is written once. A subclass only says what an answer (or the forwarder giving up) becomes.
import type { RequestContext } from './context.ts';
import { ANSWERED, WAIT, type StageStep } from './stage.ts';
import type { ForwardListener, ForwardResult, Forwarder } from '../upstream/forwarder.ts';
import type { ParsedQuery } from '../wire/question-reader.ts';

export abstract class ForwardingStage implements ForwardListener<RequestContext> {
  /** Sets the context's verdict and reply from the forwarder's result. */
  protected abstract settle(ctx: RequestContext, result: ForwardResult): void;

  /** Asks `forwarder` for `request` on behalf of `ctx`: WAIT, or ANSWERED if it ended at once. */
  protected ask(forwarder: Forwarder, request: Uint8Array, q: ParsedQuery, ctx: RequestContext): StageStep {
    const now = forwarder.ask(request, q, this, ctx);
    if (now === undefined) return WAIT;
    this.settle(ctx, now);
    return ANSWERED;
  }

  /** The forwarder's answer (or its giving up) for a question that waited. */
  forwarded(ctx: RequestContext, result: ForwardResult): void {
    try {
      this.settle(ctx, result);
    } catch (error) {
      ctx.fail(error);
      return;
    }
    ctx.resume(ANSWERED);
  }
}
