// A source on no school network gets REFUSED: the gateway is never an open resolver.
import { answer, type RequestContext } from '../query/context.ts';
import { ANSWERED, NEXT, type Stage, type StageResult } from '../query/stage.ts';
import { Rcode } from '../wire/constants.ts';

export class RefuseOutsiders implements Stage {
  readonly name = 'refuse-outsiders';

  query(ctx: RequestContext): StageResult {
    if (ctx.client !== undefined) return NEXT;
    answer(ctx, 'refused', Rcode.REFUSED);
    return ANSWERED;
  }
}
