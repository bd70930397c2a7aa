// Learning the addresses of filter-bypass providers: when a device asks for a name of the
// `bypass` category (answered as blocked), the gateway resolves that name itself at the real
// upstream, in the background and paced, and puts its addresses in bypass_v4/bypass_v6 through
// FirewallService's queue; the shipped starter list is resolved the same way at start and every
// half hour, so the set is filled before anyone asks. Every DNS thread's events reach the main
// thread's event buffer, whose tap feeds `notice()`: nothing here runs on the question's path.
import { Resolver } from 'node:dns/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log.ts';
import { bypassElementLines, LearnQueue, type Resolved, type ResolvedAddress } from './bypass-addresses.ts';
import type { Prefix } from '../clients/ip.ts';

/** The category whose names are learned. */
export const BYPASS_CATEGORY = 'bypass';

/** An event of a question the filter blocked as a bypass name (the canary's NXDOMAIN included). */
export function isBypassLookup(e: { category: string | undefined; verdict: string }): boolean {
  return e.category === BYPASS_CATEGORY && e.verdict === 'blocked';
}

export const LEARN_DEFAULTS = {
  /** Between two resolutions: at most 4 names a second go upstream. */
  intervalMs: 250,
  capacity: 512,
  /** A name asked again within this is not resolved again: its addresses are in the set for an hour at least. */
  cooldownMs: 10 * 60_000,
  /** The starter list is resolved again this often, before its shortest timeouts (an hour) lapse. */
  primeEveryMs: 30 * 60_000,
  /** Names of the starter list resolved, at most. */
  primeMax: 256,
} as const;

export interface BypassLearnerOptions {
  resolve: (name: string) => Promise<Resolved>;
  /** FirewallService.changeElements. */
  change: (lines: readonly string[]) => Promise<boolean>;
  /** Addresses never to block (the filtering provider's block pages). */
  excluded: () => ReadonlySet<string>;
  /** Shared CDN ranges whose addresses are never blocked (rules/shared-hosting/). */
  shared?: readonly Prefix[];
  now: () => number;
  logger: Logger;
  intervalMs?: number;
}

export interface BypassLearnerStats {
  /** Names resolved that gave at least one address to block. */
  namesLearned: number;
  /** Set elements written (an address refreshed counts again). */
  addressesAdded: number;
  queued: number;
  refused: number;
  failures: number;
}

export class BypassLearner {
  readonly #o: BypassLearnerOptions;
  readonly #queue = new LearnQueue({ capacity: LEARN_DEFAULTS.capacity, cooldownMs: LEARN_DEFAULTS.cooldownMs });
  readonly #stop = new AbortController();
  #pumping: Promise<void> | undefined;
  #primeTimer: NodeJS.Timeout | undefined;
  #stats = { namesLearned: 0, addressesAdded: 0, failures: 0 };

  constructor(options: BypassLearnerOptions) {
    this.#o = options;
  }

  /** A device asked for a bypass name: resolve it soon, unless it was lately. Cheap, never throws. */
  notice(name: string): void {
    this.#offer(name, true);
  }

  /** Resolves `names` now and again every `everyMs` (the starter list), after any a device asked for. */
  prime(names: () => readonly string[], everyMs: number = LEARN_DEFAULTS.primeEveryMs): void {
    const offer = (): void => {
      for (const name of names()) this.#offer(name, false);
    };
    offer();
    this.#primeTimer = setInterval(offer, everyMs);
    this.#primeTimer.unref();
  }

  /** Settles once every name queued so far has been resolved and written. */
  async idle(): Promise<void> {
    while (this.#pumping) await this.#pumping;
  }

  stop(): void {
    clearInterval(this.#primeTimer);
    this.#stop.abort();
  }

  stats(): BypassLearnerStats {
    return { ...this.#stats, queued: this.#queue.size, refused: this.#queue.refused };
  }

  #offer(name: string, asked: boolean): void {
    if (this.#stop.signal.aborted) return;
    // Started on a later turn of the event loop: the caller may be a DNS event being recorded.
    if (this.#queue.offer(name, this.#o.now(), asked)) this.#pumping ??= new Promise(setImmediate).then(() => this.#pump());
  }

  async #pump(): Promise<void> {
    try {
      for (let name = this.#queue.take(this.#o.now()); name !== undefined && !this.#stop.signal.aborted; name = this.#queue.take(this.#o.now())) {
        await this.#learn(name);
        if (this.#queue.size > 0) await delay(this.#o.intervalMs ?? LEARN_DEFAULTS.intervalMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
      }
    } finally {
      this.#pumping = undefined;
    }
  }

  async #learn(name: string): Promise<void> {
    try {
      const lines = bypassElementLines(await this.#o.resolve(name), this.#o.excluded(), this.#o.shared ?? []);
      if (lines.length === 0) return;
      if (await this.#o.change(lines)) {
        this.#stats.namesLearned++;
        this.#stats.addressesAdded += lines.length / 3;
        this.#o.logger.debug({ name, addresses: lines.length / 3 }, 'bypass provider addresses learned');
      }
    } catch (err) {
      this.#stats.failures++;
      this.#o.logger.debug({ err, name }, 'learning a bypass provider\'s addresses failed');
    }
  }
}

/** Codes for "this name has no such records": an empty answer, not a failure. */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND', 'ENONAME', 'NXDOMAIN']);

/**
 * A name's A and AAAA records with their TTLs, asked of the upstreams DNS forwards to (never of
 * Schoolgate itself, which would answer with the block page). Rejects only when both failed for
 * another reason than "no such records" (every upstream down, a timeout).
 */
export function upstreamResolver(upstreams: () => readonly { address: string; port: number }[], timeoutMs: number): (name: string) => Promise<Resolved> {
  return async (name) => {
    const servers = upstreams().map((u) => (u.address.includes(':') ? `[${u.address}]:${u.port}` : `${u.address}:${u.port}`));
    if (servers.length === 0) throw new Error('no upstream resolver to ask');
    const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
    resolver.setServers(servers);
    const [four, six] = await Promise.allSettled([resolver.resolve4(name, { ttl: true }), resolver.resolve6(name, { ttl: true })]);
    const settled = (r: PromiseSettledResult<ResolvedAddress[]>): ResolvedAddress[] | undefined => {
      if (r.status === 'fulfilled') return r.value;
      return NO_RECORDS.has((r.reason as NodeJS.ErrnoException).code ?? '') ? [] : undefined;
    };
    const v4 = settled(four);
    const v6 = settled(six);
    if (v4 === undefined && v6 === undefined) throw (four as PromiseRejectedResult).reason as Error;
    return { v4: v4 ?? [], v6: v6 ?? [] };
  };
}
