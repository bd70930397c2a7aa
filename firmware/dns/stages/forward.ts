// The last stage: ask the upstreams. The client's ID goes back into the answer; when every
// upstream fails the client gets SERVFAIL rather than silence.
import { answer, type RequestContext } from '../context.ts';
import { ANSWERED, type Stage, type StageResult } from '../stage.ts';
import type { ForwardResult, Forwarder } from '../upstream.ts';
import { restoreId, upstreamRcode } from '../upstream-message.ts';
import { Rcode } from '../wire.ts';

export class Forward implements Stage {
  readonly name = 'forward';
  readonly #forwarder: Forwarder;

  constructor(forwarder: Forwarder) {
    this.#forwarder = forwarder;
  }

  query(ctx: RequestContext): Promise<StageResult> {
    return this.#forwarder.forward(ctx.packet, ctx.query).then((result) => settle(ctx, result));
  }
}

function settle(ctx: RequestContext, result: ForwardResult): StageResult {
  if (result.response === undefined) {
    answer(ctx, 'servfail', Rcode.SERVFAIL);
    return ANSWERED;
  }
  ctx.verdict = 'forwarded';
  ctx.rcode = upstreamRcode(result.response);
  ctx.upstream = result.upstream;
  ctx.reply = restoreId(result.response, ctx.query.id);
  return ANSWERED;
}
