// The exceptions beside the AUP tables: each name allowed through (or blocked beyond) its policy,
// where, until when, why and who asked, so the table on paper and what the gateway does agree.
// Ending one early is itself a change request (two approvers), never a button that removes it.
import type { ExceptionsPage, ExceptionView } from '../../../../firmware/admin/api/changes-schema.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { useApp } from '../../context.ts';
import { when } from '../admin-format.ts';

export function ExceptionsList() {
  const { session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const mayRequest = session?.permissions.includes('changes.request') ?? false;
  const { data, error } = useLoaded<ExceptionsPage>('/api/exceptions', null);
  return (
    <section class="aup-exceptions" aria-labelledby="exceptions-h">
      <h2 id="exceptions-h">Exceptions</h2>
      <p>Sites allowed or blocked beyond these tables, each agreed through a change request{mayRequest ? <> (<Link href="/changes/new">ask for one</Link>)</> : null}.</p>
      <Notice kind="error">{error === null ? null : `Could not load the exceptions: ${error}`}</Notice>
      {data === null ? (error === null ? <p role="status">Loading…</p> : null) : (
        <DataTable<ExceptionView>
          id="exceptions"
          caption={`Exceptions: ${data.exceptions.length}`}
          rows={data.exceptions}
          rowKey={(x) => x.id}
          stack
          empty="No exceptions: every network is filtered exactly as its table says."
          columns={[
            { key: 'domain', label: 'Site', value: (x) => x.domain, render: (x) => <span class="mono">{x.domain}</span> },
            { key: 'action', label: 'Allowed or blocked', value: (x) => x.action, render: (x) => (x.action === 'allow' ? 'Allowed' : 'Blocked') },
            { key: 'where', label: 'Where', value: (x) => x.where, sortable: false },
            { key: 'expires', label: 'Until', value: (x) => x.expires ?? '', render: (x) => (x.expires === null ? 'no end date' : x.expired ? <span><s>{when(x.expires, tz)}</s> <strong>ended</strong></span> : when(x.expires, tz)) },
            { key: 'reason', label: 'Why', value: (x) => x.reason, sortable: false },
            { key: 'requestedBy', label: 'Asked by', value: (x) => x.requestedBy, render: (x) => (x.changeRequest === null ? x.requestedBy
              // One element: a stacked row lays each child of the cell out as its own item.
              : <span>{x.requestedBy} (<Link href={`/changes/request?id=${x.changeRequest}`}>request {x.changeRequest}</Link>)</span>) },
            ...(mayRequest ? [{ key: 'end', label: 'End early', sortable: false, value: (x: ExceptionView) => x.id,
              render: (x: ExceptionView) => (x.expired ? <span class="muted">expired</span> : <Link href={`/changes/new?end=${encodeURIComponent(x.id)}`}>End {x.domain} early</Link>) }] : []),
          ]}
        />
      )}
    </section>
  );
}
