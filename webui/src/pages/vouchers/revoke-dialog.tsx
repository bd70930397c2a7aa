// "Revoke…" / "End access…" with a reason, kept with the record: the reason's error beside it,
// what was typed kept when the gateway refuses.
import { useEffect, useState } from 'preact/hooks';
import { ApiRequestError } from '../../api.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { TextField } from '../../components/field.tsx';
import { useApp } from '../../context.ts';

export function RevokeDialog(props: { open: boolean; title: string; body: string; confirmLabel: string; url: string; onDone: () => void; onCancel: () => void }) {
  const { api } = useApp();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => { if (props.open) { setReason(''); setError(undefined); } }, [props.open]);
  const confirm = async () => {
    if (reason.trim().length < 3) { setError('Give a reason of a few words: it is kept with the record.'); return; }
    try {
      await api.post(props.url, { reason: reason.trim() });
      props.onDone();
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      setError(err.fields.reason ?? err.message);
    }
  };
  return (
    <ConfirmDialog open={props.open} title={props.title} confirmLabel={props.confirmLabel} onConfirm={() => void confirm()} onCancel={props.onCancel}>
      <p>{props.body}</p>
      <TextField name="reason" label="Reason" value={reason} onValue={setReason} error={error} maxLength={300} />
    </ConfirmDialog>
  );
}
