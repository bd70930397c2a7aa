// The anonymised governor report for a chosen span: filtering per network and category, alerts,
// the self-test, visitors, incidents and reviews. Counts only: nothing here can name a pupil.
import { useState } from 'preact/hooks';
import type { GovernorReport } from '../../../../firmware/admin/api/reports-schema.ts';
import { Button } from '../../components/button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { errorsOf } from '../admin-format.ts';
import { DateField } from './date-field.tsx';
import { SendGovernorReport } from './send-governor.tsx';
import { count, NOT_RECORDED, percent, words } from './report-format.ts';

function ReportBody({ report }: { report: GovernorReport }) {
  const f = report.filtering;
  const a = report.alerts;
  return (
    <>
      <p>{report.span.from} to {report.span.to}: {count(f.questions)} look-ups, {count(f.blocked)} blocked ({percent(f.blockedShare)}).</p>
      <DataTable id="gov-networks" caption="Filtering by network" rows={f.networks} rowKey={(n) => n.network} empty="No look-ups in this span."
        columns={[
          { key: 'network', label: 'Network', value: (n) => n.networkName },
          { key: 'questions', label: 'Look-ups', numeric: true, value: (n) => n.questions, render: (n) => count(n.questions) },
          { key: 'blocked', label: 'Blocked', numeric: true, value: (n) => n.blocked, render: (n) => count(n.blocked) },
          { key: 'share', label: 'Blocked share', numeric: true, value: (n) => n.blockedShare ?? -1, render: (n) => percent(n.blockedShare) },
        ]} />
      {f.networks.map((n) => (
        <DataTable key={n.network} id={`gov-cat-${n.network || 'none'}`} caption={`${n.networkName}: by category`} rows={n.categories.slice(0, 12)} rowKey={(c) => c.category} empty="None."
          columns={[
            { key: 'category', label: 'Category', value: (c) => c.category || '(no category)' },
            { key: 'questions', label: 'Look-ups', numeric: true, value: (c) => c.questions, render: (c) => count(c.questions) },
            { key: 'blocked', label: 'Blocked', numeric: true, value: (c) => c.blocked, render: (c) => count(c.blocked) },
            { key: 'share', label: 'Blocked share', numeric: true, value: (c) => c.blockedShare ?? -1, render: (c) => percent(c.blockedShare) },
          ]} />
      ))}
      <h3>Alerts</h3>
      <p>{count(a.total)} alerts: {count(a.bySeverity.critical)} critical, {count(a.bySeverity.high)} high, {count(a.bySeverity.medium)} medium, {count(a.bySeverity.low)} low; {count(a.acknowledged)} dealt with, {count(a.open)} open.</p>
      <p>By review outcome: {a.byOutcome === null ? NOT_RECORDED : a.byOutcome.map((o) => `${words(o.outcome)} ${count(o.count)}`).join(', ') || 'none'}.</p>
      <h3>Filter self-test</h3>
      <DataTable id="gov-selftest" caption="Self-test runs in the span" rows={report.selftest} rowKey={(s) => s.network} empty="No runs in this span."
        columns={[
          { key: 'network', label: 'Network', value: (s) => s.networkName },
          { key: 'runs', label: 'Runs', numeric: true, value: (s) => s.runs },
          { key: 'passed', label: 'Passed', numeric: true, value: (s) => s.runsPassed },
          { key: 'rate', label: 'Pass rate', numeric: true, value: (s) => s.passRate ?? -1, render: (s) => percent(s.passRate) },
        ]} />
      <h3>Visitors, incidents and reviews</h3>
      <ul>
        <li>{count(report.visitors.visitors)} visitors signed in to guest Wi-Fi, with {count(report.visitors.devices)} devices.</li>
        <li>Incidents: {report.incidents === null ? NOT_RECORDED : `${count(report.incidents.opened)} opened${report.incidents.byOutcome.length > 0 ? ` (${report.incidents.byOutcome.map((o) => `${words(o.outcome)} ${o.count}`).join(', ')})` : ''}`}.</li>
        <li>Weekly reviews: {report.reviews === null ? NOT_RECORDED : `${count(report.reviews.signedOff)} of ${count(report.reviews.weeks)} signed off${report.reviews.signedOffLate > 0 ? `, ${report.reviews.signedOffLate} late` : ''}`}.</li>
      </ul>
    </>
  );
}

export function GovernorReportSection() {
  const { api, session } = useApp();
  const maySend = session?.permissions.includes('monitoring.review') ?? false;
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [report, setReport] = useState<GovernorReport | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = async () => {
    setBusy(true);
    try {
      const query = new URLSearchParams();
      if (from !== '') query.set('from', from);
      if (to !== '') query.set('to', to);
      setReport(await api.get<GovernorReport>(`/api/reports/governor${query.size > 0 ? `?${query}` : ''}`));
      setMessage(null);
    } catch (e) {
      setMessage(errorsOf(e).message);
    } finally {
      setBusy(false);
    }
  };
  const print = () => {
    document.body.dataset.print = 'governor';
    window.addEventListener('afterprint', () => { delete document.body.dataset.print; }, { once: true });
    window.print();
  };
  return (
    <section class="card governor-report" aria-labelledby="gov-h">
      <h2 id="gov-h">Governor report (anonymised)</h2>
      <p class="no-print">Counts only: no pupil, device or visitor is named. Leave the days empty for the 30 days to yesterday.</p>
      <Notice kind="error">{message}</Notice>
      <form class="filters no-print" aria-label="Days the report covers" noValidate onSubmit={(e) => { e.preventDefault(); void load(); }}>
        <DateField name="gov-from" label="From" value={from} onValue={setFrom} />
        <DateField name="gov-to" label="To" value={to} onValue={setTo} />
        <div class="actions report-go"><Button type="submit" busy={busy}>Show the report</Button></div>
      </form>
      {maySend ? <SendGovernorReport from={from} to={to} /> : null}
      {report === null ? null : (<>
        <ReportBody report={report} />
        <div class="actions no-print"><Button kind="secondary" onClick={print}>Print this report</Button></div>
      </>)}
    </section>
  );
}
