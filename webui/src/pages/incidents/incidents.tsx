// The incident log: open incidents first, then the newest, filtered by status; each line links to
// its incident laid out like the paper log. Opening one by hand is here; from an alert, on the
// alerts page.
import { useState } from 'preact/hooks';
import type { IncidentListView, IncidentSummary } from '../../../../firmware/admin/api/incidents-schema.ts';
import { DataTable } from '../../components/data-table.tsx';
import { SelectField } from '../../components/field.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { useLoaded } from '../../components/use-loaded.ts';
import { OUTCOMES, SOURCES, when, who } from './words.ts';

const STATUS_LABELS = { open: 'Open incidents', closed: 'Closed (signed off)', all: 'All incidents' };

export function IncidentsPage() {
  const { session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const mayReview = session?.permissions.includes('monitoring.review') ?? false;
  const [status, setStatus] = useState<'open' | 'closed' | 'all'>('all');
  const { data, error } = useLoaded<IncidentListView>(`/api/incidents${status === 'all' ? '' : `?status=${status}`}`);
  return (
    <>
      <Notice kind="error">{error === null ? null : `Could not load the incidents: ${error}`}</Notice>
      <p>
        The school's incident log: what happened, who was involved, what was done and how it ended. Nothing in it is ever
        removed; a mistake is put right by a correction, which is kept beside what it corrects.
      </p>
      {mayReview ? <p class="no-print"><Link href="/incidents/open" class="btn btn-secondary">Open an incident by hand</Link></p> : null}
      <form class="filters card no-print" aria-label="Which incidents to show" onSubmit={(e) => e.preventDefault()}>
        <SelectField name="status" label="Show" value={status} options={['all', 'open', 'closed']} labels={STATUS_LABELS} onValue={(v) => setStatus(v as typeof status)} />
      </form>
      {data === null ? (error === null ? <p role="status">Loading…</p> : null) : (
        <DataTable<IncidentSummary>
          caption={`${STATUS_LABELS[status]}: ${data.incidents.length}${status === 'all' ? ', open ones first' : ''}`}
          rows={data.incidents}
          rowKey={(i) => String(i.id)}
          empty={status === 'closed' ? 'No incident has been signed off yet.' : 'No incidents. One opens by itself when a device meets a restricted (illegal content) list or the filtering provider\'s block; staff open others from an alert or by hand.'}
          columns={[
            { key: 'id', label: 'Incident', value: (i) => i.id, numeric: true, render: (i) => <Link href={`/incidents/incident?id=${i.id}`}>Incident {i.id}</Link> },
            { key: 'what', label: 'What happened', value: (i) => i.what, sortable: false },
            { key: 'status', label: 'Status', value: (i) => i.status, render: (i) => (i.status === 'open' ? <strong>Open</strong> : 'Closed') },
            { key: 'occurredAt', label: 'Happened', value: (i) => i.occurredAt, render: (i) => when(i.occurredAt, tz) },
            { key: 'source', label: 'Opened', value: (i) => i.source, render: (i) => SOURCES[i.source] },
            { key: 'outcome', label: 'Outcome', value: (i) => i.outcome ?? '', render: (i) => (i.outcome === null ? <span class="muted">not yet</span> : OUTCOMES[i.outcome]) },
            { key: 'openTasks', label: 'IT tasks open', value: (i) => i.openTasks, numeric: true },
            { key: 'reportedBy', label: 'Reported by', value: (i) => who(i.reportedBy) },
          ]}
        />
      )}
    </>
  );
}
