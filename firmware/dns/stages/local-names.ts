// The gateway's own names under dns.localDomain (a .home.arpa name by default): the bare domain
// is the gateway itself on the asking device's network. Nothing under it is ever forwarded: a
// home.arpa question leaking upstream tells the internet about the school's network.
import type { Network } from '../../config/schema.ts';
import { answer, type RequestContext } from '../query/context.ts';
import { aaaaRecord, aRecord, type SynthRecord } from '../wire/replies.ts';
import { ANSWERED, NEXT, type Stage, type StageResult } from '../query/stage.ts';
import { QType, Rcode } from '../wire/constants.ts';

export interface LocalNamesOptions {
  domain: string;
  networks: readonly Network[];
  ttl: number;
}

export class LocalNames implements Stage {
  readonly name = 'local-names';
  readonly #domain: string;
  readonly #suffix: string;
  readonly #a = new Map<string, readonly SynthRecord[]>();
  readonly #aaaa = new Map<string, readonly SynthRecord[]>();

  constructor(options: LocalNamesOptions) {
    this.#domain = options.domain;
    this.#suffix = `.${options.domain}`;
    for (const n of options.networks) {
      const a = n.gateway.ipv4 ? aRecord(n.gateway.ipv4, options.ttl) : undefined;
      const aaaa = n.gateway.ipv6 ? aaaaRecord(n.gateway.ipv6, options.ttl) : undefined;
      this.#a.set(n.id, a ? [a] : []);
      this.#aaaa.set(n.id, aaaa ? [aaaa] : []);
    }
  }

  query(ctx: RequestContext): StageResult {
    const name = ctx.query.name;
    if (name !== this.#domain) {
      if (!name.endsWith(this.#suffix)) return NEXT;
      answer(ctx, 'local', Rcode.NXDOMAIN);
      return ANSWERED;
    }
    const network = ctx.client?.network.id ?? '';
    const qtype = ctx.query.qtype;
    const records = qtype === QType.A ? this.#a.get(network) : qtype === QType.AAAA ? this.#aaaa.get(network) : undefined;
    answer(ctx, 'local', Rcode.NOERROR, records ?? []);
    return ANSWERED;
  }
}
