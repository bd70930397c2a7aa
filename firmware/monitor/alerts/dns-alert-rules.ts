// Which DNS events are alerts: run on the query log's writer thread, which every event passes, so
// the DNS threads do nothing more. An ordinary event costs a pass over its name through the
// keyword automaton and, with a watch list, one more for its suffixes, neither allocating: about
// what hashing the name for a cache of names already checked would cost, so there is none
// (measured: a cache of recent names cost more per new name than the whole check). Candidates go to
// the main thread, which de-duplicates, stores and delivers them (alert-service.ts). Plain code,
// types only from the schemas: the writer thread loads no schema library.
import type { AlertCandidate, AlertSeverity } from './alert-schema.ts';
import { KeywordMatcher, type KeywordHit } from './keyword-matcher.ts';
import type { KeywordList } from './keyword-text.ts';

/** What the rules are built from: plain data, so it crosses to the writer thread. */
export interface DnsAlertRulesData {
  /** Each category's severity (the catalogue's); a block in a category not here raises nothing. */
  severities: Record<string, AlertSeverity>;
  /** alerts.watch: these names and every name below them, allowed but each visit an alert. */
  watch: string[];
  keywordLists: KeywordList[];
  /** A device with this many rate-limited questions within stormWindowMs is a storm (one candidate a window). */
  stormThreshold: number;
  stormWindowMs: number;
  /**
   * Source addresses whose questions raise no alert (they are still logged): the gateway's own
   * address on each network, which the filter self-test asks its canaries, DoH names and blocked
   * category names from every morning (selftest/route.ts selftestSources).
   */
  quietSources?: string[];
}

/** The query log's name for a restricted entry (dns/query/handler.ts writes it; never the entry). */
const RESTRICTED_NAME = '(restricted)';
/** The category the DNS server gives the upstream filtering provider's block answers. */
const UPSTREAM_CATEGORY = 'upstream-filter';
const RESTRICTED_CATEGORY = 'restricted';
const BYPASS_CATEGORY = 'bypass';

/** A hash of a name read from its end (the watch list's suffix check reads each suffix so, in one pass). */
function suffixHash(hash: number, code: number): number {
  return (Math.imul(hash, 31) + code) | 0;
}
const DOT = 46;

interface Storm {
  windowStart: number;
  count: number;
}

export class DnsAlertRules {
  readonly #severities: Map<string, AlertSeverity>;
  /** The watch list's names by the hash of each read from its end; a hash hit is confirmed by the name. */
  readonly #watch = new Map<number, string[]>();
  readonly #keywords: KeywordMatcher;
  readonly #stormThreshold: number;
  readonly #stormWindowMs: number;
  readonly #storms = new Map<string, Storm>();
  readonly #quiet: Set<string>;

  constructor(data: DnsAlertRulesData) {
    this.#quiet = new Set(data.quietSources ?? []);
    this.#severities = new Map(Object.entries(data.severities));
    for (const raw of data.watch) {
      const name = raw.toLowerCase().replace(/\.$/, '');
      let hash = 0;
      for (let i = name.length - 1; i >= 0; i--) hash = suffixHash(hash, name.charCodeAt(i));
      const names = this.#watch.get(hash) ?? [];
      if (!names.includes(name)) names.push(name);
      this.#watch.set(hash, names);
    }
    this.#keywords = new KeywordMatcher(data.keywordLists);
    this.#stormThreshold = data.stormThreshold;
    this.#stormWindowMs = data.stormWindowMs;
  }

  /** Adds the candidates one event raises to `out` (usually none). Allocates nothing for most events. */
  check(at: number, network: string | null, client: string, device: string | null, name: string, verdict: string,
    category: string | null, list: string | null, watch: boolean, out: AlertCandidate[]): void {
    // A source on no school network is refused whatever it asks: no device of the school's.
    if (network === null) return;
    // A storm's questions are not looked at one by one; a restricted entry is never looked at.
    const named = name !== RESTRICTED_NAME && name !== '' && verdict !== 'rate-limited';
    const keyword = named ? this.#keywords.match(name) : undefined;
    const watched = named ? this.#watched(name) : undefined;
    // Most events: an allowed name that is neither watched nor a keyword.
    if (!watch && verdict !== 'blocked' && verdict !== 'rate-limited' && keyword === undefined && watched === undefined) return;
    // Looked up only for the few events that would raise something: the others pay nothing for it.
    if (this.#quiet.has(client)) return;
    const e = this.#event;
    e.at = at;
    e.network = network;
    e.client = client;
    e.device = device;
    e.out = out;
    if (verdict === 'blocked' && category !== null) {
      if (category === RESTRICTED_CATEGORY) {
        this.#raise('dns.restricted', 'critical', RESTRICTED_NAME, `a name on the restricted (illegal content) list "${list ?? '?'}" was looked up and blocked; the entry is never shown`, category, { list });
      } else if (category === UPSTREAM_CATEGORY) {
        // The provider's block lists are its own (the IWF's among them): the name is withheld like a restricted entry's.
        this.#raise('dns.restricted', 'critical', RESTRICTED_NAME, `the school's filtering provider blocked a name (${list ?? 'upstream'}); its block lists are never shown`, category, { list });
      } else if (category === BYPASS_CATEGORY) {
        this.#raise('dns.bypass', this.#severities.get(BYPASS_CATEGORY) ?? 'high', name, list === 'canary'
          ? 'a name that switches a browser or phone to encrypted DNS or a private relay, around the filter: answered "no such name", so the device stays filtered'
          : 'a proxy, VPN or encrypted DNS service (the bypass category) was looked up and blocked', category, { list });
      } else {
        const severity = this.#severities.get(category);
        if (severity !== undefined && severity !== 'low') this.#raise('dns.category', severity, name, `blocked: the ${category} category (${severity})`, category, { list });
      }
    } else if (verdict === 'rate-limited') {
      this.#storm(at, device ?? client);
      return;
    } else if (watch) {
      this.#raise('dns.watch', 'medium', name, `a watched category (${category ?? '?'}): allowed, every visit recorded for the review`, category, { verdict });
    }
    if (watched !== undefined && !watch && verdict !== 'blocked') {
      this.#raise('dns.watch', 'medium', name, `"${watched}" is on the school's watch list: allowed, every visit recorded for the review`, null, { watched, verdict });
    }
    const hit = keyword;
    if (hit !== undefined) {
      this.#raise('dns.keyword', hit.severity, name, `the name holds "${hit.keyword}" from the ${hit.list} keyword list (${verdict}); DNS sees names only, never searches or pages`,
        null, { list: hit.list, keyword: hit.keyword, verdict });
    }
  }

  // The event being checked: its fields are kept here rather than in a closure made per event.
  readonly #event: { at: number; network: string | null; client: string; device: string | null; out: AlertCandidate[] } = { at: 0, network: null, client: '', device: null, out: [] };

  #raise(kind: AlertCandidate['kind'], severity: AlertSeverity, subject: string, reason: string, category: string | null, details: Record<string, unknown>): void {
    const e = this.#event;
    e.out.push({
      kind, severity, at: new Date(e.at).toISOString(), networkId: e.network, mac: e.device, address: e.client,
      subject: subject.slice(0, 300), reason: reason.slice(0, 500),
      ...(category ? { category } : {}),
      details,
    });
  }

  /** The watch list's name that `name` is or is below, read in one pass from its end. */
  #watched(name: string): string | undefined {
    if (this.#watch.size === 0) return undefined;
    let hash = 0;
    for (let i = name.length - 1; i >= 0; i--) {
      hash = suffixHash(hash, name.charCodeAt(i));
      if (i !== 0 && name.charCodeAt(i - 1) !== DOT) continue;
      const candidates = this.#watch.get(hash);
      if (candidates === undefined) continue;
      for (const watched of candidates) if (name.length - i === watched.length && name.endsWith(watched)) return watched;
    }
    return undefined;
  }

  #storm(at: number, key: string): void {
    let storm = this.#storms.get(key);
    if (storm === undefined || at - storm.windowStart >= this.#stormWindowMs) {
      // The map holds devices of the current windows only: the stale ones go when it grows.
      if (storm === undefined && this.#storms.size >= 10_000) {
        for (const [k, s] of this.#storms) if (at - s.windowStart >= this.#stormWindowMs) this.#storms.delete(k);
      }
      storm = { windowStart: at, count: 0 };
      this.#storms.set(key, storm);
    }
    storm.count++;
    if (storm.count === this.#stormThreshold) {
      this.#raise('dns.rate-limited', 'medium', `${storm.count} questions refused`,
        `${this.#stormThreshold} questions within ${this.#stormWindowMs / 1000} s from one device were refused by the rate limit: a misbehaving app, or an attack on the gateway`,
        null, { windowSeconds: this.#stormWindowMs / 1000 });
    }
  }
}

/**
 * One candidate for each kind, device, severity and subject a batch raised, with its count: a
 * device asking for one blocked name fifty times in a batch costs the main thread (which answers
 * DNS) one alert update, not fifty. The first occurrence's time stands for them all.
 */
export function mergeCandidates(candidates: readonly AlertCandidate[]): AlertCandidate[] {
  if (candidates.length < 2) return [...candidates];
  const merged = new Map<string, AlertCandidate>();
  for (const c of candidates) {
    const key = `${c.kind}\u0000${c.mac ?? c.address ?? ''}\u0000${c.severity}\u0000${c.subject}`;
    const seen = merged.get(key);
    if (seen === undefined) merged.set(key, { ...c });
    else seen.count = (seen.count ?? 1) + (c.count ?? 1);
  }
  return [...merged.values()];
}
