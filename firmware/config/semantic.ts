// Rules the schema cannot express: identity, references between sections, address arithmetic,
// clock times, listeners that would fight over a port, and the time zone. Each check runs only
// when the sections it reads passed the schema, so a malformed document gets its schema issues
// and whatever semantic issues can be found safely, never a crash.
import { parseAddress, parsePrefix, prefixContains, prefixesOverlap, type ParsedAddress, type Prefix } from '../clients/ip.ts';
import { dhcpConfigIssues } from '../dhcp/config-check.ts';
import { alertsConfigIssues as deliveryConfigIssues } from '../monitor/alerts/delivery/config-check.ts';
import { firewallConfigIssues } from '../net/config-check.ts';
import { aupConfigIssues } from '../portal/splash/decide.ts';
import { alertsConfigIssues } from '../monitor/alerts/alerts-config-check.ts';
import { reviewConfigIssues } from '../monitor/review/review-config-check.ts';
import { syslogConfigIssues } from '../fleet/syslog-config-check.ts';
import { classesConfigIssues } from '../classes/classes-config-check.ts';
import { investigationsConfigIssues } from '../monitor/investigations/investigations-config-check.ts';
import { BUILTIN_PREFIX, builtinId } from '../rules/builtin-id.ts';
import type { CategoryDefinition } from '../rules/catalogue.ts';
import { pointer, type ConfigIssue } from './issues.ts';
import type { Config, Endpoint, Network, Policy } from './schema.ts';
import { closest } from './suggest.ts';

/** A document whose sections are each either schema-valid or absent from this view. */
export type CheckedSections = Partial<Config>;

/**
 * The categories a document may name: the shipped catalogue's (rules/categories/). A name no
 * policy or list can mean is a typo, and a typo must not quietly leave a category at its default.
 */
export interface KnownCategories {
  readonly categories: ReadonlyMap<string, Pick<CategoryDefinition, 'starterList'>>;
  /** The shipped keyword lists (rules/keywords/) alerts.keywords.lists may name; unchecked without. */
  readonly keywordLists?: readonly string[];
}

const ID = /^[a-z][a-z0-9-]{0,31}$/;

export function semanticIssues(doc: CheckedSections, known: KnownCategories): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string): void => { issues.push({ path, message }); };

  if (doc.site) checkTimezone(doc.site.timezone, add);
  for (const section of ['networks', 'policies', 'schedules', 'deviceGroups', 'lists', 'exceptions'] as const) {
    const items = doc[section];
    if (items) checkUniqueIds(section, items, add);
  }
  if (doc.networks) {
    checkNetworkAddresses(doc.networks, add);
    checkInterfaces(doc.networks, add);
  }
  if (doc.policies) checkCategoryRules(doc.policies, doc.schedules, doc.deviceGroups, add);
  if (doc.networks && doc.policies) {
    const policies = idSet(doc.policies);
    doc.networks.forEach((n, i) => checkReference(policies, n.policy, 'policy', pointer('networks', i, 'policy'), add));
  }
  if (doc.deviceGroups && doc.policies) {
    const policies = idSet(doc.policies);
    doc.deviceGroups.forEach((g, i) => {
      if (g.policy !== undefined) checkReference(policies, g.policy, 'policy', pointer('deviceGroups', i, 'policy'), add);
    });
  }
  if (doc.schedules) checkSchedules(doc.schedules, add);
  if (doc.site) checkTerms(doc.site.terms ?? [], doc.schedules ?? [], add);
  if (doc.exceptions) checkExceptions(doc.exceptions, doc.networks, doc.deviceGroups, add);
  doc.lists?.forEach((list, i) => {
    if (list.restricted && list.action === 'allow') {
      add(pointer('lists', i, 'action'), 'a restricted (illegal-content) list can only block: it cannot be an allow list');
    }
  });
  checkListeners(doc, add);
  checkCategoryNames(doc, known, add);
  if (doc.lists) checkBuiltinLists(doc.lists, known, add);
  if (doc.dns) {
    checkUpstreamNames(doc.dns.upstreams, add);
    checkUpstreamBlockAddresses(doc.dns.upstreamBlocks.addresses, add);
  }
  issues.push(...dhcpConfigIssues(doc));
  issues.push(...firewallConfigIssues(doc));
  issues.push(...aupConfigIssues(doc));
  issues.push(...deliveryConfigIssues(doc));
  issues.push(...reviewConfigIssues(doc.review));
  issues.push(...syslogConfigIssues(doc.syslog));
  issues.push(...classesConfigIssues(doc, new Set(known.categories.keys())));
  issues.push(...investigationsConfigIssues(doc));
  if (known.keywordLists) issues.push(...alertsConfigIssues(doc.alerts, known.keywordLists));
  return issues;
}

/** Every category a policy rule or a list names must be one the catalogue defines. */
function checkCategoryNames(doc: CheckedSections, known: KnownCategories, add: Add): void {
  const ids = [...known.categories.keys()];
  const unknown = (id: string, path: string): void => {
    if (known.categories.has(id)) return;
    const guess = closest(id, ids);
    add(path, `unknown category "${id}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; known categories: ${ids.join(', ')}`);
  };
  doc.policies?.forEach((policy, p) => {
    for (const category of Object.keys(policy.categories)) unknown(category, pointer('policies', p, 'categories', category));
  });
  doc.lists?.forEach((list, i) => unknown(list.category, pointer('lists', i, 'category')));
}

/**
 * A `builtin:ID` list file must name a category that ships a starter list, and cannot have a
 * feed: the download would have nowhere to go but over the shipped file.
 */
function checkBuiltinLists(lists: Config['lists'], known: KnownCategories, add: Add): void {
  const shipped = [...known.categories.keys()].filter((c) => known.categories.get(c)?.starterList !== undefined);
  lists.forEach((list, i) => {
    const id = builtinId(list.file);
    if (id === undefined) return;
    if (list.feed !== undefined) {
      add(pointer('lists', i, 'feed'), `"${list.file}" is a shipped list and cannot be fed from a download: give this list a file of its own in the lists directory`);
    }
    if (known.categories.get(id)?.starterList !== undefined) return;
    const guess = closest(id, shipped);
    add(pointer('lists', i, 'file'), `"${list.file}" names no shipped starter list${guess === undefined ? '' : ` (did you mean "${BUILTIN_PREFIX}${guess}"?)`}; shipped: ${shipped.map((c) => BUILTIN_PREFIX + c).join(', ')}`);
  });
}

/** Upstream names label the query log and the failure counters: two alike could not be told apart. */
function checkUpstreamNames(upstreams: Config['dns']['upstreams'], add: Add): void {
  const first = new Map<string, number>();
  upstreams.forEach((upstream, i) => {
    const earlier = first.get(upstream.name);
    if (earlier === undefined) first.set(upstream.name, i);
    else add(pointer('dns', 'upstreams', i, 'name'), `duplicate upstream name "${upstream.name}" (already used by ${pointer('dns', 'upstreams', earlier)})`);
  });
}

/** The schema only bounds their length: a block-page address that is not one would never match. */
function checkUpstreamBlockAddresses(addresses: readonly string[], add: Add): void {
  addresses.forEach((text, i) => {
    if (!parseAddress(text)) add(pointer('dns', 'upstreamBlocks', 'addresses', i), `"${text}" is not an IP address`);
  });
}

/** An exception's scope must name networks and groups that exist, and its expiry must parse. */
function checkExceptions(exceptions: Config['exceptions'], networks: Config['networks'] | undefined, groups: Config['deviceGroups'] | undefined, add: Add): void {
  const networkIds = networks ? idSet(networks) : undefined;
  const groupIds = groups ? idSet(groups) : undefined;
  exceptions.forEach((exception, i) => {
    if (networkIds) exception.networks?.forEach((id, j) => checkReference(networkIds, id, 'network', pointer('exceptions', i, 'networks', j), add));
    if (groupIds) exception.groups?.forEach((id, j) => checkReference(groupIds, id, 'device group', pointer('exceptions', i, 'groups', j), add));
    if (exception.expires !== undefined && Number.isNaN(Date.parse(exception.expires))) {
      add(pointer('exceptions', i, 'expires'), `"${exception.expires}" is not a date and time (e.g. 2026-12-19T15:30:00Z)`);
    }
  });
}

type Add = (path: string, message: string) => void;

const idSet = (items: readonly { id: string }[]): Set<string> => new Set(items.map((x) => x.id));

function checkTimezone(zone: string, add: Add): void {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    add(pointer('site', 'timezone'), `"${zone}" is not a known IANA time zone (e.g. "Europe/London")`);
  }
}

const singular = {
  networks: 'network', policies: 'policy', schedules: 'schedule', deviceGroups: 'device group', lists: 'list', exceptions: 'exception',
} as const;

function checkUniqueIds(section: keyof typeof singular, items: readonly { id: string }[], add: Add): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const earlier = first.get(item.id);
    if (earlier === undefined) first.set(item.id, i);
    else add(pointer(section, i, 'id'), `duplicate ${singular[section]} id "${item.id}" (already used by ${pointer(section, earlier)})`);
  });
}

function checkReference(known: Set<string>, id: string, kind: string, path: string, add: Add): void {
  if (known.has(id)) return;
  const list = [...known].map((k) => `"${k}"`).join(', ') || 'none defined';
  add(path, `${kind} "${id}" does not exist (known: ${list})`);
}

function checkCategoryRules(policies: readonly Policy[], schedules: Config['schedules'] | undefined, groups: Config['deviceGroups'] | undefined, add: Add): void {
  const scheduleIds = schedules ? idSet(schedules) : undefined;
  const groupIds = groups ? idSet(groups) : undefined;
  policies.forEach((policy, p) => {
    for (const [category, rule] of Object.entries(policy.categories)) {
      const at = (...rest: (string | number)[]): string => pointer('policies', p, 'categories', category, ...rest);
      if (rule.disposition === 'acceptable-at-certain-times' && rule.schedule === undefined) {
        add(at('schedule'), 'a schedule is required when the disposition is "acceptable-at-certain-times"');
      }
      if (rule.disposition === 'acceptable-for-nominated-users' && (rule.groups === undefined || rule.groups.length === 0)) {
        add(at('groups'), 'at least one device group is required when the disposition is "acceptable-for-nominated-users"');
      }
      if (rule.schedule !== undefined && scheduleIds) checkReference(scheduleIds, rule.schedule, 'schedule', at('schedule'), add);
      if (rule.groups && groupIds) {
        rule.groups.forEach((g, i) => checkReference(groupIds, g, 'device group', at('groups', i), add));
      }
    }
  });
}

function checkNetworkAddresses(networks: readonly Network[], add: Add): void {
  const parsed: { prefix: Prefix; path: string; network: string }[] = [];
  networks.forEach((net, n) => {
    const own: Prefix[] = [];
    let unparsed = false;
    net.subnets.forEach((text, s) => {
      const path = pointer('networks', n, 'subnets', s);
      const result = parsePrefix(text);
      if ('error' in result) {
        add(path, `"${text}" is not a valid subnet: ${result.error}`);
        unparsed = true;
        return;
      }
      // Earlier subnets, this network's included: a repeated or nested subnet is always a mistake.
      const clash = parsed.find((other) => prefixesOverlap(other.prefix, result));
      if (clash) {
        const whose = clash.network === net.id ? 'another subnet of this network' : `network "${clash.network}"`;
        add(path, `${result.text} overlaps ${clash.prefix.text} of ${whose} (${clash.path})`);
      }
      parsed.push({ prefix: result, path, network: net.id });
      own.push(result);
    });
    // With a subnet unreadable, "gateway outside the subnets" would only repeat that issue.
    if (unparsed) return;
    for (const family of [4, 6] as const) {
      const text = family === 4 ? net.gateway.ipv4 : net.gateway.ipv6;
      if (text === undefined) continue;
      checkGateway(text, family, own, pointer('networks', n, 'gateway', `ipv${family}`), add);
    }
  });
}

function checkGateway(text: string, family: 4 | 6, subnets: readonly Prefix[], path: string, add: Add): void {
  const address = parseAddress(text);
  if (!address) {
    add(path, `"${text}" is not an IP address`);
    return;
  }
  if (address.family !== family) {
    add(path, `"${text}" is an IPv${address.family} address; this field needs IPv${family}`);
    return;
  }
  const home = subnets.find((p) => prefixContains(p, address));
  if (!home) {
    const list = subnets.filter((p) => p.family === family).map((p) => p.text).join(', ') || `no IPv${family} subnet`;
    add(path, `${text} is not inside any of this network's subnets (${list})`);
    return;
  }
  // Neither the network nor the broadcast address of an IPv4 subnet can be a host's router.
  if (family === 4 && home.length <= 30) {
    const broadcast = home.network | ((1n << BigInt(32 - home.length)) - 1n);
    if (address.value === home.network) add(path, `${text} is the network address of ${home.text}, not a usable host address`);
    else if (address.value === broadcast) add(path, `${text} is the broadcast address of ${home.text}, not a usable host address`);
  }
}

function checkInterfaces(networks: readonly Network[], add: Add): void {
  const used = new Map<string, number>();
  networks.forEach((net, n) => {
    // The demo defaults put several networks on loopback ranges of `lo`, told apart by source
    // address alone; real interfaces need one network per interface and VLAN.
    if (!net.enabled || net.interface === 'lo') return;
    const key = `${net.interface}.${net.vlan ?? 'untagged'}`;
    const earlier = used.get(key);
    if (earlier === undefined) {
      used.set(key, n);
      return;
    }
    const what = net.vlan === undefined ? `interface ${net.interface} (untagged)` : `interface ${net.interface} VLAN ${net.vlan}`;
    add(pointer('networks', n, net.vlan === undefined ? 'interface' : 'vlan'), `${what} is already used by enabled network "${networks[earlier]?.id}" (${pointer('networks', earlier)})`);
  });
}

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const realDate = (text: string): boolean => {
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
};

/** Terms are real dates, each ending on or after it starts; a term-time schedule needs terms to be active at all. */
function checkTerms(terms: NonNullable<Config['site']['terms']>, schedules: Config['schedules'], add: Add): void {
  terms.forEach((term, i) => {
    const unreal = (['start', 'end'] as const).filter((end) => !realDate(term[end]));
    for (const end of unreal) add(pointer('site', 'terms', i, end), `"${term[end]}" is not a date on the calendar`);
    if (unreal.length === 0 && term.end < term.start) add(pointer('site', 'terms', i, 'end'), `must be on or after the start (${term.start}); got ${term.end}`);
  });
  if (terms.length > 0) return;
  schedules.forEach((schedule, i) => {
    if (schedule.termTimeOnly) add(pointer('schedules', i, 'termTimeOnly'), 'a schedule for term time only needs the term dates (site.terms): without them it is never active');
  });
}

function checkSchedules(schedules: Config['schedules'], add: Add): void {
  schedules.forEach((schedule, s) => {
    schedule.windows.forEach((w, i) => {
      if (minutes(w.from) >= minutes(w.to)) {
        // Windows do not run past midnight: school days end long before it.
        add(pointer('schedules', s, 'windows', i, 'to'), `must be later than "from" (${w.from}); got ${w.to}`);
      }
    });
  });
}

interface Listener { path: string; endpoint: Endpoint; address: ParsedAddress }

const isUnspecified = (a: ParsedAddress): boolean => a.value === 0n;

/** Two sockets on one port clash if their addresses are equal or either is the wildcard. */
function clashes(a: Listener, b: Listener): boolean {
  if (a.endpoint.port !== b.endpoint.port) return false;
  if (isUnspecified(a.address) || isUnspecified(b.address)) return true;
  return a.address.family === b.address.family && a.address.value === b.address.value;
}

function checkListeners(doc: CheckedSections, add: Add): void {
  // DNS listens on TCP as well as UDP, so a web endpoint on a DNS listener's port clashes too.
  const endpoints: { path: string; endpoint: Endpoint }[] = [];
  doc.dns?.listen.forEach((endpoint, i) => endpoints.push({ path: pointer('dns', 'listen', i), endpoint }));
  if (doc.web) {
    endpoints.push({ path: pointer('web', 'admin'), endpoint: doc.web.admin });
    if (doc.web.portal) endpoints.push({ path: pointer('web', 'portal'), endpoint: doc.web.portal });
  }
  const listeners: Listener[] = [];
  for (const { path, endpoint } of endpoints) {
    const address = parseAddress(endpoint.address);
    if (!address) {
      add(`${path}/address`, `"${endpoint.address}" is not an IP address`);
      continue;
    }
    const me = { path, endpoint, address };
    const clash = listeners.find((other) => clashes(other, me));
    if (clash) add(path, `${endpoint.address} port ${endpoint.port} collides with ${clash.path} (${clash.endpoint.address} port ${clash.endpoint.port})`);
    listeners.push(me);
  }
  doc.dns?.upstreams.forEach((upstream, i) => {
    const path = pointer('dns', 'upstreams', i, 'address');
    const address = parseAddress(upstream.address);
    if (!address) {
      add(path, `"${upstream.address}" is not an IP address`);
      return;
    }
    if (isUnspecified(address)) add(path, `${upstream.address} is the wildcard address, not a resolver`);
    const loop = listeners.find((l) => l.path.startsWith('/dns/') && l.endpoint.port === upstream.port
      && l.address.family === address.family && l.address.value === address.value);
    if (loop) add(path, `${upstream.address} port ${upstream.port} is this gateway's own DNS listener (${loop.path}): forwarding to it would loop`);
  });
}
