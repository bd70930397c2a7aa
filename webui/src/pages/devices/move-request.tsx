// A device's move into another group that the gateway refused because it lets the device reach
// more (a filtering change one person may not make): the refusal in the gateway's words and an
// offer to send the move as a change request, with the reason and the benefit-against-risk note
// the approvers read. The device stays where it is until the request is approved and applied.
import { useState } from 'preact/hooks';
import type { ChangeRequestPage } from '../../../../firmware/admin/api/changes-schema.ts';
import { Button } from '../../components/button.tsx';
import { NO_WHY, whyProblems, type Why } from '../../components/change-why.tsx';
import { TextAreaField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import { OutcomeNotice, requestSentWords } from '../../components/request-sent.tsx';
import { useApp } from '../../context.ts';
import { asSentence, errorsOf } from '../admin-format.ts';

/** A refused move: the gateway's words, and the groups it was from and to (null: the network's default). */
export interface RefusedMove { message: string; from: string | null; to: string | null }

export function MoveRequest({ mac, move, saveOthers, onSent, onCancel }: {
  mac: string;
  move: RefusedMove;
  /** Saves the panel's other fields (the group left as it is) before the request is sent; nothing when none changed. */
  saveOthers: () => Promise<void>;
  onSent: () => Promise<void>;
  onCancel: () => void;
}) {
  const { api, session } = useApp();
  const mayRequest = session?.permissions.includes('changes.request') ?? false;
  const [why, setWhy] = useState<Why>(NO_WHY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<number | null>(null);
  const ref = useFocusFirstError(errors, attempt);

  if (sent !== null) return <OutcomeNotice kind="success" request={sent}>{requestSentWords(sent)}</OutcomeNotice>;
  return (
    <form ref={ref} class="form move-request" noValidate aria-labelledby="move-h" onSubmit={(e) => {
      e.preventDefault();
      const found = whyProblems(why);
      setErrors(found);
      setMessage(null);
      setAttempt((n) => n + 1);
      if (Object.keys(found).length > 0) return;
      setBusy(true);
      void (async () => {
        try {
          await saveOthers();
          const made = await api.post<ChangeRequestPage>('/api/changes', {
            proposal: { kind: 'device-group', mac, from: move.from, to: move.to }, rationale: why.rationale.trim(), riskNote: why.riskNote.trim(),
          });
          setSent(made.request.id);
          await onSent();
        } catch (error) {
          const { fields, message: text } = errorsOf(error);
          setErrors(fields);
          setMessage(Object.keys(fields).length > 0 ? null : asSentence(text));
          setAttempt((n) => n + 1);
        } finally {
          setBusy(false);
        }
      })();
    }}>
      <h3 id="move-h">The group was not changed</h3>
      <Notice kind="warning">{asSentence(move.message)}</Notice>
      {mayRequest ? (
        <>
          <p class="field-hint">Two approvers (the headteacher among them when the device is not on a staff network) agree before the IT provider applies it. The device stays in its group until then.</p>
          <Notice kind="error">{message}</Notice>
          <TextAreaField name="rationale" label="The reason" value={why.rationale} onValue={(rationale) => setWhy({ ...why, rationale })}
            rows={3} maxLength={500} error={errors.rationale} hint="What the device needs the group for, and who uses it." />
          <TextAreaField name="riskNote" label="Benefit against risk" value={why.riskNote} onValue={(riskNote) => setWhy({ ...why, riskNote })}
            rows={3} maxLength={2000} error={errors.riskNote} hint="What it could reach there, and why that is acceptable." />
          <div class="actions">
            <Button type="submit" busy={busy}>Send the move as a change request</Button>
            <Button kind="secondary" onClick={onCancel}>Keep it where it is</Button>
          </div>
        </>
      ) : (
        <>
          <p>Your account cannot ask for filtering changes: ask a technician, the DSL or the headteacher to request the move.</p>
          <div class="actions"><Button kind="secondary" onClick={onCancel}>Keep it where it is</Button></div>
        </>
      )}
    </form>
  );
}
