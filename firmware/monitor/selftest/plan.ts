// What the self-test asks on each network, and what the policy in force says the answer must be.
// Pure: the configuration, the DNS service's filter state (the lists and the policy engine that
// answer questions) and an instant in, the checks out. The expected answer of every check is
// `schoolgate check`'s answer (checkName), so it comes from the same code the DNS server runs and
// cannot drift from it; the run then proves that the server really answers that way.
import type { Config, Network } from '../../config/schema.ts';
import { BYPASS_NAMES } from '../../dns/policy/bypass.ts';
import { checkName, type CheckReport } from '../../dns/policy/check-name.ts';
import type { FilterState } from '../../dns/policy/filter-state.ts';
import type { Catalogue } from '../../rules/catalogue.ts';
import type { BlockAnswerMode, CheckResult, PlannedCheck, Untested } from './selftest-schema.ts';

/** What the catalogue says about a category: its severity and the name its test asks. */
export interface CategoryTest {
  readonly severity: string;
  readonly testName?: string | undefined;
}

/** The catalogue's categories as the plan reads them, most severe first. */
export function categoryTests(catalogue: Pick<Catalogue, 'bySeverity' | 'categories'>): Map<string, CategoryTest> {
  return new Map(catalogue.bySeverity.map((id) => {
    const c = catalogue.categories.get(id)!;
    return [id, { severity: c.severity, testName: c.testName }] as const;
  }));
}

/**
 * Search engines' names a device really asks, with the engine named: www.google.co.uk because the
 * schools are in the UK, the rest the engines' own front doors.
 */
export const SAFE_SEARCH_TESTS: readonly { name: string; engine: string }[] = [
  { name: 'www.google.com', engine: 'Google' },
  { name: 'www.google.co.uk', engine: 'Google UK' },
  { name: 'www.youtube.com', engine: 'YouTube' },
  { name: 'www.bing.com', engine: 'Bing' },
  { name: 'duckduckgo.com', engine: 'DuckDuckGo' },
];

/**
 * The DNS-over-HTTPS resolvers browsers and phones switch to by themselves: Firefox's default,
 * Chrome's and Android's Google resolver, Windows 11's Quad9 template. A device that reaches one
 * asks its questions past the gateway, so each must be answered as the bypass category says.
 */
export const DOH_TESTS: readonly { name: string; vendor: string }[] = [
  { name: 'mozilla.cloudflare-dns.com', vendor: 'Firefox DoH' },
  { name: 'dns.google', vendor: 'Chrome/Android DoH' },
  { name: 'dns.quad9.net', vendor: 'Windows DoH' },
];

export interface PlanInput {
  config: Readonly<Config>;
  filter: FilterState;
  /** Every category the catalogue ships, most severe first. */
  categories: ReadonlyMap<string, CategoryTest>;
  /** The instant the answers are decided for (ms): schedules open and close categories. */
  at: number;
  /** Only this network (default: every enabled one). */
  network?: string | undefined;
}

export interface NetworkPlan {
  network: Network;
  policy: string | null;
  checks: PlannedCheck[];
  /** Failed before a question is asked: a list that no longer holds its own test name. */
  failed: CheckResult[];
  untested: Untested[];
}

/** The networks a run covers: every enabled one, or the one named (which must exist and be enabled). */
export function networksToTest(config: Readonly<Config>, network?: string): Network[] {
  const enabled = config.networks.filter((n) => n.enabled !== false);
  if (network === undefined) return enabled;
  const found = config.networks.find((n) => n.id === network);
  if (!found) throw new Error(`there is no network "${network}" (networks: ${config.networks.map((n) => n.id).join(', ')})`);
  if (found.enabled === false) throw new Error(`network "${network}" is switched off: nothing on it to test`);
  return [found];
}

export function planSelftest(input: PlanInput): NetworkPlan[] {
  return networksToTest(input.config, input.network).map((network) => planNetwork(input, network));
}

function planNetwork(input: PlanInput, network: Network): NetworkPlan {
  const { config, filter, categories, at } = input;
  const checks: PlannedCheck[] = [];
  const failed: CheckResult[] = [];
  const untested: Untested[] = [];
  const ask = (name: string): CheckReport => checkName(config, filter, { name, networkId: network.id, at });
  const expectation = (report: CheckReport): Pick<PlannedCheck, 'expected' | 'rewrite' | 'blockAnswer'> => ({
    expected: report.answer,
    ...(report.rewrite !== undefined ? { rewrite: report.rewrite } : {}),
    ...(report.answer === 'blocked' ? { blockAnswer: (report.blockAnswer ?? 'nxdomain') as BlockAnswerMode } : {}),
  });
  const isCritical = (category: string | undefined): boolean => category !== undefined && categories.get(category)?.severity === 'critical';

  // Lists the school configured with a test name of their own (the provider's published test
  // entry): the only way to test a category whose list is not shipped, illegal content above all.
  const listTested = new Set<string>();
  for (const list of config.lists) {
    if (!list.enabled || list.testName === undefined || list.action === 'allow') continue;
    listTested.add(list.category);
    const restricted = list.restricted === true;
    const report = ask(list.testName);
    const check: PlannedCheck = {
      kind: 'list', subject: `list ${list.id}${restricted ? ' (restricted)' : ''}`, name: list.testName, category: list.category,
      critical: restricted || isCritical(list.category), ...expectation(report),
    };
    if (!report.lists.some((entry) => entry.list === list.id && entry.kind !== 'allow')) {
      failed.push({ ...check, got: `the list ${list.id} does not hold its test name: it may have lost its entries`, pass: false, failOpen: false });
    } else {
      checks.push(check);
    }
  }

  for (const [id, category] of categories) {
    if (category.testName === undefined) {
      if (!listTested.has(id)) {
        untested.push({ subject: id, reason: 'no list is shipped for this category: give the provider\'s list a testName in the configuration to test it' });
      }
      continue;
    }
    const report = ask(category.testName);
    if (!report.lists.some((entry) => entry.kind === 'block' && entry.category === id)) {
      untested.push({ subject: id, reason: `no enabled list of this category holds its test name ${category.testName}` });
      continue;
    }
    checks.push({ kind: 'category', subject: id, name: category.testName, category: id, critical: isCritical(id), ...expectation(report) });
  }
  for (const id of new Set(Object.keys(policyOf(config, network)?.categories ?? {}))) {
    if (!categories.has(id) && !listTested.has(id)) untested.push({ subject: id, reason: 'not a shipped category: give one of its lists a testName to test it' });
  }

  for (const { name, engine } of SAFE_SEARCH_TESTS) {
    checks.push({ kind: 'safe-search', subject: engine, name, critical: false, ...expectation(ask(name)) });
  }
  for (const canary of BYPASS_NAMES) {
    checks.push({ kind: 'canary', subject: canary.vendor, name: canary.name, category: 'bypass', critical: false, ...expectation(ask(canary.name)) });
  }
  for (const { name, vendor } of DOH_TESTS) {
    checks.push({ kind: 'doh', subject: vendor, name, category: 'bypass', critical: isCritical('bypass'), ...expectation(ask(name)) });
  }
  return { network, policy: policyOf(config, network)?.id ?? null, checks, failed, untested };
}

function policyOf(config: Readonly<Config>, network: Network): Config['policies'][number] | undefined {
  return config.policies.find((p) => p.id === network.policy);
}
