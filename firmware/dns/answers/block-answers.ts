// The answers a blocked name gets, built once per configuration: the block page's address on the
// asking device's own network (so the browser lands on the gateway's explanation page), the null
// address, or NXDOMAIN, as the policy says. TTLs are short so an approved exception works at once.
import type { Config, Network, Policy } from '../../config/schema.ts';
import { answer, type RequestContext } from '../query/context.ts';
import { aaaaRecord, aRecord, type SynthRecord } from '../wire/replies.ts';
import { QType, Rcode } from '../wire/constants.ts';

interface NetworkAnswers {
  blockPageA: readonly SynthRecord[];
  blockPageAAAA: readonly SynthRecord[];
}

const NONE: readonly SynthRecord[] = [];

export class BlockAnswers {
  readonly #byNetwork = new Map<string, NetworkAnswers>();
  readonly #nullA: readonly SynthRecord[];
  readonly #nullAAAA: readonly SynthRecord[];

  constructor(config: Readonly<Config>) {
    const ttl = config.dns.blockTtl;
    this.#nullA = [aRecord('0.0.0.0', ttl)!];
    this.#nullAAAA = [aaaaRecord('::', ttl)!];
    for (const network of config.networks) this.#byNetwork.set(network.id, BlockAnswers.#forNetwork(network, ttl));
  }

  static #forNetwork(network: Network, ttl: number): NetworkAnswers {
    const a = network.gateway.ipv4 ? aRecord(network.gateway.ipv4, ttl) : undefined;
    const aaaa = network.gateway.ipv6 ? aaaaRecord(network.gateway.ipv6, ttl) : undefined;
    return { blockPageA: a ? [a] : NONE, blockPageAAAA: aaaa ? [aaaa] : NONE };
  }

  /** Answers ctx as blocked under `policy` (NXDOMAIN when no policy applies: fail closed). */
  answer(ctx: RequestContext, policy: Policy | undefined): void {
    const mode = policy?.blockAnswer ?? 'nxdomain';
    if (mode === 'nxdomain') {
      answer(ctx, 'blocked', Rcode.NXDOMAIN);
      return;
    }
    const qtype = ctx.query.qtype;
    let records = NONE;
    if (mode === 'null-address') {
      records = qtype === QType.A ? this.#nullA : qtype === QType.AAAA ? this.#nullAAAA : NONE;
    } else {
      const mine = ctx.client ? this.#byNetwork.get(ctx.client.network.id) : undefined;
      if (mine) records = qtype === QType.A ? mine.blockPageA : qtype === QType.AAAA ? mine.blockPageAAAA : NONE;
    }
    // Other types (HTTPS, TXT, MX …) get an empty NOERROR: nothing to connect to, nothing cached long.
    answer(ctx, 'blocked', Rcode.NOERROR, records);
  }
}
