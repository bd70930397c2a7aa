// The DNS service as the composition root sees it: built from the configuration, started,
// reloaded, stopped, asked for its statistics. It owns the long-lived pieces (the rate buckets,
// counters, event buffer, sockets) and rebuilds the per-configuration ones (client directory,
// upstreams, pipeline) on reload, swapping them in as one reference.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ClientDirectory } from '../clients/directory.ts';
import { LeaseDevices } from '../clients/lease-devices.ts';
import type { Config, UdpIo } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { loadNetio, type Netio } from '../native/netio.ts';
import { RULES_DIR } from '../paths.ts';
import { AnswerCache } from './answers/answer-cache.ts';
import { countUpstreamFailure, emptyCounters, EventBuffer, type DnsCounters } from './events/event-buffer.ts';
import { FilterState, type FilterBasis } from './policy/filter-state.ts';
import { Matcher } from './matcher/matcher.ts';
import { SafeSearch } from './policy/safe-search-map.ts';
import type { DnsStats } from './events/stats-schema.ts';
import type { ListExtras } from '../rules/load-lists.ts';
import { QueryHandler, type HandlerRuntime } from './query/handler.ts';
import { buildPipeline } from './pipeline.ts';
import { parseResolvConf, selectSystemResolvers } from './upstream/resolv-conf.ts';
import { DnsServer, type TcpLimits } from './listen/server.ts';
import { TokenBuckets } from './query/token-buckets.ts';
import { Forwarder, type UpstreamTarget } from './upstream/forwarder.ts';

export type { DnsStats };

export interface DnsServiceOptions {
  config: Readonly<Config>;
  logger: Logger;
  /** Category ids, most severe first: the shipped catalogue's `bySeverity` (see FilterBasis). */
  severity: readonly string[];
  /** Wall clock in ms; when given it also drives the rate limiter and latency (tests). */
  now?: () => number;
  /** Event buffer size (default 65536). */
  eventCapacity?: number;
  /** Where the system resolvers are read from when dns.upstreams is empty. */
  resolvConfPath?: string;
  tcp?: Partial<TcpLimits>;
  /** Google's search domains for safe search; by default the file shipped in rules/safe-search/. */
  googleDomainsFile?: string;
  /** For a DNS worker thread: UDP only, bound with SO_REUSEPORT beside the main thread's sockets. */
  worker?: boolean;
  /** The addon to use for dns.udpIo batched/auto (tests: a path that does not exist, for the fallback). */
  netioPath?: string;
}

/** The addon when the listeners use it; otherwise, under "auto", why not. */
interface UdpIoChoice {
  netio: Netio | undefined;
  reason?: string;
}

/** dns.udpIo against what this machine has: "batched" without the addon is an error, "auto" falls back. */
export function chooseUdpIo(wanted: UdpIo | undefined, netioPath?: string): UdpIoChoice {
  if (wanted === 'node') return { netio: undefined };
  const load = loadNetio(netioPath);
  if (load.netio !== undefined) return { netio: load.netio };
  if (wanted === 'batched') throw new Error(`dns.udpIo is "batched" but ${load.reason}`);
  return { netio: undefined, reason: load.reason };
}

const GOOGLE_DOMAINS = join(RULES_DIR, 'safe-search', 'google-domains.txt');
/** How often expired cache entries are swept (they are also dropped when looked up). */
const CACHE_PRUNE_MS = 60_000;

export interface ListsInForce {
  matcher: Matcher;
  listIds: readonly string[];
  extras: ListExtras | undefined;
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
  readonly #cache: AnswerCache;
  readonly #basis: FilterBasis;
  readonly #now: () => number;
  #matcher: Matcher = Matcher.empty();
  #listIds: readonly string[] = [];
  #extras: ListExtras | undefined;
  #filter: FilterState;
  #pruneTimer: NodeJS.Timeout | undefined;
  #runtime: Runtime;
  /** Forwarders replaced by a reload that may still have questions in flight. */
  #retired: Forwarder[] = [];
  readonly #udpIo: UdpIoChoice;
  /** Which device holds which address (DHCP leases); kept across reloads, which rebuild the directory over it. */
  readonly devices = new LeaseDevices();

  /** Category ids, most severe first, as given: DNS worker threads are started with the same. */
  get severity(): readonly string[] {
    return this.#basis.severity;
  }

  constructor(options: DnsServiceOptions) {
    this.#logger = options.logger;
    const now = options.now ?? Date.now;
    this.#monotonic = options.now ?? (() => performance.now());
    this.#resolvConfPath = options.resolvConfPath ?? '/etc/resolv.conf';
    this.events = new EventBuffer(options.eventCapacity);
    this.#buckets = new TokenBuckets({ ratePerSecond: options.config.dns.rateLimitPerSecond });
    this.#now = now;
    this.#cache = new AnswerCache(options.config.dns.cache);
    this.#basis = {
      safeSearch: SafeSearch.load(readFileSync(options.googleDomainsFile ?? GOOGLE_DOMAINS, 'utf8')),
      severity: options.severity,
    };
    this.#filter = new FilterState(options.config, this.#matcher, this.#listIds, this.#basis);
    // Before the first runtime: the forwarder's sockets use the same I/O as the listeners.
    this.#udpIo = chooseUdpIo(options.config.dns.udpIo, options.netioPath);
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
      ...(this.#udpIo.netio ? { netio: this.#udpIo.netio } : {}),
      handler: this.#handler,
      counters: this.#counters,
      logger: this.#logger,
      // With several threads the main thread's UDP sockets must allow the workers to share the port.
      reusePort: options.worker === true || (options.config.dns.threads ?? 1) > 1,
      udpOnly: options.worker === true,
      ...(options.tcp ? { tcp: options.tcp } : {}),
    });
  }

  async start(): Promise<void> {
    await this.#server.start();
    this.#pruneTimer = setInterval(() => this.#cache.prune(this.#now()), CACHE_PRUNE_MS);
    this.#pruneTimer.unref();
    const r = this.#runtime;
    this.#logger.info({
      listening: this.#server.listening().map((l) => `${l.transport}:${l.address}:${l.port}`),
      upstreams: r.forwarder.upstreams.map((u) => `${u.address}:${u.port}`),
      upstreamSource: r.upstreamSource,
      udpIo: this.#udpIo.netio ? 'batched' : 'node',
    }, 'DNS listening');
    if (this.#udpIo.reason !== undefined) this.#logger.warn({ reason: this.#udpIo.reason }, 'DNS answers UDP through Node\'s dgram, which costs more CPU per question');
    if (r.forwarder.upstreams.length === 0) this.#logger.warn('DNS has no upstream resolver: every forwarded question will be answered SERVFAIL');
  }

  async stop(): Promise<void> {
    clearInterval(this.#pruneTimer);
    this.#runtime.forwarder.close();
    for (const f of this.#retired) f.close();
    this.#retired = [];
    await this.#server.stop();
  }

  /** Swaps in a new configuration; on a problem building it, keeps the old one and logs why. */
  reload(config: Readonly<Config>): void {
    const old = this.#runtime;
    let next: Runtime;
    let filter: FilterState;
    try {
      filter = new FilterState(config, this.#matcher, this.#listIds, this.#basis, this.#extras);
      next = this.#build(config);
      this.#buckets.setRate(config.dns.rateLimitPerSecond);
      this.#cache.configure(config.dns.cache);
    } catch (error) {
      this.#logger.error({ err: error }, 'DNS reload failed; the previous configuration stays in force');
      return;
    }
    this.#filter = filter;
    this.#runtime = next;
    this.#handler.runtime = next;
    this.#retired = this.#retired.filter((f) => f.inFlight > 0);
    if (old.forwarder.inFlight > 0) this.#retired.push(old.forwarder);
    if (JSON.stringify(old.config.dns.listen) !== JSON.stringify(config.dns.listen)) {
      this.#logger.warn('dns.listen changed: the new listeners take effect after a restart');
    }
    if ((old.config.dns.udpIo ?? 'auto') !== (config.dns.udpIo ?? 'auto')) {
      this.#logger.warn('dns.udpIo changed: the listeners and upstream sockets keep their UDP I/O until a restart');
    }
    this.#logger.info({ networks: next.directory.networks.length, upstreams: next.forwarder.upstreams.length }, 'DNS configuration reloaded');
  }

  /**
   * Puts newly compiled lists in service, with the policy engine rebuilt against their category
   * bits, as one swap. Cached answers stay: they are re-inspected against the new lists on use.
   */
  setLists(matcher: Matcher, listIds: readonly string[], extras?: ListExtras): void {
    const filter = new FilterState(this.#runtime.config, matcher, listIds, this.#basis, extras);
    this.#matcher = matcher;
    this.#listIds = listIds;
    this.#extras = extras;
    this.#filter = filter;
  }

  /** The lists in force, as last given to setLists. */
  get lists(): ListsInForce {
    return { matcher: this.#matcher, listIds: this.#listIds, extras: this.#extras };
  }

  /** The lists and policy in force (for `schoolgate check`). */
  get filter(): FilterState {
    return this.#filter;
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
      udpIo: { mode: this.#udpIo.netio ? 'batched' : 'node', ...(this.#udpIo.reason === undefined ? {} : { reason: this.#udpIo.reason }) },
      listening: this.#server.listening(),
      upstreams: r.forwarder.upstreamStates(),
      upstreamSource: r.upstreamSource,
      rateLimit: { perSecond: r.config.dns.rateLimitPerSecond, clientsTracked: this.#buckets.size },
      cache: this.#cache.stats(),
      matcher: { names: this.#matcher.size, bytes: this.#matcher.bytes },
    };
  }

  #build(config: Readonly<Config>): Runtime {
    const directory = new ClientDirectory(config.networks, this.devices);
    if (directory.skippedSubnets.length > 0) {
      this.#logger.warn({ subnets: directory.skippedSubnets }, 'DNS ignores subnets it cannot parse');
    }
    const fromConfig = config.dns.upstreams.length > 0;
    const upstreams = fromConfig ? config.dns.upstreams : this.#systemResolvers(config);
    const forwarder = new Forwarder({
      upstreams,
      timeoutMs: config.dns.upstreamTimeoutMs,
      logger: this.#logger,
      // The upstream sockets batch as the listeners do, with the same addon or without it.
      ...(this.#udpIo.netio ? { netio: this.#udpIo.netio } : {}),
      onFailure: (upstream, reason, error) => {
        countUpstreamFailure(this.#counters, upstream.name);
        this.#logger.debug({ upstream: upstream.name, reason, err: error }, 'DNS upstream try failed');
      },
    });
    const pipeline = buildPipeline({
      config,
      buckets: this.#buckets,
      forwarder,
      cache: this.#cache,
      filter: () => this.#filter,
      monotonic: this.#monotonic,
      now: this.#now,
    });
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
