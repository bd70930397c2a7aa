// The change requests: those waiting for this account's approval first, then the others still
// open, then the decided ones. A member of staff sees their own requests; approvers, the IT
// provider and auditors see every one. Each line leads to its request's page. Below them, for
// accounts that may read named devices, the access requests staff sent from the block page.
import type { ChangeListPage, ChangeSummary } from '../../../../firmware/admin/api/changes-schema.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { useApp } from '../../context.ts';
import { when } from '../admin-format.ts';
import { who } from '../people.ts';
import { SENIOR_APPROVERS_WORDS } from '../incidents/investigation-words.ts';
import { AccessRequests } from './access-requests.tsx';
import { isOpen, STATUS_WORDS } from './words.ts';
import './changes.css';

function ChangeTable({ id, caption, rows, empty, names, tz }: { id: string; caption: string; rows: ChangeSummary[]; empty: string; names: Record<string, string>; tz: string }) {
  return (
    <DataTable<ChangeSummary>
      id={id}
      caption={`${caption}: ${rows.length}`}
      rows={rows}
      rowKey={(c) => String(c.id)}
      stack
      empty={empty}
      columns={[
        { key: 'id', label: 'Request', value: (c) => c.id, render: (c) => <Link href={`/changes/request?id=${c.id}`}>Request {c.id}</Link> },
        { key: 'title', label: 'What', value: (c) => c.title, sortable: false },
        { key: 'requestedBy', label: 'Asked by', value: (c) => who(c.requestedBy, names[c.requestedBy]) },
        { key: 'requestedAt', label: 'Asked', value: (c) => c.requestedAt, render: (c) => when(c.requestedAt, tz) },
        {
          key: 'status', label: 'Status', value: (c) => c.status,
          render: (c) => (
            <span>
              <span class={`change-status status-${c.status}`}>{STATUS_WORDS[c.status]}</span>
              {c.status === 'awaiting-approval' ? <><br /><span class="muted">{c.approvals} of 2 approvals{c.needsHead ? ', the headteacher needed' : ''}</span></> : null}
            </span>
          ),
        },
        { key: 'decidedAt', label: 'Decided', value: (c) => c.decidedAt ?? '', render: (c) => (c.decidedAt === null ? <span class="muted">not yet</span> : when(c.decidedAt, tz)) },
      ]}
    />
  );
}

export function ChangesPage() {
  const { session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const { data, error } = useLoaded<ChangeListPage>('/api/changes');
  const waiting = new Set(data?.waitingForYou ?? []);
  const changes = data?.changes ?? [];
  const mayApprove = session?.permissions.includes('changes.approve') ?? false;
  const readsAccessRequests = session?.permissions.includes('monitoring.view') === true && session.permissions.includes('changes.request');
  return (
    <>
      <Notice kind="error">{error === null ? null : `Could not load the change requests: ${error}`}</Notice>
      <div class="changes-intro">
        <p>
          Changes to filtering are asked for here, in writing: a site allowed or blocked (on some networks, for a group or for single
          devices), and edits to a policy, to a network's or a group's policy, to a schedule in use or to what teachers may unlock.
          Any member of staff may ask. Two other people with approval rights agree, the headteacher among them for those edits and for
          an allow that reaches pupils or names devices; then the IT provider applies it or passes it to the filtering provider.
        </p>
        <p>
          Investigating a device is asked for from its incident and seen by safeguarding staff only: {SENIOR_APPROVERS_WORDS}, approve
          it, and the second approval starts it. Every step is kept in the audit log.
        </p>
      </div>
      <p class="no-print"><Link href="/changes/new" class="btn btn-primary">Ask for a change</Link></p>
      {data !== null && data.approvers < 2 ? (
        <Notice kind="warning">Fewer than two accounts can approve a change: no request can be approved until the headteacher gives a second person approval rights.</Notice>
      ) : null}
      {data === null ? (error === null ? <p role="status">Loading…</p> : null) : data.all ? (
        <div class="changes-lists">
          {mayApprove ? (
            <ChangeTable id="changes-waiting" caption="Waiting for your approval" rows={changes.filter((c) => waiting.has(c.id))} names={data.names} tz={tz}
              empty="Nothing is waiting for your approval." />
          ) : null}
          <ChangeTable id="changes-open" caption={mayApprove ? 'Other open requests' : 'Open requests'} rows={changes.filter((c) => isOpen(c.status) && !waiting.has(c.id))} names={data.names} tz={tz}
            empty="No other request is open." />
          <ChangeTable id="changes-decided" caption="Decided" rows={changes.filter((c) => !isOpen(c.status))} names={data.names} tz={tz}
            empty="No request has been decided yet." />
        </div>
      ) : (
        <div class="changes-lists">
          <ChangeTable id="changes-mine" caption="Your requests" rows={changes} names={data.names} tz={tz}
            empty="You have not asked for a change yet." />
        </div>
      )}
      {readsAccessRequests ? <AccessRequests /> : null}
    </>
  );
}
