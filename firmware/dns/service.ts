// The DNS service as the composition root sees it: built from the configuration, started,
// reloaded, stopped, asked for its statistics. It owns the long-lived pieces (the rate buckets,
// counters, event buffer, sockets) and rebuilds the per-configuration ones (client directory,
// upstreams, pipeline) on reload, swapping them in as one reference.
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Type, type Static } from 'typebox';
import { ClientDirectory } from '../clients/directory.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { countUpstreamFailure, DnsCountersSchema, emptyCounters, EventBuffer, type DnsCounters } from './events.ts';
import { QueryHandler, type HandlerRuntime } from './handler.ts';
import { buildPipeline } from './pipeline.ts';
import { parseResolvConf, selectSystemResolvers } from './resolv-conf.ts';
import { DnsServer, type TcpLimits } from './server.ts';
import { TokenBuckets } from './token-buckets.ts';
import { Forwarder, type UpstreamTarget } from './upstream.ts';

export const DnsStatsSchema = Type.Object({
  counters: DnsCountersSchema,
  events: Type.Object({
    buffered: Type.Integer({ minimum: 0 }),
    capacity: Type.Integer({ minimum: 1 }),
    dropped: Type.Integer({ minimum: 0, description: 'events lost because nobody drained the buffer in time' }),
  }, { additionalProperties: false }),
  listening: Type.Array(Type.Object({
    transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp')]),
    address: Type.String(),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
  }, { additionalProperties: false })),
  upstreams: Type.Array(Type.Object({
    name: Type.String(),
    address: Type.String(),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
  }, { additionalProperties: false })),
  upstreamSource: Type.Union([Type.Literal('config'), Type.Literal('system')], { description: 'system: dns.upstreams is empty, /etc/resolv.conf is used' }),
  rateLimit: Type.Object({
    perSecond: Type.Integer({ minimum: 1 }),
    clientsTracked: Type.Integer({ minimum: 0 }),
  }, { additionalProperties: false }),
}, { additionalProperties: false });
export type DnsStats = Static<typeof DnsStatsSchema>;

export interface DnsServiceOptions {
  config: Readonly<Config>;
  logger: Logger;
  /** Wall clock in ms; when given it also drives the rate limiter and latency (tests). */
  now?: () => number;
  /** Event buffer size (default 65536). */
  eventCapacity?: number;
  /** Where the system resolvers are read from when dns.upstreams is empty. */
  resolvConfPath?: string;
  tcp?: Partial<TcpLimits>;
}

interface Runtime extends HandlerRuntime {
  readonly forwarder: Forwarder;
  readonly upstreamSource: 'config' | 'system';
  readonly config: Readonly<Config>;
}

export class DnsService {
  readonly events: EventBuffer;
  readonly #logger: Logger;
  readonly #counters: DnsCounters = emptyCounters();
  readonly #buckets: TokenBuckets;
  readonly #monotonic: () => number;
  readonly #resolvConfPath: string;
  readonly #handler: QueryHandler;
  readonly #server: DnsServer;
  #runtime: Runtime;
  /** Forwarders replaced by a reload that may still have questions in flight. */
  #retired: Forwarder[] = [];

  constructor(options: DnsServiceOptions) {
    this.#logger = options.logger;
    const now = options.now ?? Date.now;
    this.#monotonic = options.now ?? (() => performance.now());
    this.#resolvConfPath = options.resolvConfPath ?? '/etc/resolv.conf';
    this.events = new EventBuffer(options.eventCapacity);
    this.#buckets = new TokenBuckets({ ratePerSecond: options.config.dns.rateLimitPerSecond });
    this.#runtime = this.#build(options.config);
    this.#handler = new QueryHandler({
      runtime: this.#runtime,
      events: this.events,
      counters: this.#counters,
      logger: this.#logger,
      now,
      monotonic: this.#monotonic,
    });
    this.#server = new DnsServer({
      endpoints: options.config.dns.listen,
      handler: this.#handler,
      counters: this.#counters,
      logger: this.#logger,
      ...(options.tcp ? { tcp: options.tcp } : {}),
    });
  }

  async start(): Promise<void> {
    await this.#server.start();
    const r = this.#runtime;
    this.#logger.info({
      listening: this.#server.listening().map((l) => `${l.transport}:${l.address}:${l.port}`),
      upstreams: r.forwarder.upstreams.map((u) => `${u.address}:${u.port}`),
      upstreamSource: r.upstreamSource,
    }, 'DNS listening');
    if (r.forwarder.upstreams.length === 0) this.#logger.warn('DNS has no upstream resolver: every forwarded question will be answered SERVFAIL');
  }

  async stop(): Promise<void> {
    this.#runtime.forwarder.close();
    for (const f of this.#retired) f.close();
    this.#retired = [];
    await this.#server.stop();
  }

  /** Swaps in a new configuration; on a problem building it, keeps the old one and logs why. */
  reload(config: Readonly<Config>): void {
    const old = this.#runtime;
    let next: Runtime;
    try {
      next = this.#build(config);
      this.#buckets.setRate(config.dns.rateLimitPerSecond);
    } catch (error) {
      this.#logger.error({ err: error }, 'DNS reload failed; the previous configuration stays in force');
      return;
    }
    this.#runtime = next;
    this.#handler.runtime = next;
    this.#retired = this.#retired.filter((f) => f.inFlight > 0);
    if (old.forwarder.inFlight > 0) this.#retired.push(old.forwarder);
    if (JSON.stringify(old.config.dns.listen) !== JSON.stringify(config.dns.listen)) {
      this.#logger.warn('dns.listen changed: the new listeners take effect after a restart');
    }
    this.#logger.info({ networks: next.directory.networks.length, upstreams: next.forwarder.upstreams.length }, 'DNS configuration reloaded');
  }

  stats(): DnsStats {
    const c = this.#counters;
    const r = this.#runtime;
    return {
      counters: {
        ...c,
        byVerdict: { ...c.byVerdict },
        byNetwork: { ...c.byNetwork },
        upstreamFailuresByUpstream: { ...c.upstreamFailuresByUpstream },
      },
      events: { buffered: this.events.size, capacity: this.events.capacity, dropped: this.events.dropped },
      listening: this.#server.listening(),
      upstreams: r.forwarder.upstreams.map((u) => ({ name: u.name, address: u.address, port: u.port })),
      upstreamSource: r.upstreamSource,
      rateLimit: { perSecond: r.config.dns.rateLimitPerSecond, clientsTracked: this.#buckets.size },
    };
  }

  #build(config: Readonly<Config>): Runtime {
    const directory = new ClientDirectory(config.networks);
    if (directory.skippedSubnets.length > 0) {
      this.#logger.warn({ subnets: directory.skippedSubnets }, 'DNS ignores subnets it cannot parse');
    }
    const fromConfig = config.dns.upstreams.length > 0;
    const upstreams = fromConfig ? config.dns.upstreams : this.#systemResolvers(config);
    const forwarder = new Forwarder({
      upstreams,
      timeoutMs: config.dns.upstreamTimeoutMs,
      onFailure: (upstream, reason, error) => {
        countUpstreamFailure(this.#counters, upstream.name);
        this.#logger.debug({ upstream: upstream.name, reason, err: error }, 'DNS upstream try failed');
      },
    });
    const pipeline = buildPipeline({ buckets: this.#buckets, forwarder, monotonic: this.#monotonic });
    return { directory, pipeline, forwarder, upstreamSource: fromConfig ? 'config' : 'system', config };
  }

  /** The edge where /etc/resolv.conf and the host's addresses are read. */
  #systemResolvers(config: Readonly<Config>): UpstreamTarget[] {
    let text = '';
    try {
      text = readFileSync(this.#resolvConfPath, 'utf8');
    } catch (error) {
      this.#logger.warn({ err: error, path: this.#resolvConfPath }, 'DNS cannot read the system resolvers');
    }
    const local = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
    return selectSystemResolvers(parseResolvConf(text), config.dns.listen, local)
      .map((address) => ({ name: `system ${address}`, address, port: 53 }));
  }
}
