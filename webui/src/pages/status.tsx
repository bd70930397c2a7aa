// The gateway's status from GET /api/status: what needs attention first, then the release that
// runs, its last upgrade and the newest backup, networks with their DNS questions, answers by
// verdict, the lists in service and what is stored. Refreshed every 30 seconds while open.
import { useEffect, useState } from 'preact/hooks';
import type { DaemonStatus } from '../../../firmware/status.ts';
import { ApplianceFacts } from '../components/appliance-facts.tsx';
import { AttentionList } from '../components/attention-list.tsx';
import { DataTable } from '../components/data-table.tsx';
import { Notice } from '../components/notice.tsx';
import { useApp } from '../context.ts';
import { formatUptime } from '../format.ts';
import { when } from './admin-format.ts';

const number = new Intl.NumberFormat('en-GB');

export function StatusPage() {
  const { api, session } = useApp();
  const [status, setStatus] = useState<DaemonStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        const s = await api.get<DaemonStatus>('/api/status');
        if (!stop) {
          setStatus(s);
          setError(null);
        }
      } catch (e) {
        if (!stop) setError(e instanceof Error ? e.message : String(e));
      }
    };
    void load();
    // Only while the page is in view: a tab left open in the office should not poll all night.
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, 30_000);
    return () => {
      stop = true;
      window.clearInterval(timer);
    };
  }, []);

  if (status === null) return <><Notice kind="error">{error}</Notice>{error === null ? <p role="status">Loading…</p> : null}</>;
  const tz = session?.site.timezone ?? 'Europe/London';
  const verdicts = Object.entries(status.dns.counters.byVerdict).map(([verdict, count]) => ({ verdict, count: Number(count) }));
  return (
    <>
      <Notice kind="error">{error === null ? null : `Could not refresh: ${error}`}</Notice>
      {status.attention !== undefined && status.attention.length > 0 ? (
        <section class="notice notice-warning attention-box" aria-labelledby="attention">
          <h2 id="attention">Needs attention</h2>
          <AttentionList items={status.attention} />
        </section>
      ) : null}
      <section class="card" aria-labelledby="gw">
        <h2 id="gw">Gateway</h2>
        <dl class="facts">
          <ApplianceFacts version={status.version} release={status.release} backups={status.backups} tz={tz} />
          <dt>Running for</dt><dd>{formatUptime(status.uptimeSeconds)}</dd>
          <dt>Devices known</dt><dd>{number.format(status.state.devices)}</dd>
          <dt>Audit log entries</dt><dd>{number.format(status.state.auditEntries)}</dd>
          <dt>Lists in service</dt>
          <dd>
            {number.format(status.dns.matcher.names)} names across the lists
            {status.lists.loadedAt !== null ? `, loaded ${when(status.lists.loadedAt, tz)}` : ''}
            {status.lists.problems > 0 ? <strong class="warn"> — {status.lists.problems} with problems</strong> : null}
          </dd>
          <dt>Upstream resolvers</dt>
          <dd>{status.dns.upstreams.length === 0 ? 'the system\'s' : status.dns.upstreams.map((u) => `${u.name}${u.failing ? ' (failing)' : ''}`).join(', ')}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="nets">
        <h2 id="nets">Networks</h2>
        <DataTable
          id="networks"
          caption="Each network, its policy and its DNS questions since the gateway started"
          rows={status.networks}
          rowKey={(n) => n.id}
          empty="No networks are configured yet."
          columns={[
            { key: 'name', label: 'Network', value: (n) => n.name },
            { key: 'kind', label: 'Kind', value: (n) => n.kind },
            { key: 'subnets', label: 'Subnets', value: (n) => n.subnets.join(', ') },
            { key: 'interface', label: 'Interface', value: (n) => n.interface },
            { key: 'policy', label: 'Policy', value: (n) => n.policy },
            { key: 'enabled', label: 'Enabled', value: (n) => (n.enabled ? 'on' : 'off') },
            { key: 'questions', label: 'DNS questions', numeric: true, value: (n) => Number(status.dns.counters.byNetwork[n.id] ?? 0), render: (n) => number.format(Number(status.dns.counters.byNetwork[n.id] ?? 0)) },
          ]}
        />
      </section>
      <section class="card" aria-labelledby="dns">
        <h2 id="dns">DNS answers since start</h2>
        <DataTable
          id="verdicts"
          caption="Questions by what the gateway answered"
          rows={verdicts}
          rowKey={(v) => v.verdict}
          empty="No questions answered yet."
          initialSort={{ key: 'count', direction: 'descending' }}
          columns={[
            { key: 'verdict', label: 'Answer', value: (v) => v.verdict },
            { key: 'count', label: 'Questions', numeric: true, value: (v) => v.count, render: (v) => number.format(v.count) },
          ]}
        />
      </section>
    </>
  );
}
