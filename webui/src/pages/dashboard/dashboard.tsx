// The dashboard: questions and blocks over today or the last week (chart and table), the most
// blocked categories, the most blocked devices of each network, open alerts by severity (counts:
// the alerts themselves are on the alerts page), the lists' freshness and a health summary.
import { useState } from 'preact/hooks';
import type { DashboardSpan, DashboardView } from '../../../../firmware/admin/api/dashboard-schema.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { formatUptime } from '../../format.ts';
import { when } from '../admin-format.ts';
import { ListFreshnessTable } from './freshness.tsx';
import { HourChart } from './hour-chart.tsx';
import { useLoaded } from '../../components/use-loaded.ts';

const number = new Intl.NumberFormat('en-GB');

/** The period a printed dashboard covers, with its dates: "today, 7 Dec 2026" or "the last 7 days, 30 Nov 2026 to 7 Dec 2026". */
function periodOf(data: DashboardView, tz: string): string {
  const day = (iso: string) => new Date(iso).toLocaleDateString('en-GB', { timeZone: tz, dateStyle: 'medium' });
  return data.span === 'today' ? `today, ${day(data.to)}` : `the last 7 days, ${day(data.from)} to ${day(data.to)}`;
}
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const SPANS: { span: DashboardSpan; label: string }[] = [{ span: 'today', label: 'Today' }, { span: 'week', label: 'Last 7 days' }];

export function DashboardPage() {
  const { session } = useApp();
  const [span, setSpan] = useState<DashboardSpan>('today');
  const { data, error } = useLoaded<DashboardView>(`/api/dashboard?span=${span}`);
  const permissions = new Set(session?.permissions ?? []);
  const tz = data?.timezone ?? session?.site.timezone ?? 'Europe/London';
  const openTotal = data === null ? 0 : SEVERITIES.reduce((s, k) => s + data.alerts.open[k], 0);
  return (
    <>
      <Notice kind="error">{error === null ? null : data === null ? `Could not load the dashboard: ${error}` : `Could not refresh: ${error}`}</Notice>
      <div class="span-switch no-print" role="group" aria-label="Period shown">
        {SPANS.map((s) => (
          <button key={s.span} type="button" class={`btn btn-${span === s.span ? 'primary' : 'secondary'}`} aria-pressed={span === s.span} onClick={() => setSpan(s.span)}>{s.label}</button>
        ))}
      </div>
      {data === null ? (error === null ? <p role="status">Loading…</p> : null) : (
        <>
          <p class="print-only print-caption">{session?.site.name}: the gateway's dashboard for {periodOf(data, tz)}; printed {when(new Date().toISOString(), tz)} by {session?.account.displayName}.</p>
          <section class="card" aria-labelledby="attention">
            <h2 id="attention">Needing attention</h2>
            <ul class="severity-counts">
              {SEVERITIES.map((k) => (
                <li key={k} class={`sev sev-${k}`}><span class="sev-count">{number.format(data.alerts.open[k])}</span> {k}</li>
              ))}
            </ul>
            <p>
              {openTotal === 0 ? 'No open alerts.' : `${number.format(openTotal)} open ${openTotal === 1 ? 'alert' : 'alerts'} to acknowledge.`}{' '}
              {permissions.has('monitoring.view') ? <Link href="/alerts">Go to the alerts</Link> : openTotal > 0 ? 'The safeguarding lead reviews them.' : null}
            </p>
            <ChangesLine changes={data.changes} />
            {data.health.problems.length > 0 ? (
              <>
                <ul class="problems">{data.health.problems.map((p) => <li key={p.id}><strong class="warn">{p.problem}</strong></li>)}</ul>
                {permissions.has('health.view') ? <p><Link href="/health">What to do, on the Health page</Link></p> : null}
              </>
            ) : <p>The gateway reports no problems.</p>}
          </section>
          <section class="card" aria-labelledby="over-time">
            <h2 id="over-time">Questions and blocks, {span === 'today' ? 'today' : 'the last 7 days'}</h2>
            <dl class="facts">
              <dt>DNS questions</dt><dd>{number.format(data.totals.questions)}</dd>
              <dt>Blocked</dt><dd>{number.format(data.totals.blocked)}{data.totals.questions > 0 ? ` (${(100 * data.totals.blocked / data.totals.questions).toFixed(1)}%)` : ''}</dd>
            </dl>
            <HourChart hours={data.hours} timezone={tz} withDay={span === 'week'} />
          </section>
          <div class="two-up">
            <section class="card" aria-labelledby="top-cats">
              <h2 id="top-cats">Most blocked categories</h2>
              <DataTable
                id="top-categories"
                caption="Blocked questions by category"
                rows={data.topCategories}
                rowKey={(c) => c.category}
                empty="Nothing was blocked in this period."
                columns={[
                  { key: 'category', label: 'Category', value: (c) => c.category },
                  { key: 'count', label: 'Blocked', numeric: true, value: (c) => c.count, render: (c) => number.format(c.count) },
                ]}
              />
            </section>
            {data.topDevices !== null ? (
              <section class="card" aria-labelledby="top-devices">
                <h2 id="top-devices">Most blocked devices</h2>
                <DataTable
                  id="top-devices-table"
                  caption="The devices blocked most on each network"
                  rows={data.topDevices}
                  rowKey={(d) => `${d.network}/${d.device}`}
                  empty="No device was blocked in this period."
                  columns={[
                    { key: 'network', label: 'Network', value: (d) => d.network },
                    { key: 'device', label: 'Device', value: (d) => d.name ?? d.device, render: (d) => (d.name ?? <span class="mono">{d.device}</span>) },
                    { key: 'count', label: 'Blocked', numeric: true, value: (d) => d.count, render: (d) => number.format(d.count) },
                  ]}
                />
              </section>
            ) : null}
          </div>
          <section class="card" aria-labelledby="lists">
            <h2 id="lists">Lists</h2>
            <ListFreshnessTable lists={data.lists} timezone={tz} />
          </section>
          <section class="card" aria-labelledby="health">
            <h2 id="health">Health</h2>
            <dl class="facts">
              <dt>Running for</dt><dd>{formatUptime(data.health.uptimeSeconds)}</dd>
              <dt>Upstream resolvers</dt><dd>{data.health.upstreamsFailing.length === 0 ? 'answering' : `failing: ${data.health.upstreamsFailing.join(', ')}`}</dd>
              <dt>Query log</dt><dd>{data.health.queryLogWriteErrors === 0 ? 'writing' : `${number.format(data.health.queryLogWriteErrors)} batches lost`}</dd>
            </dl>
            {permissions.has('health.view') ? <p><Link href="/health">The gateway's health in detail</Link></p> : null}
          </section>
        </>
      )}
    </>
  );
}

/** Change requests waiting for this account: an approver's approvals, the IT provider's approved changes to apply. */
function ChangesLine({ changes }: { changes: DashboardView['changes'] }) {
  if (changes === null) return null;
  const lines: string[] = [];
  if (changes.toApprove !== null && changes.toApprove > 0) lines.push(`${number.format(changes.toApprove)} change ${changes.toApprove === 1 ? 'request' : 'requests'} waiting for your approval.`);
  if (changes.toApply !== null && changes.toApply > 0) lines.push(`${number.format(changes.toApply)} approved ${changes.toApply === 1 ? 'change' : 'changes'} to apply.`);
  if (lines.length === 0) return null;
  return <p>{lines.join(' ')} <Link href="/changes">Go to the change requests</Link></p>;
}
