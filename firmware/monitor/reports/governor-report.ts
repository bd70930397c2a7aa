// The anonymised governor/trust report: filtering per network and category, alerts by severity,
// kind and review outcome, the self-test's pass rate, how many visitors, incidents by outcome,
// weekly reviews signed. Anonymous by construction: every section is built from grouped counts
// whose keys are configuration ids (networks, categories), alert kinds and outcome codes. No
// query below asks for a device, an address, a name or an account, so none can leak into it,
// whatever a later edit to the rendering does.
import type { AlertRepository } from '../../state/alerts.ts';
import type { SelftestRepository } from '../../state/selftest.ts';
import type { VoucherRepository } from '../../state/vouchers.ts';
import type { QueryLog } from '../query-log/query-log.ts';
import { BLOCKED_VERDICTS } from '../review/review-data.ts';
import type { GovernorReport, GovernorReportParams, NetworkFiltering, SelftestRate, SeverityCounts } from './report-schema.ts';
import { resolveSpan, type ResolvedSpan } from './report-span.ts';
import type { ReportConfigView, ReportSources } from './sources.ts';

export interface GovernorReportDeps {
  config: () => ReportConfigView;
  queryLog: Pick<QueryLog, 'rollupTotals'>;
  alerts: Pick<AlertRepository, 'list'>;
  selftest: Pick<SelftestRepository, 'ratesBetween'>;
  visitors: Pick<VoucherRepository, 'visitorCounts'>;
  sources?: ReportSources;
  now: () => Date;
}

const share = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

export const emptySeverities = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0 });

function networkName(config: Pick<ReportConfigView, 'networks'>, id: string): string {
  if (id === '') return 'no known network';
  return config.networks.find((n) => n.id === id)?.name ?? id;
}

/** The self-test's runs per network within [fromMs, toMs), with the configured networks' names. */
export function selftestRates(deps: Pick<GovernorReportDeps, 'config' | 'selftest'>, fromMs: number, toMs: number): SelftestRate[] {
  const config = deps.config();
  return deps.selftest.ratesBetween(new Date(fromMs), new Date(toMs)).map((r) => ({
    network: r.network, networkName: networkName(config, r.network), runs: r.runs, runsPassed: r.runsPassed,
    passRate: share(r.runsPassed, r.runs), lastRun: r.lastRun,
  }));
}

async function filtering(deps: GovernorReportDeps, span: ResolvedSpan): Promise<GovernorReport['filtering']> {
  const config = deps.config();
  const totals = await deps.queryLog.rollupTotals({ kind: 'days', from: span.from, to: span.toExcluded, by: ['network', 'category', 'verdict'] });
  const networks = new Map<string, { questions: number; blocked: number; categories: Map<string, { questions: number; blocked: number }> }>();
  for (const t of totals) {
    const network = String(t.network ?? '');
    const category = String(t.category ?? '');
    const blocked = BLOCKED_VERDICTS.includes(String(t.verdict)) ? t.count : 0;
    const n = networks.get(network) ?? { questions: 0, blocked: 0, categories: new Map() };
    n.questions += t.count;
    n.blocked += blocked;
    const c = n.categories.get(category) ?? { questions: 0, blocked: 0 };
    c.questions += t.count;
    c.blocked += blocked;
    n.categories.set(category, c);
    networks.set(network, n);
  }
  const rows: NetworkFiltering[] = [...networks].map(([network, n]) => ({
    network, networkName: networkName(config, network), questions: n.questions, blocked: n.blocked, blockedShare: share(n.blocked, n.questions),
    categories: [...n.categories].map(([category, c]) => ({ category, questions: c.questions, blocked: c.blocked, blockedShare: share(c.blocked, c.questions) }))
      .sort((a, b) => b.questions - a.questions || a.category.localeCompare(b.category)),
  })).sort((a, b) => a.network.localeCompare(b.network));
  const questions = rows.reduce((sum, n) => sum + n.questions, 0);
  const blocked = rows.reduce((sum, n) => sum + n.blocked, 0);
  return { questions, blocked, blockedShare: share(blocked, questions), networks: rows };
}

function alertCounts(deps: GovernorReportDeps, span: ResolvedSpan): GovernorReport['alerts'] {
  // An alert belongs to the span when it happened in it (a burst may straddle the start).
  const alerts = deps.alerts.list({ all: true, since: new Date(span.fromMs), limit: 10_000 }).filter((a) => Date.parse(a.firstAt) < span.toMs);
  const bySeverity = emptySeverities();
  const byKind = new Map<string, number>();
  let open = 0;
  for (const a of alerts) {
    bySeverity[a.severity]++;
    byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + 1);
    if (a.status === 'open') open++;
  }
  const outcomes = deps.sources?.reviews?.alertOutcomesBetween;
  return {
    total: alerts.length,
    bySeverity,
    byKind: [...byKind].map(([kind, count]) => ({ kind: kind as GovernorReport['alerts']['byKind'][number]['kind'], count }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
    acknowledged: alerts.length - open,
    open,
    byOutcome: outcomes ? outcomes.call(deps.sources!.reviews, new Date(span.fromMs), new Date(span.toMs)) : null,
  };
}

export async function governorReport(deps: GovernorReportDeps, params: GovernorReportParams): Promise<GovernorReport> {
  const config = deps.config();
  const now = deps.now();
  const span = resolveSpan(params, now, config.site.timezone);
  const from = new Date(span.fromMs);
  const to = new Date(span.toMs);
  const { reviews, incidents } = deps.sources ?? {};
  return {
    site: config.site.name,
    span: { from: span.from, to: span.to, timezone: span.timezone },
    generatedAt: now.toISOString(),
    filtering: await filtering(deps, span),
    alerts: alertCounts(deps, span),
    selftest: selftestRates(deps, span.fromMs, span.toMs),
    visitors: deps.visitors.visitorCounts(from, to),
    incidents: incidents ? (() => {
      const byOutcome = incidents.countsByOutcome(from, to);
      return { opened: byOutcome.reduce((sum, o) => sum + o.count, 0), byOutcome };
    })() : null,
    reviews: reviews ? reviews.signedOffBetween(from, to) : null,
  };
}
