// What the DNS alert rules (dns-alert-rules.ts, on the query log's writer thread) are built from:
// the catalogue's category severities, the configuration's watch list and keywords, and the
// shipped keyword lists in rules/keywords/. Read on the main thread at start and on every
// configuration change; the writer gets the result as plain data.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/schema.ts';
import { RULES_DIR } from '../../paths.ts';
import { selftestSources } from '../selftest/route.ts';
import type { AlertSeverity } from './alert-schema.ts';
import type { DnsAlertRulesData } from './dns-alert-rules.ts';
import { KeywordListError, normaliseKeywordText, parseKeywordList, type KeywordList } from './keyword-text.ts';

export const KEYWORDS_DIR = join(RULES_DIR, 'keywords');

/** The list id the school's own keywords (alerts.keywords.extra) are reported under. */
export const SCHOOL_KEYWORDS = 'school';
/** The school's own keywords are gathered for the review: the school knows what they are worth. */
const SCHOOL_KEYWORD_SEVERITY: AlertSeverity = 'high';

// A storm: a device refused this many times a minute by the rate limit (which lets a device ask
// dns.rateLimit questions a second) is not a person typing.
export const STORM_THRESHOLD = 100;
export const STORM_WINDOW_MS = 60_000;

/** The ids of the shipped keyword lists (their file names), for the configuration's checks. */
export function keywordListIds(dir: string = KEYWORDS_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -'.txt'.length)).sort();
}

/** Every shipped keyword list, by id; a bad file throws (KeywordListError) naming each bad line. */
export function loadKeywordLists(dir: string = KEYWORDS_DIR): Map<string, KeywordList> {
  const lists = new Map<string, KeywordList>();
  for (const id of keywordListIds(dir)) {
    lists.set(id, parseKeywordList(id, readFileSync(join(dir, `${id}.txt`), 'utf8')));
  }
  return lists;
}

/**
 * The rules' data for a configuration: the lists it names (all shipped ones by default) and its
 * own keywords. A list name the configuration gives that is not shipped throws: the school would
 * believe it is flagged.
 */
export function dnsAlertRulesData(config: Pick<Config, 'alerts' | 'networks'>, severities: Readonly<Record<string, AlertSeverity>>, shipped: ReadonlyMap<string, KeywordList>): DnsAlertRulesData {
  const alerts = config.alerts;
  const chosen = alerts?.keywords?.lists ?? [...shipped.keys()];
  const keywordLists: KeywordList[] = chosen.map((id) => {
    const list = shipped.get(id);
    if (list === undefined) throw new KeywordListError(`alerts.keywords.lists names "${id}", which is not a shipped keyword list (${[...shipped.keys()].join(', ')})`);
    return list;
  });
  const extra = [...new Set((alerts?.keywords?.extra ?? []).map((k) => normaliseKeywordText(k)).filter((k) => k.length >= 3))];
  if (extra.length > 0) keywordLists.push({ id: SCHOOL_KEYWORDS, severity: SCHOOL_KEYWORD_SEVERITY, keywords: extra, innocent: [] });
  return {
    severities: { ...severities },
    watch: [...(alerts?.watch ?? [])],
    keywordLists,
    stormThreshold: STORM_THRESHOLD,
    stormWindowMs: STORM_WINDOW_MS,
    // As the query log writes a client's address: IPv6 in its short form (fd00::1, not fd00:0::1).
    quietSources: [...selftestSources(config)].map((a) => (a.includes(':') ? new URL(`http://[${a}]/`).hostname.slice(1, -1) : a)),
  };
}

/**
 * Whether a configuration change changes the rules' data: the alerts section, or the addresses
 * the self-test asks from (a network added, renumbered or switched off).
 */
export function alertRulesChanged(next: Pick<Config, 'alerts' | 'networks'>, previous: Pick<Config, 'alerts' | 'networks'>): boolean {
  if (JSON.stringify(next.alerts) !== JSON.stringify(previous.alerts)) return true;
  return [...selftestSources(next)].join() !== [...selftestSources(previous)].join();
}
