// The one-page governor assurance summary: is the weekly review being done, does the filter work,
// what is still open, when governors next review it all, and whether the audit log is intact.
// What no module records yet says so in words, never as a zero.
import type { AssuranceSummary } from '../../../../firmware/admin/api/reports-schema.ts';
import { DataTable } from '../../components/data-table.tsx';
import { when } from '../admin-format.ts';
import { count, NOT_RECORDED, percent } from './report-format.ts';

function day(date: string): string {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString('en-GB', { dateStyle: 'long', timeZone: 'UTC' });
}

export function SummaryCard({ summary }: { summary: AssuranceSummary }) {
  const tz = summary.timezone;
  const last = summary.reviews?.last ?? null;
  const failing = summary.selftest.filter((s) => s.passRate !== null && s.passRate < 1);
  return (
    <section class="card summary-card" aria-labelledby="summary-h">
      <h2 id="summary-h">Governor assurance summary</h2>
      <p class="summary-meta">{summary.site}, {when(summary.generatedAt, tz)}</p>
      <dl class="summary-facts">
        <div>
          <dt>Last weekly review</dt>
          <dd>{summary.reviews === null ? NOT_RECORDED : last === null ? 'None signed off yet'
            : <>Week of {day(last.week)}, signed off {when(last.signedOffAt, tz)} by {last.by}{last.onBehalfOf ? <> on behalf of {last.onBehalfOf}</> : null}</>}</dd>
        </div>
        <div>
          <dt>Weekly sign-off streak</dt>
          <dd>{summary.reviews === null ? NOT_RECORDED : `${count(summary.reviews.streakWeeks)} week${summary.reviews.streakWeeks === 1 ? '' : 's'} in a row`}</dd>
        </div>
        <div>
          <dt>Open alerts</dt>
          <dd>{count(summary.openAlerts.critical)} critical, {count(summary.openAlerts.high)} high, {count(summary.openAlerts.medium)} medium, {count(summary.openAlerts.low)} low</dd>
        </div>
        <div>
          <dt>Open incidents and actions</dt>
          <dd>{summary.incidents === null ? NOT_RECORDED : `${count(summary.incidents.openIncidents)} incidents, ${count(summary.incidents.openActions)} actions`}</dd>
        </div>
        <div>
          <dt>Next annual review</dt>
          <dd>{summary.nextAnnualReview === null ? 'Not planned yet' : day(summary.nextAnnualReview.date)}</dd>
        </div>
        <div>
          <dt>Audit log</dt>
          <dd>{summary.auditChain.verified
            ? <>{count(summary.auditChain.entries)} {summary.auditChain.entries === 1 ? 'entry' : 'entries'}, chain intact. Newest hash: <code class="mono hash-short">{summary.auditChain.head}</code></>
            : <strong class="sev-critical">Not intact: {summary.auditChain.head}</strong>}</dd>
        </div>
      </dl>
      <DataTable
        id="summary-selftest"
        caption={`Filter self-test, last ${summary.selftestDays} days${failing.length > 0 ? `: ${failing.length} network${failing.length === 1 ? '' : 's'} below 100%` : ''}`}
        rows={summary.selftest}
        rowKey={(r) => r.network}
        empty={`The self-test has not run in the last ${summary.selftestDays} days.`}
        columns={[
          { key: 'network', label: 'Network', value: (r) => r.networkName },
          { key: 'runs', label: 'Runs', numeric: true, value: (r) => r.runs },
          { key: 'passed', label: 'Passed', numeric: true, value: (r) => r.runsPassed },
          { key: 'rate', label: 'Pass rate', numeric: true, value: (r) => r.passRate ?? -1, render: (r) => percent(r.passRate) },
          { key: 'last', label: 'Last run', value: (r) => r.lastRun ?? '', render: (r) => <span class="nowrap">{when(r.lastRun, tz)}</span> },
        ]}
      />
      <p class="print-only signature-line">Seen by (governor): ______________________________ Date: ______________</p>
    </section>
  );
}
