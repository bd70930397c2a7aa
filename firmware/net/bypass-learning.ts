// The daemon's side of learning bypass providers' addresses: the DNS events' tap, the starter
// list read from rules/, the upstreams DNS forwards to, and the learner that joins them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Prefix } from '../clients/ip.ts';
import type { Config } from '../config/schema.ts';
import type { EventBuffer } from '../dns/events/event-buffer.ts';
import type { Logger } from '../log.ts';
import { RULES_DIR } from '../paths.ts';
import { parseSharedPrefixes, starterNames } from './bypass-addresses.ts';
import { BYPASS_CATEGORY, BypassLearner, isBypassLookup, LEARN_DEFAULTS, upstreamResolver } from './bypass-learner.ts';

export interface BypassLearningDeps {
  events: Pick<EventBuffer, 'tap'>;
  /** The upstreams DNS forwards to now (configured, or the system's). */
  upstreams: () => readonly { address: string; port: number }[];
  config: () => Readonly<Config>;
  /** Whether Schoolgate's table is in force. */
  enabled: () => boolean;
  change: (lines: readonly string[]) => Promise<boolean>;
  logger: Logger;
}

const learning = (config: Readonly<Config>): boolean => config.firewall?.enabled === true && config.firewall.learnBypassAddresses !== false;

/**
 * The shipped starter list of the bypass category, when the configuration subscribes to it: the
 * names to resolve before anyone asks.
 */
export function starterNamesOf(config: Readonly<Config>, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const subscribed = config.lists.some((l) => l.enabled && l.category === BYPASS_CATEGORY && l.file === `builtin:${BYPASS_CATEGORY}`);
  return subscribed ? starterNames(read(join(RULES_DIR, 'categories', `${BYPASS_CATEGORY}.txt`)), LEARN_DEFAULTS.primeMax) : [];
}

/** The shared CDN ranges shipped in rules/shared-hosting/, never blocked by address. */
export function sharedHostingPrefixes(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): Prefix[] {
  const path = join(RULES_DIR, 'shared-hosting', 'cdn-prefixes.txt');
  return parseSharedPrefixes(read(path), path);
}

export function startBypassLearning(deps: BypassLearningDeps): BypassLearner {
  const learner = new BypassLearner({
    shared: sharedHostingPrefixes(),
    resolve: upstreamResolver(deps.upstreams, deps.config().dns.upstreamTimeoutMs),
    change: deps.change,
    excluded: () => new Set(deps.config().dns.upstreamBlocks.addresses),
    now: Date.now,
    logger: deps.logger,
  });
  deps.events.tap((e) => {
    if (isBypassLookup(e) && deps.enabled() && learning(deps.config())) learner.notice(e.name);
  });
  learner.prime(() => (deps.enabled() && learning(deps.config()) ? starterNamesOf(deps.config()) : []));
  return learner;
}
