// Names whose only purpose is to switch DNS away from the gateway (Firefox's DoH canary, iCloud
// Private Relay) get NXDOMAIN on every network, which makes the device keep using the gateway.
// Each one is an event in the `bypass` category, so repeated attempts reach the review.
import { answer, type RequestContext } from '../query/context.ts';
import { isBypassName } from '../policy/bypass.ts';
import { ANSWERED, NEXT, type Stage, type StageResult } from '../query/stage.ts';
import { Rcode } from '../wire/constants.ts';

export class Canary implements Stage {
  readonly name = 'canary';

  query(ctx: RequestContext): StageResult {
    if (!isBypassName(ctx.query.name)) return NEXT;
    answer(ctx, 'blocked', Rcode.NXDOMAIN);
    ctx.category = 'bypass';
    ctx.list = 'canary';
    return ANSWERED;
  }
}
