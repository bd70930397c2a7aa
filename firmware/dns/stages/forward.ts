// The last stage: ask the upstreams. The client's ID goes back into the answer; when every
// upstream fails the client gets a stale answer if the cache still has one (RFC 8767: filtering
// has already been applied, so this fails closed), else SERVFAIL rather than silence.
import { answer, type RequestContext } from '../context.ts';
import { ANSWERED, type Stage, type StageResult } from '../stage.ts';
import type { ForwardResult, Forwarder } from '../upstream.ts';
import { restoreId, upstreamRcode } from '../upstream-message.ts';
import { Rcode } from '../wire.ts';

/** Where a stale answer may come from when the upstreams are all down. */
export interface StaleSource {
  serveStale(ctx: RequestContext): boolean;
}

export class Forward implements Stage {
  readonly name = 'forward';
  readonly #forwarder: Forwarder;
  readonly #stale: StaleSource | undefined;

  constructor(forwarder: Forwarder, stale?: StaleSource) {
    this.#forwarder = forwarder;
    this.#stale = stale;
  }

  query(ctx: RequestContext): Promise<StageResult> {
    return this.#forwarder.forward(ctx.packet, ctx.query).then((result) => settle(ctx, result, this.#stale));
  }
}

function settle(ctx: RequestContext, result: ForwardResult, stale: StaleSource | undefined): StageResult {
  if (result.response === undefined) {
    if (stale?.serveStale(ctx)) return ANSWERED;
    answer(ctx, 'servfail', Rcode.SERVFAIL);
    return ANSWERED;
  }
  ctx.verdict = 'forwarded';
  ctx.rcode = upstreamRcode(result.response);
  ctx.upstream = result.upstream;
  ctx.reply = restoreId(result.response, ctx.query.id);
  return ANSWERED;
}
