// Meta-queries never reach the upstream. ANY gets the small RFC 8482 answer (one HINFO record)
// instead of everything the name holds, so the gateway cannot amplify; zone transfers and the
// obsolete MAILA/MAILB types are not implemented.
import { answer, type RequestContext } from '../query/context.ts';
import { rfc8482Record, type SynthRecord } from '../wire/replies.ts';
import { ANSWERED, NEXT, type Stage, type StageResult } from '../query/stage.ts';
import { QType, Rcode } from '../wire/constants.ts';

export interface DenyAnyOptions {
  /** TTL of the RFC 8482 record; the RFC suggests a long one so clients stop asking. */
  ttl: number;
}

export class DenyAny implements Stage {
  readonly name = 'deny-any';
  readonly #records: readonly SynthRecord[];

  constructor(options: DenyAnyOptions) {
    this.#records = [rfc8482Record(options.ttl)];
  }

  query(ctx: RequestContext): StageResult {
    const qtype = ctx.query.qtype;
    if (qtype === QType.ANY) {
      answer(ctx, 'minimal-any', Rcode.NOERROR, this.#records);
      return ANSWERED;
    }
    if (qtype >= QType.IXFR && qtype <= QType.MAILA) {
      answer(ctx, 'notimp', Rcode.NOTIMP);
      return ANSWERED;
    }
    return NEXT;
  }
}
