// The buttons a change request's page offers the signed-in account, and only those (the server
// says which: approve or decline with a note, withdraw, apply here, record as sent upstream with
// the provider's reference). Each asks for confirmation first, saying what it will do.
import { useState } from 'preact/hooks';
import type { ChangeRequestPage } from '../../../../firmware/admin/api/changes-schema.ts';
import { Button } from '../../components/button.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { TextAreaField, TextField } from '../../components/field.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { errorsOf } from '../admin-format.ts';

type Step = 'approve' | 'decline' | 'withdraw' | 'apply' | 'upstream';

const DONE: Readonly<Record<Step, (id: number) => string>> = {
  approve: (id) => `You approved change request ${id}.`,
  decline: (id) => `You declined change request ${id}: the person who asked is told.`,
  withdraw: (id) => `Change request ${id} was withdrawn.`,
  apply: (id) => `Change request ${id} was applied: the gateway filters by it from now on.`,
  upstream: (id) => `Change request ${id} was recorded as sent to the filtering provider.`,
};

export function ChangeActions({ page, onDone }: { page: ChangeRequestPage; onDone: (next: ChangeRequestPage, message: string) => void }) {
  const { api } = useApp();
  const { request: r, may } = page;
  const [note, setNote] = useState('');
  const [reference, setReference] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failed, setFailed] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Step | null>(null);
  const [busy, setBusy] = useState<Step | null>(null);

  if (!may.approve && !may.decline && !may.withdraw && !may.apply && !may.upstream) return null;

  const ask = (step: Step) => {
    setFailed(null);
    const problems: Record<string, string> = {};
    if (step === 'decline' && note.trim().length < 3) problems.note = 'say why it is declined: the person who asked is told';
    if (step === 'upstream' && reference.trim() === '') problems.reference = "give the filtering provider's reference for the change";
    setErrors(problems);
    if (Object.keys(problems).length === 0) setConfirming(step);
  };

  const run = async (step: Step) => {
    setConfirming(null);
    setBusy(step);
    const body = step === 'apply' ? {}
      : step === 'upstream' ? { reference: reference.trim(), ...(note.trim() ? { note: note.trim() } : {}) }
      : note.trim() ? { note: note.trim() } : {};
    try {
      const next = await api.post<ChangeRequestPage>(`/api/changes/${r.id}/${step}`, body);
      setNote('');
      setReference('');
      setErrors({});
      onDone(next, DONE[step](r.id));
    } catch (e) {
      const { fields, message } = errorsOf(e);
      setErrors(fields);
      setFailed(`${message.charAt(0).toUpperCase()}${message.slice(1)}.`);
    } finally {
      setBusy(null);
    }
  };

  const confirmWords: Record<Step, { title: string; body: string; label: string }> = {
    approve: { title: `Approve change request ${r.id}?`, label: 'Approve',
      body: r.approvals.length === 0 ? 'Yours is the first of the two approvals it needs.'
        : r.proposal.kind === 'investigation' ? 'Yours is the second approval: the gateway starts the investigation at once.'
        : 'Yours is the second approval: the change is then approved, and the IT provider is told to apply it.' },
    decline: { title: `Decline change request ${r.id}?`, label: 'Decline', body: 'It ends here; nothing is changed. The person who asked is told, with your note.' },
    withdraw: { title: `Withdraw change request ${r.id}?`, label: 'Withdraw', body: 'It ends here; nothing is changed. A new request can be made later.' },
    apply: r.proposal.kind === 'investigation'
      ? { title: `Try again to start investigation ${r.id}?`, label: 'Try again', body: 'It could not be started at the second approval (the last step says why). The gateway tries again now; the audit log records that you did.' }
      : { title: `Apply change request ${r.id} here?`, label: 'Apply it now', body: 'The gateway changes its configuration at once and filters by it from then on. The audit log records that you applied it.' },
    upstream: { title: `Record change request ${r.id} as sent upstream?`, label: 'Record it',
      body: `Say that the filtering provider was asked to make this change, reference ${reference.trim() || '(none)'}. Nothing is changed on this gateway.` },
  };

  return (
    <section class="card no-print change-actions" aria-labelledby="actions-h">
      <h2 id="actions-h">{may.apply || may.upstream ? 'Apply the approved change' : may.approve || may.decline ? 'Your decision' : 'This request'}</h2>
      <Notice kind="error">{failed}</Notice>
      {may.approve || may.decline || may.upstream || may.withdraw ? (
        <TextAreaField name="note" label="Note" required={false} rows={2} maxLength={2000} value={note} onValue={setNote} error={errors.note}
          hint={may.decline ? 'Shown on the request. Needed to decline: the person who asked is told why.' : 'Shown on the request and kept in the audit log.'} />
      ) : null}
      {may.upstream ? (
        <TextField name="reference" label="The filtering provider's reference" required={false} maxLength={200} value={reference} onValue={setReference} error={errors.reference}
          hint="Only when the change is made by the upstream filtering provider rather than on this gateway." />
      ) : null}
      <div class="actions">
        {may.approve ? <Button busy={busy === 'approve'} onClick={() => ask('approve')}>Approve</Button> : null}
        {may.decline ? <Button kind="danger" busy={busy === 'decline'} onClick={() => ask('decline')}>Decline</Button> : null}
        {may.apply ? <Button busy={busy === 'apply'} onClick={() => ask('apply')}>Apply it here</Button> : null}
        {may.upstream ? <Button kind="secondary" busy={busy === 'upstream'} onClick={() => ask('upstream')}>Record as sent upstream</Button> : null}
        {may.withdraw ? <Button kind="secondary" busy={busy === 'withdraw'} onClick={() => ask('withdraw')}>Withdraw the request</Button> : null}
      </div>
      {confirming !== null ? (
        <ConfirmDialog open title={confirmWords[confirming].title} confirmLabel={confirmWords[confirming].label}
          onConfirm={() => void run(confirming)} onCancel={() => setConfirming(null)}>
          <ul class="plain-list">{r.summary.map((line, i) => <li key={i}>{line}</li>)}</ul>
          <p>{confirmWords[confirming].body}</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
