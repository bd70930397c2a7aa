// The sponsor's queue: visitors who registered on the guest Wi-Fi naming this account (every
// request for visitors.manage). Approve with a validity and a device limit, decline or withdraw
// with a reason; the server checks who may decide, this page only offers it.
import { useState } from 'preact/hooks';
import type { Approval, ApprovalResult, VisitorQueue, VisitorRequest } from '../../../../firmware/admin/api/visitors-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { TextField } from '../../components/field.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { useApp } from '../../context.ts';
import { STATE_WORDS, when } from './when.ts';
import './visitors.css';

const VALIDITY: Record<string, Approval['validity']> = {
  'end-of-day': { until: 'end-of-day' }, '1': { hours: 1 }, '2': { hours: 2 }, '4': { hours: 4 }, '8': { hours: 8 },
};
const VALIDITY_WORDS: Record<string, string> = { 'end-of-day': 'Until the end of today', '1': 'For 1 hour', '2': 'For 2 hours', '4': 'For 4 hours', '8': 'For 8 hours' };

type Ending = { kind: 'decline' | 'withdraw'; request: VisitorRequest } | null;

function ApproveForm({ request, onDone }: { request: VisitorRequest; onDone: (text: string) => void }) {
  const { api } = useApp();
  const [validity, setValidity] = useState('end-of-day');
  const [devices, setDevices] = useState('1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `approve-${request.id}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const body: Approval = { validity: VALIDITY[validity]!, maxDevices: Number(devices) };
      const r = await api.post<ApprovalResult>(`/api/visitors/${request.id}/approve`, body);
      onDone(r.deviceOnline ? `${request.visitor.name} is online now.` : `${request.visitor.name} is approved; their device had left the guest Wi-Fi, so they register again when back.`);
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="approve-form" noValidate onSubmit={submit} aria-label={`Approve ${request.visitor.name}`}>
      <Notice kind="error">{error}</Notice>
      <div class="field">
        <label for={`${id}-validity`}>How long</label>
        <select id={`${id}-validity`} value={validity} onChange={(e) => setValidity((e.currentTarget as HTMLSelectElement).value)}>
          {Object.keys(VALIDITY).map((k) => <option key={k} value={k}>{VALIDITY_WORDS[k]}</option>)}
        </select>
      </div>
      <div class="field">
        <label for={`${id}-devices`}>Devices</label>
        <select id={`${id}-devices`} value={devices} onChange={(e) => setDevices((e.currentTarget as HTMLSelectElement).value)}>
          {['1', '2', '3'].map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </div>
      <div class="actions"><Button type="submit" busy={busy}>Approve {request.visitor.name}</Button></div>
    </form>
  );
}

export function VisitorQueuePage() {
  const { api, session } = useApp();
  // New requests arrive while the page is open: look again every 20 s.
  const { data: queue, error: loadError, reload: load } = useLoaded<VisitorQueue>('/api/visitors/queue', 20_000);
  const [done, setDone] = useState<string | null>(null);
  const [ending, setEnding] = useState<Ending>(null);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>(undefined);
  const timezone = session?.site.timezone ?? 'Europe/London';
  const manage = session?.permissions.includes('visitors.manage') ?? false;

  // The notice once the list is fresh, so what it says and what the list shows agree.
  const finished = async (text: string) => { await load(); setDone(text); };
  const confirmEnding = async () => {
    if (ending === null) return;
    if (reason.trim().length < 3) { setReasonError('Give a reason of a few words: it is kept with the visitor\'s record.'); return; }
    try {
      await api.post(`/api/visitors/${ending.request.id}/${ending.kind}`, { reason: reason.trim() });
      void finished(ending.kind === 'decline' ? `${ending.request.visitor.name}'s request is declined.` : `${ending.request.visitor.name}'s access has ended on every device.`);
      setEnding(null);
      setReason('');
      setReasonError(undefined);
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      setReasonError(err.fields.reason ?? err.message);
    }
  };

  const pending = queue?.requests.filter((r) => r.state === 'pending') ?? [];
  const approved = queue?.requests.filter((r) => r.state === 'approved') ?? [];
  return (
    <>
      <Notice kind="error">{loadError}</Notice>
      <Notice kind="success">{done}</Notice>
      <p class="lead">{queue === null ? 'Loading…' : pending.length === 0 ? 'Nobody is waiting for you.' : `${pending.length} visitor${pending.length === 1 ? ' is' : 's are'} waiting.`}</p>
      {manage ? <p><Link href="/visitors/records">Every visitor's record</Link></p> : null}
      <p><Link href="/account/sponsor-code">Your sponsor code for reception</Link></p>
      <p><Link href="/visitors/regular">Regular visitors</Link> (a code for the term) · <Link href="/vouchers/groups">Vouchers for a group or event</Link></p>
      <ul class="card-list">
        {pending.map((r) => (
          <li key={r.id} class="card">
            <h2>{r.visitor.name}</h2>
            <dl class="facts">
              <dt>Organisation</dt><dd>{r.visitor.organisation}</dd>
              <dt>Purpose</dt><dd>{r.visitor.purpose}</dd>
              {manage ? <><dt>Sponsor</dt><dd>{r.visitor.sponsorName}</dd></> : null}
              <dt>Asked</dt><dd>{when(r.created, timezone)}</dd>
            </dl>
            <ApproveForm request={r} onDone={finished} />
            <div class="actions"><Button kind="secondary" onClick={() => { setEnding({ kind: 'decline', request: r }); setReason(''); setReasonError(undefined); }}>Decline {r.visitor.name}…</Button></div>
          </li>
        ))}
      </ul>
      {approved.length > 0 ? <h2>Visitors you let on</h2> : null}
      <ul class="card-list">
        {approved.map((r) => (
          <li key={r.id} class="card">
            <h3>{r.visitor.name}</h3>
            <p>{r.visitor.organisation} · {STATE_WORDS[r.state]} {when(r.decidedAt, timezone)} by {r.decidedBy?.replace(/^account:/, '')}</p>
            <div class="actions"><Button kind="danger" onClick={() => { setEnding({ kind: 'withdraw', request: r }); setReason(''); setReasonError(undefined); }}>End {r.visitor.name}'s access…</Button></div>
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={ending !== null}
        title={ending?.kind === 'withdraw' ? `End ${ending.request.visitor.name}'s access?` : `Decline ${ending?.request.visitor.name ?? ''}?`}
        confirmLabel={ending?.kind === 'withdraw' ? 'End access now' : 'Decline'}
        onConfirm={() => void confirmEnding()}
        onCancel={() => setEnding(null)}
      >
        <p>{ending?.kind === 'withdraw' ? 'Every device of this visitor leaves the guest Wi-Fi at once.' : 'The visitor sees that they were not approved.'}</p>
        <TextField name="reason" label="Reason" value={reason} onValue={setReason} error={reasonError} maxLength={300} />
      </ConfirmDialog>
    </>
  );
}
