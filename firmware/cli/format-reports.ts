// The governor report and the assurance summary for a terminal: the same numbers as the page and
// the e-mail, in lines a technician can paste into a message.
import { percent } from '../monitor/reports/governor-html.ts';
import type { AssuranceSummary, GovernorReport, OutcomeCount } from '../monitor/reports/report-schema.ts';
import { table } from './table.ts';

const NOT_RECORDED = 'not recorded yet';
const outcomes = (list: OutcomeCount[]): string => list.map((o) => `${o.outcome} ${o.count}`).join(', ') || 'none';

export function formatGovernorReport(r: GovernorReport): string {
  const out = [
    `${r.site}: filtering and monitoring report, ${r.span.from} to ${r.span.to} (${r.span.timezone}), anonymised`,
    '',
    `Filtering: ${r.filtering.questions} look-ups, ${r.filtering.blocked} blocked (${percent(r.filtering.blockedShare)})`,
    table([['network', 'look-ups', 'blocked', 'share'], ...r.filtering.networks.map((n) => [n.networkName, String(n.questions), String(n.blocked), percent(n.blockedShare)])]),
    '',
    `Alerts: ${r.alerts.total} (critical ${r.alerts.bySeverity.critical}, high ${r.alerts.bySeverity.high}, medium ${r.alerts.bySeverity.medium}, low ${r.alerts.bySeverity.low}); ${r.alerts.acknowledged} dealt with, ${r.alerts.open} open`,
    `  by review outcome: ${r.alerts.byOutcome === null ? NOT_RECORDED : outcomes(r.alerts.byOutcome)}`,
    '',
    'Filter self-test:',
    r.selftest.length === 0 ? '  no runs in the span' : table([['network', 'runs', 'passed', 'rate'], ...r.selftest.map((s) => [s.networkName, String(s.runs), String(s.runsPassed), percent(s.passRate)])]),
    '',
    `Visitors: ${r.visitors.visitors} (${r.visitors.devices} devices)`,
    `Incidents: ${r.incidents === null ? NOT_RECORDED : `${r.incidents.opened} opened; ${outcomes(r.incidents.byOutcome)}`}`,
    `Weekly reviews: ${r.reviews === null ? NOT_RECORDED : `${r.reviews.signedOff} of ${r.reviews.weeks} signed off (${r.reviews.signedOffLate} late)`}`,
  ];
  return `${out.join('\n')}\n`;
}

export function formatAssuranceSummary(s: AssuranceSummary): string {
  const last = s.reviews?.last;
  const out = [
    `${s.site}: governor assurance summary, ${s.generatedAt.slice(0, 10)}`,
    `Last weekly review: ${s.reviews === null ? NOT_RECORDED : last ? `week of ${last.week}, signed off ${last.signedOffAt.slice(0, 16).replace('T', ' ')} by ${last.by}${last.onBehalfOf ? ` on behalf of ${last.onBehalfOf}` : ''}` : 'none signed off yet'}`,
    `Sign-off streak: ${s.reviews === null ? NOT_RECORDED : `${s.reviews.streakWeeks} weeks`}`,
    `Self-test pass rate, last ${s.selftestDays} days:`,
    s.selftest.length === 0 ? '  no runs' : table([['network', 'runs', 'passed', 'rate'], ...s.selftest.map((r) => [r.networkName, String(r.runs), String(r.runsPassed), percent(r.passRate)])]),
    `Open alerts: critical ${s.openAlerts.critical}, high ${s.openAlerts.high}, medium ${s.openAlerts.medium}, low ${s.openAlerts.low}`,
    `Open incidents and actions: ${s.incidents === null ? NOT_RECORDED : `${s.incidents.openIncidents} incidents, ${s.incidents.openActions} actions`}`,
    `Next annual review: ${s.nextAnnualReview === null ? 'not planned (reports.nextAnnualReview)' : s.nextAnnualReview.date}`,
    `Audit log: ${s.auditChain.verified ? `${s.auditChain.entries} entries, chain verified, head ${s.auditChain.head}` : `NOT verified: ${s.auditChain.head}`}`,
  ];
  return `${out.join('\n')}\n`;
}
