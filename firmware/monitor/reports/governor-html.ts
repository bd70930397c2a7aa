// The governor report as a self-contained HTML document: the e-mail's body, printable as it is.
// Pure. Every value is escaped; the report holds counts and configuration ids only
// (governor-report.ts), so there is nothing personal to leave out here.
import type { GovernorReport, OutcomeCount } from './report-schema.ts';

const escape = (text: string | number): string => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const percent = (share: number | null): string => (share === null ? '–' : `${(share * 100).toFixed(share < 0.001 && share > 0 ? 2 : 1)}%`);
const number = (n: number): string => n.toLocaleString('en-GB');

const NOT_RECORDED = '<p class="none">Not recorded yet: this gateway does not keep these records yet.</p>';

function table(head: string[], rows: (string | number)[][], numeric: number[] = []): string {
  const cell = (tag: string, value: string | number, i: number): string => `<${tag}${numeric.includes(i) ? ' style="text-align:right"' : ''}>${escape(value)}</${tag}>`;
  return `<table><thead><tr>${head.map((h, i) => cell('th', h, i)).join('')}</tr></thead><tbody>${
    rows.length === 0 ? `<tr><td colspan="${head.length}">None.</td></tr>` : rows.map((r) => `<tr>${r.map((v, i) => cell('td', v, i)).join('')}</tr>`).join('')
  }</tbody></table>`;
}

const outcomes = (list: OutcomeCount[]): string => table(['Outcome', 'Count'], list.map((o) => [o.outcome.replaceAll('-', ' '), number(o.count)]), [1]);

export function governorReportHtml(report: GovernorReport): string {
  const f = report.filtering;
  const a = report.alerts;
  const sections = [
    `<h1>${escape(report.site)}: filtering and monitoring report</h1>`,
    `<p>${escape(report.span.from)} to ${escape(report.span.to)} (${escape(report.span.timezone)}). Anonymised: counts only, no pupil, device or visitor is named.</p>`,
    '<h2>Filtering</h2>',
    `<p>${number(f.questions)} look-ups, ${number(f.blocked)} blocked (${percent(f.blockedShare)}).</p>`,
    table(['Network', 'Look-ups', 'Blocked', 'Blocked share'], f.networks.map((n) => [n.networkName, number(n.questions), number(n.blocked), percent(n.blockedShare)]), [1, 2, 3]),
    ...f.networks.map((n) => `<h3>${escape(n.networkName)}: by category</h3>${table(['Category', 'Look-ups', 'Blocked', 'Blocked share'],
      n.categories.slice(0, 15).map((c) => [c.category || '(no category)', number(c.questions), number(c.blocked), percent(c.blockedShare)]), [1, 2, 3])}`),
    '<h2>Alerts</h2>',
    `<p>${number(a.total)} alerts: ${number(a.bySeverity.critical)} critical, ${number(a.bySeverity.high)} high, ${number(a.bySeverity.medium)} medium, ${number(a.bySeverity.low)} low; ${number(a.acknowledged)} dealt with, ${number(a.open)} open.</p>`,
    table(['Kind', 'Count'], a.byKind.map((k) => [k.kind, number(k.count)]), [1]),
    '<h3>By review outcome</h3>',
    a.byOutcome === null ? NOT_RECORDED : outcomes(a.byOutcome),
    '<h2>Filter self-test</h2>',
    table(['Network', 'Runs', 'Passed', 'Pass rate'], report.selftest.map((s) => [s.networkName, number(s.runs), number(s.runsPassed), percent(s.passRate)]), [1, 2, 3]),
    '<h2>Visitors</h2>',
    `<p>${number(report.visitors.visitors)} visitors signed in to guest Wi-Fi with ${number(report.visitors.devices)} devices.</p>`,
    '<h2>Incidents</h2>',
    report.incidents === null ? NOT_RECORDED : `<p>${number(report.incidents.opened)} incidents opened.</p>${outcomes(report.incidents.byOutcome)}`,
    '<h2>Weekly reviews</h2>',
    report.reviews === null ? NOT_RECORDED
      : `<p>${number(report.reviews.signedOff)} of ${number(report.reviews.weeks)} weekly reviews signed off${report.reviews.signedOffLate > 0 ? `, ${number(report.reviews.signedOffLate)} after their deadline` : ''}.</p>`,
    `<p class="foot">Made by Schoolgate at ${escape(report.generatedAt)}.</p>`,
  ];
  return `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>${escape(report.site)}: governor report ${escape(report.span.from)} to ${escape(report.span.to)}</title>
<style>body{font-family:Arial,Helvetica,sans-serif;color:#1b1b1b;max-width:46rem;margin:1rem auto;padding:0 1rem}table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left}.none{color:#555;font-style:italic}.foot{color:#555;font-size:.85rem}</style>
</head><body>${sections.join('\n')}</body></html>\n`;
}

/** The plain-text part for mail readers that show no HTML. */
export function governorReportText(report: GovernorReport): string {
  const f = report.filtering;
  return [
    `${report.site}: filtering and monitoring report, ${report.span.from} to ${report.span.to} (anonymised).`,
    `Look-ups: ${f.questions}, blocked ${f.blocked} (${percent(f.blockedShare)}).`,
    `Alerts: ${report.alerts.total} (critical ${report.alerts.bySeverity.critical}, high ${report.alerts.bySeverity.high}, medium ${report.alerts.bySeverity.medium}, low ${report.alerts.bySeverity.low}).`,
    `Self-test: ${report.selftest.map((s) => `${s.networkName} ${percent(s.passRate)}`).join(', ') || 'no runs'}.`,
    `Visitors: ${report.visitors.visitors}.`,
    `Incidents: ${report.incidents === null ? 'not recorded yet' : report.incidents.opened}.`,
    `Weekly reviews signed off: ${report.reviews === null ? 'not recorded yet' : `${report.reviews.signedOff} of ${report.reviews.weeks}`}.`,
    'The full report is the HTML part of this message.',
  ].join('\n');
}
