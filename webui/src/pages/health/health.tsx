// The gateway's health: first what needs attention (each with what to do and the page that puts
// it right), then the host (CPU temperature and load, memory, the data directory's disk, uptime,
// interfaces and their links) and the daemon (release, backups, upstream resolvers, lists, the
// query log's writer, DHCP, the firewall and bandwidth shaping).
import type { HealthView } from '../../../../firmware/admin/api/health-schema.ts';
import { DataTable } from '../../components/data-table.tsx';
import { ApplianceFacts } from '../../components/appliance-facts.tsx';
import { AttentionList } from '../../components/attention-list.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { formatBytes, formatUptime } from '../../format.ts';
import { when } from '../admin-format.ts';
import { ListFreshnessTable } from '../dashboard/freshness.tsx';
import { useLoaded } from '../../components/use-loaded.ts';

const number = new Intl.NumberFormat('en-GB');

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((100 * part) / whole)}%` : '–';
}

export function HealthPage() {
  const { session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const { data, error } = useLoaded<HealthView>('/api/health', 30_000);
  if (data === null) return <><Notice kind="error">{error === null ? null : `Could not load the health: ${error}`}</Notice>{error === null ? <p role="status">Loading…</p> : null}</>;
  const { host, daemon } = data;
  const memUsed = host.memory.totalBytes - host.memory.availableBytes;
  const fw = daemon.firewall;
  const shaping = daemon.shaping;
  return (
    <>
      <Notice kind="error">{error === null ? null : `Could not refresh: ${error}`}</Notice>
      {data.summary.problems.length > 0 ? (
        <section class="notice notice-warning attention-box" aria-labelledby="attention">
          <h2 id="attention">Needs attention</h2>
          <AttentionList items={data.summary.problems} />
        </section>
      ) : <p>No problems reported.</p>}
      <div class="two-up">
        <section class="card" aria-labelledby="host">
          <h2 id="host">The box</h2>
          <dl class="facts">
            <dt>CPU temperature</dt><dd>{host.cpu.temperatureC === null ? 'no sensor reported' : `${host.cpu.temperatureC.toFixed(1)} °C`}</dd>
            <dt>CPU load</dt><dd>{host.cpu.load.map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min; {host.cpu.cores} cores){host.cpu.busyPercent !== null ? `, ${host.cpu.busyPercent}% busy now` : ''}</dd>
            <dt>Memory</dt><dd>{formatBytes(memUsed)} of {formatBytes(host.memory.totalBytes)} in use ({percent(memUsed, host.memory.totalBytes)})</dd>
            <dt>Disk</dt>
            <dd>{host.disk === null ? 'not known' : `${formatBytes(host.disk.availableBytes)} free of ${formatBytes(host.disk.sizeBytes)} (${percent(host.disk.sizeBytes - host.disk.availableBytes, host.disk.sizeBytes)} used) on ${host.disk.mount}, which holds ${host.disk.path}`}</dd>
            <dt>Up for</dt><dd>{formatUptime(host.uptimeSeconds)}</dd>
            <dt>Read</dt><dd>{new Date(host.readAt).toLocaleTimeString('en-GB', { timeZone: tz })} (took {number.format(host.readMs)} ms)</dd>
          </dl>
          {host.unreadable.length > 0 ? <p class="muted">Could not read: {host.unreadable.join('; ')}</p> : null}
        </section>
        <section class="card" aria-labelledby="daemon">
          <h2 id="daemon">Schoolgate</h2>
          <dl class="facts">
            <ApplianceFacts version={daemon.version} release={daemon.release} backups={daemon.backups} tz={tz} />
            <dt>Running for</dt><dd>{formatUptime(daemon.uptimeSeconds)}</dd>
            <dt>Memory</dt><dd>{formatBytes(daemon.rssBytes)}</dd>
            <dt>Query log</dt>
            <dd>{number.format(daemon.queryLog.written)} questions written, {daemon.queryLog.writeErrors === 0 ? 'no write errors' : <strong class="warn">{number.format(daemon.queryLog.writeErrors)} batches lost</strong>}; writer {daemon.queryLog.writer}{daemon.queryLog.writerReason ? ` (${daemon.queryLog.writerReason})` : ''}</dd>
            <dt>DHCP</dt>
            <dd>{daemon.dhcp.enabled ? daemon.dhcp.networks.map((n) => `${n.id}: ${n.used} of ${n.poolSize} addresses in use`).join('; ') || 'no networks' : 'off'}</dd>
            <dt>Firewall</dt>
            <dd>{fw === null || !fw.enabled ? 'off' : fw.error !== null ? <strong class="warn">last change refused: {fw.error}</strong> : `applied ${fw.appliedAt !== null ? when(fw.appliedAt, tz) : 'not yet'}`}</dd>
            <dt>Bandwidth shaping</dt>
            <dd>{shaping === null || !shaping.enabled ? 'off' : shaping.error !== null ? <strong class="warn">{shaping.error}</strong> : `${shaping.engine ?? 'not applied yet'}`}</dd>
          </dl>
        </section>
      </div>
      <section class="card" aria-labelledby="ifaces">
        <h2 id="ifaces">Interfaces</h2>
        <DataTable
          id="interfaces"
          caption="Network interfaces and their links"
          rows={host.interfaces}
          rowKey={(i) => i.name}
          empty="No interfaces were read."
          columns={[
            { key: 'name', label: 'Interface', value: (i) => i.name },
            { key: 'link', label: 'Link', value: (i) => (i.up ? 'up' : i.state), render: (i) => (i.up ? 'up' : <strong class="warn">{i.state}</strong>) },
            { key: 'speed', label: 'Speed', numeric: true, value: (i) => i.speedMbps ?? -1, render: (i) => (i.speedMbps === null ? '–' : `${number.format(i.speedMbps)} Mbit/s`) },
            { key: 'ipv4', label: 'IPv4', value: (i) => i.ipv4.join(', ') },
            { key: 'mac', label: 'MAC', value: (i) => i.mac, render: (i) => <span class="mono">{i.mac}</span> },
          ]}
        />
      </section>
      <section class="card" aria-labelledby="upstreams">
        <h2 id="upstreams">Upstream resolvers</h2>
        <DataTable
          id="upstreams-table"
          caption={daemon.upstreamSource === 'system' ? "The gateway's own system resolvers (none is chosen on the Networks page yet)" : 'The resolvers questions are forwarded to'}
          rows={daemon.upstreams}
          rowKey={(u) => `${u.name}/${u.address}/${u.port}`}
          empty="No upstream resolver is known."
          columns={[
            { key: 'name', label: 'Name', value: (u) => u.name },
            { key: 'address', label: 'Address', value: (u) => `${u.address}:${u.port}` },
            { key: 'state', label: 'State', value: (u) => (u.failing ? 'failing' : 'answering'), render: (u) => (u.failing ? <strong class="warn">failing</strong> : 'answering') },
          ]}
        />
      </section>
      <section class="card" aria-labelledby="lists">
        <h2 id="lists">Lists</h2>
        <ListFreshnessTable lists={data.lists} timezone={tz} />
      </section>
    </>
  );
}
