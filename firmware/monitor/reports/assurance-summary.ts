// The one-page governor assurance summary: is the school's monitoring being done and does the
// filter work? The last weekly review and who signed it, the sign-off streak, the self-test's
// pass rate per network over the last 30 days, open alerts, incidents and actions, the next
// annual review, and whether the audit log's chain verifies. Counts, dates and staff names only.
import type { AuditLog } from '../../control/audit.ts';
import type { AlertRepository } from '../../state/alerts.ts';
import type { SelftestRepository } from '../../state/selftest.ts';
import { selftestRates } from './governor-report.ts';
import type { AssuranceSummary } from './report-schema.ts';
import { schoolDay } from './report-span.ts';
import type { ReportConfigView, ReportSources } from './sources.ts';

export const SUMMARY_SELFTEST_DAYS = 30;
const DAY_MS = 86_400_000;

export interface AssuranceSummaryDeps {
  config: () => ReportConfigView;
  alerts: Pick<AlertRepository, 'openCounts'>;
  selftest: Pick<SelftestRepository, 'ratesBetween'>;
  audit: Pick<AuditLog, 'verify'>;
  sources?: ReportSources;
  now: () => Date;
}

/** The next annual review: the annual pack's plan when it is wired in, else the configuration's date. */
function nextAnnualReview(deps: AssuranceSummaryDeps, now: Date): AssuranceSummary['nextAnnualReview'] {
  const planned = deps.sources?.annual?.nextReviewDate(now);
  if (planned) return { date: planned, source: 'annual-pack' };
  const configured = deps.config().reports?.nextAnnualReview;
  return configured ? { date: configured, source: 'configuration' } : null;
}

export function assuranceSummary(deps: AssuranceSummaryDeps): AssuranceSummary {
  const now = deps.now();
  const config = deps.config();
  const { reviews, incidents } = deps.sources ?? {};
  const chain = deps.audit.verify();
  return {
    site: config.site.name,
    timezone: config.site.timezone,
    generatedAt: now.toISOString(),
    reviews: reviews ? { last: reviews.lastSignedOff(), streakWeeks: reviews.streakWeeks(now) } : null,
    selftestDays: SUMMARY_SELFTEST_DAYS,
    selftest: selftestRates(deps, now.getTime() - SUMMARY_SELFTEST_DAYS * DAY_MS, now.getTime() + 1),
    openAlerts: deps.alerts.openCounts(),
    incidents: incidents ? { openIncidents: incidents.openIncidents(), openActions: incidents.openActions() } : null,
    nextAnnualReview: nextAnnualReview(deps, now),
    auditChain: chain.ok
      ? { verified: true, entries: chain.entries, head: chain.head }
      : { verified: false, entries: chain.brokenAt - 1, head: `broken at entry ${chain.brokenAt}: ${chain.reason}` },
  };
}

/** Today at the school, for a page's heading. */
export const summaryDay = (summary: Pick<AssuranceSummary, 'generatedAt' | 'timezone'>): string => schoolDay(new Date(summary.generatedAt), summary.timezone);
