// The alerts: open ones by default (or all, with those acknowledged), filtered by severity, kind
// and network; each with its network, device, times, count, what was looked up as inert text and
// why; acknowledged with a note saying what was done (the same logic as `schoolgate alerts ack`).
import { useRef, useState } from 'preact/hooks';
import type { AlertListView } from '../../../../firmware/admin/api/alerts-schema.ts';
import type { IncidentListView } from '../../../../firmware/admin/api/incidents-schema.ts';
import type { Alert, AlertKind } from '../../../../firmware/monitor/alerts/alert-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { SelectField, TextField } from '../../components/field.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { useLoaded } from '../../components/use-loaded.ts';
import { who } from '../people.ts';

const number = new Intl.NumberFormat('en-GB');
const ANY = 'any';
const SEVERITIES = [ANY, 'critical', 'high', 'medium', 'low'];

/** Every kind, in words a DSL reads (a Record, so a new kind fails the type check until named). */
export const KIND_LABELS: Record<AlertKind, string> = {
  'dns.restricted': 'restricted list (illegal content)',
  'dns.category': 'blocked category',
  'dns.watch': 'watched visit',
  'dns.keyword': 'keyword',
  'dns.bypass': 'filter bypass attempt (DNS)',
  'dns.rate-limited': 'storm of questions',
  'net.bypass': 'filter bypass attempt (firewall)',
  'net.tethering': 'hotspot (tethering)',
  'net.p2p': 'peer-to-peer',
  'net.suspended': 'device suspended',
  'dhcp.rogue-server': 'another DHCP server',
  'dhcp.school-device-on-guest': 'school device on guest',
  'dhcp.starvation': 'DHCP starvation',
  'dhcp.pool-exhausted': 'addresses ran out',
  'lists.feed-failed': 'list download failed',
  'system.crash-restart': 'gateway restarted after a crash',
  'system.selftest-failed': 'filter self-test failed',
  'system.break-glass': 'recovery account used',
  'portal.lockout': 'voucher codes being guessed',
  'review.overdue': 'weekly review overdue',
  'report.site': 'site reported from the block page',
};

function when(iso: string, tz: string): string {
  return new Date(iso).toLocaleString('en-GB', { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' });
}

function device(a: Alert): string {
  return a.deviceName ?? a.mac ?? a.address ?? 'no device';
}

export function AlertsPage() {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const mayReview = session?.permissions.includes('monitoring.review') ?? false;
  const [filter, setFilter] = useState({ status: 'open', severity: ANY, kind: ANY, network: ANY });
  const query = new URLSearchParams({ status: filter.status });
  if (filter.severity !== ANY) query.set('severity', filter.severity);
  if (filter.kind !== ANY) query.set('kind', filter.kind);
  if (filter.network !== ANY) query.set('network', filter.network);
  const { data, error, reload } = useLoaded<AlertListView>(`/api/alerts?${query}`);
  // Which alerts have an incident (a critical restricted-list alert opens its own), so each leads to it.
  const incidents = useLoaded<IncidentListView>('/api/incidents').data;
  const incidentOf = new Map((incidents?.incidents ?? []).filter((i) => i.alertId !== null).map((i) => [i.alertId!, i.id]));
  // The networks seen so far, so a filter chosen stays in the list while it hides the others.
  const networks = useRef(new Set<string>());
  for (const a of data?.alerts ?? []) if (a.networkId !== null) networks.current.add(a.networkId);

  const [notes, setNotes] = useState<Record<number, string>>({});
  const [errors, setErrors] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState<number | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const acknowledge = async (alert: Alert) => {
    setBusy(alert.id);
    setDone(null);
    try {
      await api.post(`/api/alerts/${alert.id}/ack`, { note: notes[alert.id] ?? '' });
      setErrors(({ [alert.id]: _gone, ...rest }) => rest);
      setNotes(({ [alert.id]: _gone, ...rest }) => rest);
      setDone(`Alert ${alert.id} acknowledged.`);
      reload();
    } catch (e) {
      const message = e instanceof ApiRequestError ? e.fields.note ?? e.fields['(body)'] ?? e.message : String(e);
      setErrors((x) => ({ ...x, [alert.id]: message }));
      document.getElementById(`f-note-${alert.id}`)?.focus();
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <Notice kind="error">{error === null ? null : `Could not load the alerts: ${error}`}</Notice>
      <Notice kind="success">{done}</Notice>
      <form class="filters card no-print" aria-label="Which alerts to show" onSubmit={(e) => e.preventDefault()}>
        <SelectField name="status" label="Show" value={filter.status} options={['open', 'all']} labels={{ open: 'Open alerts', all: 'All, acknowledged ones too' }} onValue={(status) => setFilter({ ...filter, status })} />
        <SelectField name="severity" label="Severity" value={filter.severity} options={SEVERITIES} onValue={(severity) => setFilter({ ...filter, severity })} />
        <SelectField name="kind" label="Kind" value={filter.kind} options={[ANY, ...Object.keys(KIND_LABELS)]} labels={KIND_LABELS} onValue={(kind) => setFilter({ ...filter, kind })} />
        <SelectField name="network" label="Network" value={filter.network} options={[ANY, ...[...networks.current].sort()]} onValue={(network) => setFilter({ ...filter, network })} />
      </form>
      {data === null ? (error === null ? <p role="status">Loading…</p> : null) : (
        <>
          <p class="print-only">
            Printed {when(new Date().toISOString(), tz)} by {session?.account.displayName}; showing {filter.status === 'all' ? 'all alerts, acknowledged ones too' : 'open alerts'}
            {filter.severity !== ANY ? `, severity ${filter.severity}` : ''}{filter.kind !== ANY ? `, kind ${KIND_LABELS[filter.kind as AlertKind] ?? filter.kind}` : ''}{filter.network !== ANY ? `, network ${filter.network}` : ''}.
          </p>
          <p role="status">{data.alerts.length === 0
            ? (filter.status === 'open' && filter.severity === ANY && filter.kind === ANY && filter.network === ANY
              ? 'No open alerts. An alert appears here when a device asks for something the policy treats as a concern, a network or list problem is found, or the daily filter self-test fails.'
              : 'No alerts match these choices.')
            : `${number.format(data.alerts.length)} ${data.alerts.length === 1 ? 'alert' : 'alerts'}, newest first.`}</p>
          <ol class="alert-list">
            {data.alerts.map((a) => (
              <li key={a.id} class={`card alert-card sev-border-${a.severity}`}>
                <h2 class="alert-title">
                  <span class={`sev sev-${a.severity}`}>{a.severity}</span> {KIND_LABELS[a.kind] ?? a.kind} <span class="muted">#{a.id}</span>
                </h2>
                <dl class="facts">
                  <dt>Network</dt><dd>{a.networkId ?? 'none'}</dd>
                  <dt>Device</dt><dd>{device(a)}{a.deviceName !== null && a.mac !== null ? <span class="muted mono"> ({a.mac})</span> : null}</dd>
                  <dt>When</dt><dd>{when(a.firstAt, tz) !== when(a.lastAt, tz) ? `${when(a.firstAt, tz)} to ${when(a.lastAt, tz)}` : when(a.lastAt, tz)}</dd>
                  <dt>Times</dt><dd>{number.format(a.count)}</dd>
                  {/* Text, never a link: a name a pupil looked up must not be one click away. */}
                  <dt>Looked up or seen</dt><dd class="subject mono">{a.subject}</dd>
                  <dt>Why</dt><dd>{a.reason}</dd>
                  {a.status === 'acknowledged' ? (
                    <>
                      <dt>Acknowledged</dt><dd>{a.acknowledgedAt !== null ? when(a.acknowledgedAt, tz) : ''} by {who(a.acknowledgedBy ?? '')}</dd>
                      <dt>Note</dt><dd>{a.note}</dd>
                    </>
                  ) : null}
                </dl>
                {a.status === 'open' && mayReview ? (
                  <form class="ack-form no-print" onSubmit={(e) => { e.preventDefault(); void acknowledge(a); }}>
                    <TextField
                      name={`note-${a.id}`}
                      label="What was done about it"
                      value={notes[a.id] ?? ''}
                      onValue={(v) => setNotes((x) => ({ ...x, [a.id]: v }))}
                      error={errors[a.id]}
                      maxLength={2000}
                      spellcheck
                    />
                    <Button type="submit" busy={busy === a.id}>Acknowledge #{a.id}</Button>
                  </form>
                ) : null}
                {incidentOf.has(a.id) ? (
                  <p class="open-incident"><Link href={`/incidents/incident?id=${incidentOf.get(a.id)}`}>{`Incident ${incidentOf.get(a.id)}`}</Link> was opened from this alert.</p>
                ) : mayReview ? (
                  <p class="no-print open-incident"><Link href={`/incidents/open?alert=${a.id}`}>{a.kind === 'report.site' ? `Open an incident from this report (alert #${a.id})` : `Open an incident from alert #${a.id}`}</Link></p>
                ) : null}
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}
