// Filter exceptions (the school policies: "temporarily unblock sites for a topic of study, with clear,
// auditable reasons"), compiled from config.exceptions for lookup by suffix walk.
//
// `example.com` covers the name and every subdomain; `*.example.com` covers subdomains only.
// The most specific applicable exception wins: the one whose domain has the most labels. Both
// forms of the same domain are equally specific; between equals a block beats an allow, then
// the earlier in the configuration wins, so the outcome never depends on hash order.
// "Applicable" means in scope (network, device group and device) and not expired at `now`: an
// exception out of scope or expired is passed over and a less specific one may apply instead.
// A per-device exception (the head approving a pupil's smartwatch) matches on the MAC a lease
// names; a device without one is none of the devices, as a device in no group is in none of the
// groups.
import type { FilterException } from '../../config/schema.ts';

export interface CompiledException {
  readonly id: string;
  /** As configured, e.g. `*.example.com`. */
  readonly domain: string;
  /** The domain without its `*.`. */
  readonly base: string;
  readonly subdomainsOnly: boolean;
  readonly action: 'allow' | 'block';
  readonly networks: readonly string[] | undefined;
  readonly groups: readonly string[] | undefined;
  /** MAC addresses (lower case, colons): at most 16, so a scan costs less than hashing. */
  readonly devices: readonly string[] | undefined;
  readonly reason: string;
  readonly requestedBy: string;
  readonly expires: string | undefined;
  /** ms since the epoch; Infinity without an expiry. An unreadable expiry counts as already past. */
  readonly expiresAt: number;
  /** Position in config.exceptions. */
  readonly order: number;
}

/** Why an exception covering a name does or does not apply to one device at one instant. */
export type ExceptionScope = 'applies' | 'expired' | 'other-network' | 'other-group' | 'other-device';

// A name is at most 127 labels (255 bytes on the wire).
const MAX_LABELS = 128;

export class ExceptionSet {
  readonly all: readonly CompiledException[];
  /** Keyed by base domain; each list block-first, then in configuration order. */
  private readonly byBase: Map<string, CompiledException[]>;
  /** The most labels of any base: suffixes with more labels cannot match, so the walk skips them. */
  private readonly maxLabels: number;
  private readonly starts = new Int32Array(MAX_LABELS);

  private constructor(all: CompiledException[]) {
    this.all = all;
    this.byBase = new Map();
    let maxLabels = 0;
    for (const ex of all) {
      let list = this.byBase.get(ex.base);
      if (!list) this.byBase.set(ex.base, (list = []));
      list.push(ex);
      maxLabels = Math.max(maxLabels, ex.base.split('.').length);
    }
    for (const list of this.byBase.values()) list.sort(precedence);
    this.maxLabels = maxLabels;
  }

  static compile(exceptions: readonly FilterException[]): ExceptionSet {
    return new ExceptionSet(exceptions.map((e, order) => {
      const domain = e.domain.toLowerCase();
      const subdomainsOnly = domain.startsWith('*.');
      const expiresAt = e.expires === undefined ? Infinity : Date.parse(e.expires);
      return {
        id: e.id, domain, base: subdomainsOnly ? domain.slice(2) : domain, subdomainsOnly, action: e.action,
        networks: e.networks, groups: e.groups, devices: e.devices?.map((mac) => mac.toLowerCase()), reason: e.reason, requestedBy: e.requestedBy, expires: e.expires,
        expiresAt: Number.isNaN(expiresAt) ? -Infinity : expiresAt, order,
      };
    }));
  }

  get size(): number {
    return this.all.length;
  }

  /** The exception that decides for `name` on this network, group and device (`mac`, when a lease names it) at `now`, if any. */
  find(name: string, networkId: string, groupId: string | undefined, now: number, mac?: string): CompiledException | undefined {
    if (this.all.length === 0) return undefined;
    const count = this.labelStarts(name);
    for (let i = Math.max(0, count - this.maxLabels); i < count; i++) {
      const list = this.byBase.get(i === 0 ? name : name.slice(this.starts[i]!));
      if (!list) continue;
      for (const ex of list) {
        if (ex.subdomainsOnly && i === 0) continue;
        if (scopeOf(ex, networkId, groupId, now, mac) === 'applies') return ex;
      }
    }
    return undefined;
  }

  /**
   * Every exception whose domain covers `name`, whatever its scope or expiry, in the order
   * find() considers them (most specific first). For explanations; allocates.
   */
  covering(name: string): CompiledException[] {
    const out: CompiledException[] = [];
    const count = this.labelStarts(name);
    for (let i = 0; i < count; i++) {
      const list = this.byBase.get(i === 0 ? name : name.slice(this.starts[i]!));
      if (list) for (const ex of list) if (!(ex.subdomainsOnly && i === 0)) out.push(ex);
    }
    return out;
  }

  /** Exceptions whose expiry has passed at `now`: still listed for reports, never applied. */
  expired(now: number): CompiledException[] {
    return this.all.filter((ex) => ex.expiresAt <= now);
  }

  /** Exceptions that have not expired at `now`. */
  current(now: number): CompiledException[] {
    return this.all.filter((ex) => ex.expiresAt > now);
  }

  /**
   * Fills `starts` with the offset of each label of `name` and returns how many there are. A dot
   * escaped by the wire reader (`\.`, inside a label) does not start a label: otherwise
   * `evil\.example.com` would pass for a subdomain of example.com.
   */
  private labelStarts(name: string): number {
    if (name.length === 0 || name === '.') return 0;
    const starts = this.starts;
    let count = 0;
    starts[count++] = 0;
    for (let i = 0; i < name.length && count < MAX_LABELS; i++) {
      const c = name.charCodeAt(i);
      if (c === 0x5c) i++; // skip the escaped character (a `\DDD` escape's digits are never dots)
      else if (c === 0x2e && i + 1 < name.length) starts[count++] = i + 1;
    }
    return count;
  }
}

export function scopeOf(ex: CompiledException, networkId: string, groupId: string | undefined, now: number, mac?: string): ExceptionScope {
  if (!(now < ex.expiresAt)) return 'expired';
  if (ex.networks !== undefined && !ex.networks.includes(networkId)) return 'other-network';
  if (ex.groups !== undefined && (groupId === undefined || !ex.groups.includes(groupId))) return 'other-group';
  if (ex.devices !== undefined && (mac === undefined || !ex.devices.includes(mac))) return 'other-device';
  return 'applies';
}

function precedence(a: CompiledException, b: CompiledException): number {
  if (a.action !== b.action) return a.action === 'block' ? -1 : 1;
  return a.order - b.order;
}
