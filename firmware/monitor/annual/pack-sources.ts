// Gathers what the annual pack shows from the gateway's stores, for one school year; rendering
// (annual-pack.ts) then needs nothing else. Alerts are reduced to what statistics need, so no
// device or name looked up reaches the pack.
import type { Config } from '../../config/schema.ts';
import type { StateDatabase } from '../../state/database.ts';
import { schoolYearDays } from '../../state/annual-reviews.ts';
import type { CategoryDefinition } from '../../rules/catalogue.ts';
import type { AnnualReview } from './annual-schema.ts';
import { isChangeAction } from './change-actions.ts';
import { dataStatement } from './data-statement.ts';
import type { AuditEntry } from '../../control/audit-chain.ts';
import type { IncidentHistorySource, PackPeriod, PackSources, ReviewHistorySource } from './pack-types.ts';

export interface PackSourceDeps {
  config: () => Readonly<Config>;
  categories: ReadonlyMap<string, CategoryDefinition>;
  state: Pick<StateDatabase, 'accounts' | 'selftest' | 'audit' | 'alerts' | 'annualReviews'>;
  /** The weekly reviews' history, once that module is wired in. */
  reviews?: ReviewHistorySource;
  /** The incident log, anonymised, once that module is wired in. */
  incidents?: IncidentHistorySource;
  /** Lines the sealed exports add to the statement's "how exports are protected". */
  exportProtection?: readonly string[];
  dataDir?: string;
  now: () => Date;
}

/** Midnight at the start of `day` in the school's time zone, as an instant. */
export function localMidnight(day: string, timezone: string): Date {
  const guess = new Date(`${day}T00:00:00Z`);
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(guess);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const shownAsUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return new Date(guess.getTime() - (shownAsUtc - guess.getTime()));
}

const nextDay = (day: string): string => new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The period a year's pack covers: the review's own days once opened, else 1 September to 31 August. */
export function packPeriod(year: string, review: AnnualReview | undefined, timezone: string): PackPeriod {
  const days = review ? { starts: review.starts, ends: review.ends } : schoolYearDays(year);
  return { year, from: localMidnight(days.starts, timezone), to: localMidnight(nextDay(days.ends), timezone) };
}

export function gatherPackSources(deps: PackSourceDeps, period: PackPeriod, generatedBy: string): PackSources {
  const config = deps.config();
  const { state } = deps;
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  const changes: AuditEntry[] = [];
  let entriesInPeriod = 0;
  for (const entry of state.audit.export()) {
    if (entry.at < from || entry.at >= to) continue;
    entriesInPeriod += 1;
    if (isChangeAction(entry.action)) changes.push(entry);
  }
  const alerts = state.alerts.list({ all: true, since: period.from, limit: 10_000 })
    .filter((a) => a.firstAt >= from && a.firstAt < to)
    .map((a) => ({ kind: a.kind, severity: a.severity, firstAt: a.firstAt, count: a.count, networkId: a.networkId, acknowledgedAt: a.acknowledgedAt }))
    .reverse();
  const now = deps.now();
  return {
    config,
    categories: deps.categories,
    accounts: state.accounts.list().map((a) => ({
      displayName: a.displayName, username: a.username, roles: [...a.roles], disabled: a.disabled, breakGlass: a.breakGlass, totpEnrolled: a.totpSecret !== null,
    })),
    selftest: { runs: state.selftest.runsBetween(period.from, period.to), external: state.selftest.externalBetween(period.from, period.to) },
    audit: { changes, entriesInPeriod, verdict: state.audit.verify() },
    alerts,
    ...(deps.reviews ? { reviews: deps.reviews.reviews(period.from, period.to) } : {}),
    ...(deps.incidents ? { incidents: deps.incidents.anonymised(period.from, period.to) } : {}),
    annual: state.annualReviews.get(period.year) ?? null,
    statement: dataStatement(config, now, { ...(deps.exportProtection ? { exports: deps.exportProtection } : {}), ...(deps.dataDir ? { dataDir: deps.dataDir } : {}) }),
    generatedAt: now,
    generatedBy,
  };
}
