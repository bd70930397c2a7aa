// Whether a change lets a device reach something it could not reach before (pure). Narrowing, or
// changing nothing that is filtered, is saved at once by one person (a technician putting thirty
// new iPads into "Year 3" every September); widening is a filtering change and goes through change
// control, as the schools' policies ask ("filtering is not any single person's sole
// responsibility").
//
// A category's row is read as when it lets a device through, over all time: never (and never
// excepted: "unacceptable and illegal"), never, during a schedule, or always. "Nominated users"
// is always or never, by the device's group. Two different schedules are compared conservatively:
// B's is counted as wider than A's unless they are the same schedule (or open at exactly the same
// times, written alike), since "Lunchtime" and "Breaks" may overlap in any way. A move also
// counts the exceptions scoped to device groups it gains or loses. The block answer
// and bandwidth change nothing a device can reach. Pure and free of Node's modules: the web UI
// reads it too.
import type { CategoryRule, Config, Network, Policy } from '../../config/schema.ts';
import { inNominatedGroup } from '../../dns/policy/disposition.ts';
import { p2pMode } from '../../net/reach.ts';

type PolicyConfig = Pick<Config, 'networks' | 'deviceGroups' | 'policies' | 'schedules'> & { exceptions?: Config['exceptions'] };

/** When a category's row lets a device through. */
export type Openness =
  | { kind: 'illegal' }
  | { kind: 'never' }
  | { kind: 'scheduled'; schedule: string }
  | { kind: 'always' };

const RANK: Readonly<Record<Openness['kind'], number>> = { illegal: 0, never: 1, scheduled: 2, always: 3 };

/** When `rule` lets a device in `groupId` through. A row a policy does not have lets it through (the AUP table shows it as acceptable). */
export function opennessOf(rule: CategoryRule | undefined, groupId: string | undefined, schedules: PolicyConfig['schedules']): Openness {
  if (rule === undefined) return { kind: 'always' };
  switch (rule.disposition) {
    case 'acceptable': return { kind: 'always' };
    case 'acceptable-for-nominated-users': return inNominatedGroup(rule, groupId) ? { kind: 'always' } : { kind: 'never' };
    // As the engine reads it: a missing or unknown schedule is never open.
    case 'acceptable-at-certain-times': return rule.schedule !== undefined && schedules.some((s) => s.id === rule.schedule) ? { kind: 'scheduled', schedule: rule.schedule } : { kind: 'never' };
    case 'unacceptable': return { kind: 'never' };
    case 'unacceptable-and-illegal': return { kind: 'illegal' };
  }
}

function sameTimes(a: string, b: string, schedules: PolicyConfig['schedules']): boolean {
  if (a === b) return true;
  const x = schedules.find((s) => s.id === a);
  const y = schedules.find((s) => s.id === b);
  return x !== undefined && y !== undefined && (x.termTimeOnly ?? false) === (y.termTimeOnly ?? false) && JSON.stringify(x.windows) === JSON.stringify(y.windows);
}

/** Whether `after` lets a device through at some time `before` does not. */
export function opensMore(before: Openness, after: Openness, schedules: PolicyConfig['schedules']): boolean {
  if (RANK[after.kind] !== RANK[before.kind]) return RANK[after.kind] > RANK[before.kind];
  return before.kind === 'scheduled' && after.kind === 'scheduled' && !sameTimes(before.schedule, after.schedule, schedules);
}

const SAFE_SEARCH_RANK: Readonly<Record<Policy['safeSearch'], number>> = { off: 0, moderate: 1, strict: 2 };

/** What a device gets: a policy, read for the device's group (nominated users). */
export interface Filtering {
  policy: Pick<Policy, 'categories' | 'safeSearch'> & { name?: string };
  groupId: string | undefined;
}

/** What B lets a device reach that A does not. */
export interface Widening {
  /** Categories B lets through at some time A does not, in the order the policies list them. */
  opened: string[];
  /** Categories both let through whose visits A watches and B does not. */
  unwatched: string[];
  /** Safe search weaker under B. */
  safeSearch: { from: Policy['safeSearch']; to: Policy['safeSearch'] } | null;
  /** Exceptions scoped to device groups that a move gains (an allow) or loses (a block). */
  exceptions?: { domain: string; action: 'allow' | 'block' }[];
}

export const isWidening = (w: Widening): boolean => w.opened.length > 0 || w.unwatched.length > 0 || w.safeSearch !== null || (w.exceptions ?? []).length > 0;

/**
 * Compares what A and B let a device through, category by category, over all time.
 * `allowedAfter`: an allow exception reaches the device under B, so a name of a category B blocks
 * may still be visited, and a watch A kept on it still matters.
 */
export function widening(a: Filtering, b: Filtering, schedules: PolicyConfig['schedules'], allowedAfter = false): Widening {
  const opened: string[] = [];
  const unwatched: string[] = [];
  const ids = [...new Set([...Object.keys(a.policy.categories), ...Object.keys(b.policy.categories)])];
  for (const id of ids) {
    const ruleA = a.policy.categories[id];
    const ruleB = b.policy.categories[id];
    const before = opennessOf(ruleA, a.groupId, schedules);
    const after = opennessOf(ruleB, b.groupId, schedules);
    if (opensMore(before, after, schedules)) opened.push(id);
    // Watched visits that are still let through at some time (by B, or by an allow exception)
    // stop being alerts.
    else if (ruleA?.watch === true && ruleB?.watch !== true && (RANK[after.kind] >= RANK.scheduled || allowedAfter)) unwatched.push(id);
  }
  const safeSearch = SAFE_SEARCH_RANK[b.policy.safeSearch] < SAFE_SEARCH_RANK[a.policy.safeSearch] ? { from: a.policy.safeSearch, to: b.policy.safeSearch } : null;
  return { opened, unwatched, safeSearch };
}

/**
 * The policy a device on `networkId` in `groupId` gets, as DNS resolves it: the group's own, else
 * the network's. A group or network no longer in the configuration counts as none; undefined
 * when no policy can be found.
 */
export function filteringOf(config: PolicyConfig, networkId: string, groupId: string | null): Filtering | undefined {
  const group = groupId === null ? undefined : config.deviceGroups.find((g) => g.id === groupId);
  const policyId = group?.policy ?? config.networks.find((n) => n.id === networkId)?.policy;
  const policy = config.policies.find((p) => p.id === policyId);
  return policy === undefined ? undefined : { policy, groupId: group?.id };
}

/**
 * What moving a device on `networkId` from group `from` to group `to` (null: the network's
 * default) would let it reach. Without a policy DNS blocks everything (`no-policy`): a move to
 * none narrows, and a move from none opens whatever the new policy lets through.
 */
export function moveWidening(config: PolicyConfig, networkId: string, from: string | null, to: string | null): Widening {
  const before = filteringOf(config, networkId, from);
  const after = filteringOf(config, networkId, to);
  if (after === undefined) return { opened: [], unwatched: [], safeSearch: null };
  const closed: Filtering = { policy: { categories: Object.fromEntries(Object.keys(after.policy.categories).map((id) => [id, { disposition: 'unacceptable' as const }])), safeSearch: 'strict' }, groupId: undefined };
  const w = widening(before ?? closed, after, config.schedules, allowReaches(config, networkId, after.groupId));
  const exceptions = groupExceptionsGained(config, networkId, before?.groupId, after.groupId);
  return exceptions.length > 0 ? { ...w, exceptions } : w;
}

/** Whether any allow exception (whatever its expiry or devices) may reach a device on this network in this group. */
function allowReaches(config: PolicyConfig, networkId: string, groupId: string | undefined): boolean {
  return (config.exceptions ?? []).some((e) => e.action === 'allow'
    && (e.networks === undefined || e.networks.includes(networkId))
    && (e.groups === undefined || (groupId !== undefined && e.groups.includes(groupId))));
}

/**
 * The exceptions scoped to device groups on this network that apply after a move and not before
 * (an allow) or before and not after (a block). Counted whatever their expiry: one that has
 * ended is removed by a request of its own.
 */
function groupExceptionsGained(config: PolicyConfig, networkId: string, from: string | undefined, to: string | undefined): { domain: string; action: 'allow' | 'block' }[] {
  const inGroup = (groups: readonly string[], group: string | undefined) => group !== undefined && groups.includes(group);
  return (config.exceptions ?? []).filter((e) => {
    if (e.groups === undefined || (e.networks !== undefined && !e.networks.includes(networkId))) return false;
    const before = inGroup(e.groups, from);
    const after = inGroup(e.groups, to);
    return e.action === 'allow' ? after && !before : before && !after;
  }).map((e) => ({ domain: e.domain, action: e.action }));
}

const listWords = (items: readonly string[]): string => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** "lets it reach Social networking and Streaming; stops watching Gaming; safe search strict → moderate". */
export function wideningWords(w: Widening, categoryTitle: (id: string) => string | undefined, max = 4): string {
  const names = (ids: readonly string[], title: (id: string) => string | undefined = categoryTitle) => {
    const titles = ids.map((id) => title(id) ?? id);
    return titles.length > max ? `${titles.slice(0, max).join(', ')} and ${titles.length - max} more` : listWords(titles);
  };
  const parts: string[] = [];
  if (w.opened.length > 0) parts.push(`lets it reach ${names(w.opened)}`);
  if (w.unwatched.length > 0) parts.push(`stops watching ${names(w.unwatched)}`);
  if (w.safeSearch !== null) parts.push(`weakens safe search from ${w.safeSearch.from} to ${w.safeSearch.to}`);
  const allowed = (w.exceptions ?? []).filter((e) => e.action === 'allow').map((e) => e.domain);
  const unblocked = (w.exceptions ?? []).filter((e) => e.action === 'block').map((e) => e.domain);
  if (allowed.length > 0) parts.push(`brings it under the exception${allowed.length === 1 ? '' : 's'} allowing ${names(allowed, () => undefined)}`);
  if (unblocked.length > 0) parts.push(`takes it out of the exception${unblocked.length === 1 ? '' : 's'} blocking ${names(unblocked, () => undefined)}`);
  return parts.join('; ');
}

// A network's own safeguarding switches: peer-to-peer file sharing and hotspots (tethering).
// Turning one off, or a hotspot from block to monitor, loosens a control the schools' AUPs ask
// for ("no tethering or P2P"); turning one on only narrows.

const TETHERING_RANK: Readonly<Record<NonNullable<Network['tethering']>, number>> = { off: 0, monitor: 1, block: 2 };

/** The network's blocks that `after` loosens, with their before and after as the network applies them. */
export function loosenedBlocks(before: Pick<Network, 'kind' | 'p2p' | 'tethering'>, after: Pick<Network, 'kind' | 'p2p' | 'tethering'>): { p2p?: { from: 'allow' | 'block'; to: 'allow' | 'block' }; tethering?: { from: NonNullable<Network['tethering']>; to: NonNullable<Network['tethering']> } } {
  const loosened: ReturnType<typeof loosenedBlocks> = {};
  const p2pFrom = p2pMode(before);
  const p2pTo = p2pMode(after);
  if (p2pFrom === 'block' && p2pTo === 'allow') loosened.p2p = { from: p2pFrom, to: p2pTo };
  const tetheringFrom = before.tethering ?? 'monitor';
  const tetheringTo = after.tethering ?? 'monitor';
  if (TETHERING_RANK[tetheringTo] < TETHERING_RANK[tetheringFrom]) loosened.tethering = { from: tetheringFrom, to: tetheringTo };
  return loosened;
}
