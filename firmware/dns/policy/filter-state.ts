// What the lists and the policy say about one name for one device, as one swappable unit: the
// compiled matcher and the policy engine built against its category bits are replaced together,
// so a question never meets a matcher from one reload and policy masks from another.
import type { Config } from '../../config/schema.ts';
import type { Matcher } from '../matcher/matcher.ts';
import { MatchResult } from '../matcher/matcher.ts';
import type { Decision, DecisionInput } from './decision.ts';
import { PolicyEngine } from './engine.ts';
import type { SafeSearch } from './safe-search-map.ts';
import { SideLists } from '../matcher/side-lists.ts';
import type { ListExtras } from '../../rules/load-lists.ts';

/** What every FilterState of a service shares, whatever the configuration and lists. */
export interface FilterBasis {
  readonly safeSearch: SafeSearch;
  /**
   * Category ids, most severe first (the shipped catalogue's order): which category a name
   * listed by several is reported under. Handed in by the composition root, which loaded and
   * checked the catalogue, so a DNS worker thread does not load it (nor TypeBox) again.
   */
  readonly severity: readonly string[];
}

const NO_EXTRAS: ListExtras = { regexes: [], hashes: [] };

export class FilterState {
  readonly matcher: Matcher;
  readonly engine: PolicyEngine;
  readonly safeSearch: SafeSearch;
  /** config.lists ids in order: the matcher's list numbers index this. */
  readonly listIds: readonly string[];
  /** The configured category of each list number (listIds order). */
  readonly #listCategory: readonly (string | undefined)[];
  /** Regular-expression and hashed entries, when any list has them. */
  readonly side: SideLists | undefined;
  readonly #match = new MatchResult();
  // Reused, like #match: an object literal per question was ~9% of what a question allocated.
  readonly #input: DecisionInput = { networkId: '', groupId: undefined, policyId: undefined, mac: undefined, name: '', blockLo: 0, blockHi: 0, allowed: false, restricted: false };

  constructor(config: Readonly<Config>, matcher: Matcher, listIds: readonly string[], basis: FilterBasis, extras: ListExtras = NO_EXTRAS) {
    this.matcher = matcher;
    this.listIds = listIds;
    this.safeSearch = basis.safeSearch;
    const categoryOf = new Map(config.lists.map((l) => [l.id, l.category] as const));
    this.#listCategory = listIds.map((id) => categoryOf.get(id));
    const categories = matcher.categories;
    this.side = SideLists.build(extras, categories, this.#listCategory);
    this.engine = PolicyEngine.build(config, (id) => categories.get(id), {
      severity: basis.severity,
      nameOf: (bit) => categories.idOf(bit),
    });
  }

  /**
   * Decides `name` for a device on `networkId` at `now` into `out` (reused by the caller) and
   * returns the id of the list whose entry decided, if one did. `policyId`: the device's voucher
   * policy (ClientInfo.policy), if it has one; `mac`: the device a lease names, if one does.
   */
  check(networkId: string, groupId: string | undefined, name: string, now: number, out: Decision, policyId?: string, mac?: string): string | undefined {
    const m = this.#match;
    this.matcher.match(name, m);
    this.side?.apply(name, m);
    const input = this.#input;
    input.networkId = networkId;
    input.groupId = groupId;
    input.policyId = policyId;
    input.mac = mac;
    input.name = name;
    input.blockLo = m.blockLo;
    input.blockHi = m.blockHi;
    input.allowed = m.allowed;
    input.restricted = m.restricted;
    this.engine.decide(input, now, out);
    if (out.reason === 'restricted') return m.restrictedList >= 0 ? this.listIds[m.restrictedList] : undefined;
    if (out.reason === 'category' && out.action === 'block') return this.#blockingList(name, m.blockList, out.category);
    if (out.reason === 'exception-allow' || out.reason === 'exception-block') return out.exceptionId;
    return undefined;
  }

  /**
   * The list that blocked: the most specific covering block entry when it is of the blocking
   * category (nearly always), else the most specific entry that is. The matcher's nearest entry
   * may be of a category this policy allows now (a streaming entry under a social one at lunch).
   */
  #blockingList(name: string, nearest: number, category: string | undefined): string | undefined {
    if (nearest >= 0 && this.#listCategory[nearest] === category) return this.listIds[nearest];
    for (const e of this.side?.explain(name) ?? []) {
      if (e.kind === 'regex-block' && this.#listCategory[e.list] === category) return this.listIds[e.list];
    }
    for (const e of this.matcher.explain(name)) {
      if (e.kind === 'block' && e.category === category) return this.listIds[e.list];
    }
    return nearest >= 0 ? this.listIds[nearest] : undefined;
  }
}
