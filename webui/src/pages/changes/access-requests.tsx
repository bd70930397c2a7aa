// "Asked from the block page": the access requests staff sent from the block page on a staff
// network, still open, for accounts that may read named devices and ask for a change. Each says
// when, from which device and network, the name asked for (inert text: never a link or a preview,
// as the policies ask of flagged names), its category and the reason. "Make a change request"
// opens the request form filled in from it; "Dismiss" records who and when. One made into a change
// request stays here, with that request, until the request is decided.
import { useState } from 'preact/hooks';
import type { AccessRequestLine, OpenAccessRequests } from '../../../../firmware/admin/api/access-requests-schema.ts';
import { Button } from '../../components/button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { Link } from '../../components/link.tsx';
import { Notice, type NoticeKind } from '../../components/notice.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { useApp } from '../../context.ts';
import { asSentence, errorsOf, when } from '../admin-format.ts';
import { STATUS_WORDS } from './words.ts';

/** The request form, filled in: allow the name on the network it was asked from, the reason as the rationale. */
export function requestFormHref(r: Pick<AccessRequestLine, 'id' | 'name' | 'networkId' | 'reason'>): string {
  const q = new URLSearchParams({ allow: r.name, network: r.networkId, reason: r.reason, fromAccessRequest: String(r.id) });
  return `/changes/new?${q.toString()}`;
}

const deviceWords = (r: AccessRequestLine): string => (r.deviceName ? `${r.deviceName} (${r.mac})` : r.mac ?? r.address);

export function AccessRequests() {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const { data, error, reload } = useLoaded<OpenAccessRequests>('/api/access-requests');
  const [notice, setNotice] = useState<{ kind: NoticeKind; text: string } | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const dismiss = async (r: AccessRequestLine) => {
    setBusy(r.id);
    setNotice(null);
    try {
      await api.post(`/api/access-requests/${r.id}/dismiss`, {});
      await reload();
      setNotice({ kind: 'success', text: `Dismissed the request for ${r.name}: it is kept, with your name and the time.` });
    } catch (e) {
      setNotice({ kind: 'error', text: `Not dismissed: ${asSentence(errorsOf(e).message)}` });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="access-requests" aria-labelledby="access-requests-h">
      <h2 id="access-requests-h">Asked from the block page</h2>
      <p>Staff who met the block page on a staff network and asked for access. Make a change request from one to ask the approvers, or dismiss it.</p>
      <Notice kind="error">{error === null ? null : `Could not load them: ${error}`}</Notice>
      <Notice kind={notice?.kind ?? 'info'}>{notice?.text}</Notice>
      {data === null ? (error === null ? <p role="status">Loading…</p> : null) : (
        <DataTable<AccessRequestLine>
          id="access-requests"
          caption={`Waiting: ${data.requests.length}`}
          rows={data.requests}
          rowKey={(r) => String(r.id)}
          stack
          empty="Nobody is waiting for an answer."
          columns={[
            { key: 'at', label: 'When', value: (r) => r.at, render: (r) => when(r.at, tz) },
            { key: 'device', label: 'Device', value: (r) => deviceWords(r) },
            { key: 'network', label: 'Network', value: (r) => r.networkName },
            { key: 'name', label: 'Site asked for', value: (r) => r.name, render: (r) => <span class="mono inert-name">{r.name}</span> },
            { key: 'category', label: 'Category', value: (r) => r.categoryTitle ?? '', render: (r) => r.categoryTitle ?? <span class="muted">none</span> },
            { key: 'reason', label: 'Their reason', value: (r) => r.reason, sortable: false, render: (r) => <span class="access-reason">{r.reason}</span> },
            {
              key: 'actions', label: 'Answer', value: () => '', sortable: false,
              render: (r) => (
                <div class="row-actions">
                  {r.change !== null ? (
                    <p class="access-change">
                      <Link href={`/changes/request?id=${r.change.id}`}>Change request {r.change.id}</Link>: {STATUS_WORDS[r.change.status as keyof typeof STATUS_WORDS] ?? r.change.status}
                    </p>
                  ) : null}
                  {r.change === null || r.change.status === 'withdrawn' ? (
                    <Link href={requestFormHref(r)} class="btn btn-secondary">Make a change request<span class="visually-hidden"> for {r.name}</span></Link>
                  ) : null}
                  <Button kind="secondary" busy={busy === r.id} onClick={() => void dismiss(r)}>Dismiss<span class="visually-hidden"> the request for {r.name}</span></Button>
                </div>
              ),
            },
          ]}
        />
      )}
    </section>
  );
}
