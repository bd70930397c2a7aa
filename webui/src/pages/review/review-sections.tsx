// The week's record beside its alerts: trends against the 8 weeks before (charts and a table),
// devices blocked again and again, bypass/tethering/P2P attempts, visitors and their sponsors,
// reports from the block page, filtering changes, reviews due. Names are text, never links.
import type { ReviewPage, WeekTrend, WeekVisitor } from '../../../../firmware/admin/api/review-schema.ts';
import type { RepeatedBlocks } from '../../../../firmware/monitor/review/review-data-schema.ts';
import type { SiteReport } from '../../../../firmware/portal/reports-schema.ts';
import type { AuditEntry } from '../../../../firmware/control/audit-chain.ts';
import type { NetworkEvent } from '../../../../firmware/state/schemas.ts';
import { DataTable } from '../../components/data-table.tsx';
import { who } from '../people.ts';
import { DUE_TEXT, when } from './review-format.ts';
import { WeekChart } from './week-chart.tsx';

const ATTEMPT: Record<string, string> = { 'net.bypass': 'Getting round the filter', 'net.tethering': 'Hotspot (tethering)', 'net.p2p': 'Peer-to-peer' };

export function ReviewSections({ page, tz }: { page: ReviewPage; tz: string }) {
  const week = page.week.from;
  return (
    <>
      <section class="card" aria-labelledby="trend-heading">
        <h2 id="trend-heading">Trends against the 8 weeks before</h2>
        <div class="week-charts">
          <WeekChart title="Blocked questions per week" bars={page.trend.map((t) => ({ week: t.week, value: t.blocked }))} current={week} />
          <WeekChart title="Alerts per week" bars={page.trend.map((t) => ({ week: t.week, value: t.alerts }))} current={week} />
        </div>
        <DataTable<WeekTrend> id="trend-table" caption="Each week's questions, blocked and allowed, and alerts" rows={page.trend} rowKey={(t) => t.week} empty="No weeks."
          columns={[
            { key: 'week', label: 'Week of', value: (t) => t.week, render: (t) => (t.week === week ? <strong>{t.week} (this week)</strong> : t.week) },
            { key: 'q', label: 'Questions', value: (t) => t.questions, numeric: true },
            { key: 'b', label: 'Blocked', value: (t) => t.blocked, numeric: true },
            { key: 'a', label: 'Allowed', value: (t) => t.allowed, numeric: true },
            { key: 'al', label: 'Alerts', value: (t) => t.alerts, numeric: true },
          ]} />
      </section>
      <section class="card" aria-labelledby="devices-heading">
        <h2 id="devices-heading">Devices blocked again and again</h2>
        <DataTable<RepeatedBlocks> id="repeated-table" caption={`Devices blocked ${page.summary.minBlocked} or more times this week`} rows={page.summary.repeatedBlocks} rowKey={(d) => d.device}
          empty="No device was blocked that often this week."
          columns={[
            { key: 'device', label: 'Device', value: (d) => d.device, render: (d) => <span class="mono">{d.device}</span> },
            { key: 'count', label: 'Blocked', value: (d) => d.count, numeric: true },
            { key: 'what', label: 'Categories', value: (d) => d.categories.map((c) => `${c.category || 'uncategorised'} ${c.count}`).join(', '), sortable: false },
            { key: 'who', label: 'Visitor', value: (d) => d.visitors?.join('; ') ?? '', sortable: false },
          ]} />
      </section>
      <section class="card" aria-labelledby="attempts-heading">
        <h2 id="attempts-heading">Bypass, tethering and peer-to-peer attempts</h2>
        <DataTable<NetworkEvent> id="attempts-table" caption="Attempts the firewall saw this week" rows={page.attempts} rowKey={(e) => String(e.id)} empty="None this week."
          columns={[
            { key: 'at', label: 'When', value: (e) => e.at, render: (e) => when(e.at, tz) },
            { key: 'kind', label: 'What', value: (e) => ATTEMPT[e.kind] ?? e.kind },
            { key: 'device', label: 'Device', value: (e) => e.mac ?? '', render: (e) => <span class="mono">{e.mac ?? ''}</span> },
            { key: 'network', label: 'Network', value: (e) => e.networkId ?? '' },
          ]} />
      </section>
      <section class="card" aria-labelledby="visitors-heading">
        <h2 id="visitors-heading">Visitors and their sponsors</h2>
        <DataTable<WeekVisitor> id="visitors-table" caption="Guest devices signed in this week" rows={page.visitors} rowKey={(v) => `${v.device}-${v.from}`} empty="No visitor signed in this week."
          columns={[
            { key: 'who', label: 'Visitor', value: (v) => v.who },
            { key: 'device', label: 'Device', value: (v) => v.device, render: (v) => <span class="mono">{v.device}</span> },
            { key: 'from', label: 'From', value: (v) => v.from, render: (v) => when(v.from, tz) },
            { key: 'until', label: 'Until', value: (v) => v.until, render: (v) => when(v.until, tz) },
          ]} />
      </section>
      <section class="card" aria-labelledby="reports-heading">
        <h2 id="reports-heading">Reports from the block page</h2>
        <DataTable<SiteReport> id="reports-table" caption="Sites reported this week" rows={page.reports} rowKey={(r) => String(r.id)} empty="No site was reported this week."
          columns={[
            { key: 'at', label: 'When', value: (r) => r.at, render: (r) => when(r.at, tz) },
            { key: 'kind', label: 'Report', value: (r) => (r.kind === 'should-not-be-blocked' ? 'Should not be blocked' : 'Should be blocked') },
            // Text, never a link.
            { key: 'name', label: 'Site', value: (r) => r.name ?? '', render: (r) => <span class="mono subject">{r.name ?? '(a restricted entry, not shown)'}</span> },
            { key: 'comment', label: 'Comment', value: (r) => r.comment, sortable: false },
          ]} />
      </section>
      <section class="card" aria-labelledby="changes-heading">
        <h2 id="changes-heading">Changes to filtering</h2>
        <DataTable<AuditEntry> id="changes-table" caption="From the audit log, this week" rows={page.changes} rowKey={(c) => String(c.seq)} empty="No change to filtering this week."
          columns={[
            { key: 'at', label: 'When', value: (c) => c.at, render: (c) => when(c.at, tz) },
            { key: 'who', label: 'Who', value: (c) => who(c.actor) },
            { key: 'what', label: 'What', value: (c) => `${c.action}${c.subject ? ` ${c.subject}` : ''}` },
          ]} />
      </section>
      <section class="card" aria-labelledby="due-heading">
        <h2 id="due-heading">Reviews due for a change</h2>
        {page.due.length === 0 ? <p>No review is due for a change.</p> : (
          <ul class="due-list">
            {page.due.map((d) => <li key={d.id}><strong>{DUE_TEXT[d.reason]}</strong> ({when(d.at, tz)}): {d.detail}{d.closedBy !== null ? <span class="muted"> — closed by this review</span> : null}</li>)}
          </ul>
        )}
      </section>
    </>
  );
}
