// Addresses of filter-bypass providers (DoH resolvers, VPNs, web proxies), learned by resolving
// the names of the `bypass` category, as `bypass_v4` / `bypass_v6` elements. Pure: what to
// resolve, in what order and how often, and the nft lines for what came back.
import { formatAddress, parseAddress, parsePrefix, prefixContains, type Prefix } from '../clients/ip.ts';
import { isPrivateV4, isPrivateV6 } from '../dns/answers/private-addresses.ts';
import { BYPASS_TIMEOUT_BOUNDS_S, TABLE_FAMILY, TABLE_NAME } from './ruleset.ts';

export interface ResolvedAddress { address: string; ttl: number }
export interface Resolved { v4: readonly ResolvedAddress[]; v6: readonly ResolvedAddress[] }

/**
 * How long an address stays blocked: its TTL, but at least an hour (a provider's addresses
 * rarely move within one, and a device asking once should not get through a minute later) and
 * at most a day (an address a provider gave up may be someone else's tomorrow).
 */
export function bypassTimeoutSeconds(ttl: number): number {
  const t = Number.isFinite(ttl) ? Math.floor(ttl) : 0;
  return Math.min(BYPASS_TIMEOUT_BOUNDS_S.max, Math.max(BYPASS_TIMEOUT_BOUNDS_S.min, t));
}

function v6Bytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(16);
  for (let i = 15, v = value; i >= 0; i--, v >>= 8n) bytes[i] = Number(v & 0xffn);
  return bytes;
}

/**
 * The prefixes of a shared-hosting file (rules/shared-hosting/): one a line, '#' comments. A bad
 * line is an error naming it, since a shipped file with a typo must fail its tests, not quietly
 * let a CDN edge be blocked.
 */
export function parseSharedPrefixes(text: string, source: string): Prefix[] {
  const out: Prefix[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const prefix = parsePrefix(line);
    if ('error' in prefix) throw new Error(`${source}:${i + 1}: "${line}": ${prefix.error}`);
    out.push(prefix);
  });
  return out;
}

/**
 * An address that must never be blocked whatever a name resolved to: private, local and special
 * ranges (the school's own networks, the gateway's block page), whatever the caller adds (the
 * filtering provider's block-page addresses), and shared CDN edges (`shared`: one such address
 * serves thousands of unrelated sites). Returns the canonical spelling, or undefined.
 */
export function blockableAddress(text: string, excluded: ReadonlySet<string>, shared: readonly Prefix[] = []): string | undefined {
  const parsed = parseAddress(text);
  if (!parsed) return undefined;
  const canonical = formatAddress(parsed.family, parsed.value);
  if (excluded.has(canonical)) return undefined;
  if (shared.some((p) => prefixContains(p, parsed))) return undefined;
  const special = parsed.family === 4 ? isPrivateV4(Number(parsed.value)) : isPrivateV6(v6Bytes(parsed.value));
  return special ? undefined : canonical;
}

/**
 * Lines that put each address in its set with a fresh timeout. Re-adding an element keeps its
 * old timeout, and deleting a missing one fails, so each is added for a second, deleted, then
 * added with its timeout: one transaction, whatever was there before.
 */
export function bypassElementLines(resolved: Resolved, excluded: ReadonlySet<string>, shared: readonly Prefix[] = []): string[] {
  const lines: string[] = [];
  for (const [set, list] of [['bypass_v4', resolved.v4], ['bypass_v6', resolved.v6]] as const) {
    const best = new Map<string, number>();
    for (const r of list) {
      const address = blockableAddress(r.address, excluded, shared);
      if (address !== undefined) best.set(address, Math.max(best.get(address) ?? 0, bypassTimeoutSeconds(r.ttl)));
    }
    const name = `${TABLE_FAMILY} ${TABLE_NAME} ${set}`;
    for (const [address, timeout] of best) {
      lines.push(`add element ${name} { ${address} timeout 1s }`, `delete element ${name} { ${address} }`, `add element ${name} { ${address} timeout ${timeout}s }`);
    }
  }
  return lines;
}

/**
 * The names still to resolve, each at most once per cooldown, at most `capacity` waiting: a
 * device hammering one name, or many names at once, costs one upstream question a name and a
 * bounded queue, never more. A name a device asked for goes before the starter list's.
 */
export class LearnQueue {
  readonly capacity: number;
  readonly cooldownMs: number;
  readonly #asked = new Set<string>();
  readonly #primed = new Set<string>();
  /** When each name may be resolved again (ms). */
  readonly #notBefore = new Map<string, number>();
  #refused = 0;

  constructor(options: { capacity: number; cooldownMs: number }) {
    this.capacity = options.capacity;
    this.cooldownMs = options.cooldownMs;
  }

  /**
   * Queues `name` unless it waits already, was resolved within the cooldown, or the queue is
   * full; `asked` (a device asked for it, rather than the starter list) puts it first.
   */
  offer(name: string, nowMs: number, asked = true): boolean {
    if (name === '' || this.#asked.has(name) || (this.#notBefore.get(name) ?? -Infinity) > nowMs) return false;
    if (this.#primed.has(name)) {
      if (!asked) return false;
      this.#primed.delete(name);
    } else if (this.size >= this.capacity) {
      this.#refused++;
      return false;
    }
    (asked ? this.#asked : this.#primed).add(name);
    return true;
  }

  /** The next name to resolve, now counted as resolved (its cooldown starts); undefined when empty. */
  take(nowMs: number): string | undefined {
    const from = this.#asked.size > 0 ? this.#asked : this.#primed;
    const name = from.values().next().value;
    if (name === undefined) return undefined;
    from.delete(name);
    this.#notBefore.set(name, nowMs + this.cooldownMs);
    // Forget cooldowns that have ended, so the map holds only recent names.
    if (this.#notBefore.size > this.capacity * 4) {
      for (const [n, until] of this.#notBefore) if (until <= nowMs) this.#notBefore.delete(n);
    }
    return name;
  }

  get size(): number {
    return this.#asked.size + this.#primed.size;
  }

  /** Names turned away because the queue was full. */
  get refused(): number {
    return this.#refused;
  }
}

/**
 * The names of a starter list in the "domains" format (one a line, `#` comments, `*.` meaning
 * below the name): those to resolve at start, at most `max`.
 */
export function starterNames(text: string, max: number): string[] {
  const names = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim().toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
    if (line === '' || !/^[a-z0-9.-]+$/.test(line)) continue;
    names.add(line);
    if (names.size >= max) break;
  }
  return [...names];
}
