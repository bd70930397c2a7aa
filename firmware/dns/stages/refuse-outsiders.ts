// A source on no school network gets REFUSED: the gateway is never an open resolver.
import { answer, type RequestContext } from '../context.ts';
import { ANSWERED, NEXT, type Stage, type StageResult } from '../stage.ts';
import { Rcode } from '../wire.ts';

export class RefuseOutsiders implements Stage {
  readonly name = 'refuse-outsiders';

  query(ctx: RequestContext): StageResult {
    if (ctx.client !== undefined) return NEXT;
    answer(ctx, 'refused', Rcode.REFUSED);
    return ANSWERED;
  }
}
