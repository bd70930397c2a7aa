// The forms under an incident, one per kind of entry: an investigation note, an action (perhaps a
// task for the IT provider), a screenshot, the outcome, the sign-off, and a correction. Each adds
// one entry to the timeline and keeps what was typed if the gateway refuses it, the reason beside
// the field.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Incident, IncidentOutcome } from '../../../../firmware/admin/api/incidents-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { fieldId, TextAreaField, TextField } from '../../components/field.tsx';
import { useApp } from '../../context.ts';
import { OUTCOMES } from './words.ts';

type Errors = Record<string, string>;

/** One form: posts, then hands the incident back; on a refusal shows the gateway's words by their field. */
function useEntry(incident: Incident, onSaved: (incident: Incident, message: string) => void) {
  const { api } = useApp();
  const [busy, setBusy] = useState<string | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const send = async (form: string, path: string, body: unknown, field: string, message: string): Promise<boolean> => {
    setBusy(form);
    try {
      const saved = await api.post<Incident>(`/api/incidents/${incident.id}/${path}`, body);
      setErrors({});
      onSaved(saved, message);
      return true;
    } catch (e) {
      const [named, text] = e instanceof ApiRequestError ? Object.entries(e.fields)[0] ?? [field, e.message] : [field, String(e)];
      // Beside the field the gateway named when the form has it, else beside the form's main field.
      const key = document.getElementById(fieldId(`${form}-${named}`)) ? `${form}-${named}` : `${form}-${field}`;
      setErrors({ [key]: text });
      document.getElementById(fieldId(key))?.focus();
      return false;
    } finally {
      setBusy(null);
    }
  };
  return { busy, errors, send, setErrors };
}

function Section({ id, title, children, onSubmit }: { id: string; title: string; children: ComponentChildren; onSubmit: () => void }) {
  return (
    <form class="card entry-form no-print" aria-labelledby={`${id}-h`} onSubmit={(e) => { e.preventDefault(); onSubmit(); }}>
      <h3 id={`${id}-h`}>{title}</h3>
      {children}
    </form>
  );
}

const readBase64 = (file: File): Promise<string> => new Promise((resolve, reject) => {
  const reader = new FileReader();
  reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
  reader.onerror = () => reject(new Error('the file could not be read'));
  reader.readAsDataURL(file);
});

export function IncidentForms({ incident, onSaved }: { incident: Incident; onSaved: (incident: Incident, message: string) => void }) {
  const { busy, errors, send, setErrors } = useEntry(incident, onSaved);
  const [note, setNote] = useState('');
  const [action, setAction] = useState({ what: '', by: '', itProvider: false });
  const [attachment, setAttachment] = useState<{ description: string; file: File | null }>({ description: '', file: null });
  const [outcome, setOutcome] = useState<{ outcome: IncidentOutcome | ''; note: string }>({ outcome: incident.outcome?.outcome ?? '', note: '' });
  const [signOff, setSignOff] = useState('');
  const [fileKey, setFileKey] = useState(0);
  const open = incident.status === 'open';
  const fileId = fieldId('attach-file');

  return (
    <section aria-labelledby="record-h" class="no-print">
      <h2 id="record-h">Record what happens next</h2>
      {open ? (
        <>
          <Section id="note" title="Add an investigation note" onSubmit={() => void send('note', 'notes', { text: note }, 'text', 'The note was added.').then((ok) => ok && setNote(''))}>
            <TextAreaField name="note-text" label="What was found out, and from whom" value={note} onValue={setNote} rows={4} maxLength={4000} error={errors['note-text']} />
            <Button type="submit" busy={busy === 'note'}>Add the note</Button>
          </Section>

          <Section id="action" title="Add an action" onSubmit={() => void send('action', 'actions', action, 'what', action.itProvider ? 'The task for the IT provider was added.' : 'The action was added.').then((ok) => ok && setAction({ what: '', by: '', itProvider: false }))}>
            <TextAreaField name="action-what" label="What was done, or is to be done" value={action.what} onValue={(what) => setAction({ ...action, what })} rows={3} maxLength={4000} error={errors['action-what']} />
            <TextField name="action-by" label="By whom" value={action.by} onValue={(by) => setAction({ ...action, by })} maxLength={200} error={errors['action-by']} />
            <div class="field checkbox-line">
              <input id="f-action-it" type="checkbox" checked={action.itProvider} onChange={(e) => setAction({ ...action, itProvider: (e.currentTarget as HTMLInputElement).checked, by: action.by || 'IT provider' })} />
              <label for="f-action-it">Refer to technical support: a task for the IT provider, open until they mark it done</label>
            </div>
            <Button type="submit" busy={busy === 'action'}>Add the action</Button>
          </Section>

          <Section id="attach" title="Attach a screenshot" onSubmit={() => {
            const file = attachment.file;
            if (file === null) {
              setErrors({ 'attach-file': 'choose the screenshot to attach' });
              document.getElementById(fileId)?.focus();
              return;
            }
            void readBase64(file).then((dataBase64) => send('attach', 'attachments', { description: attachment.description, fileName: file.name, dataBase64 }, 'file', 'The screenshot was attached.'))
              .then((ok) => { if (ok) { setAttachment({ description: '', file: null }); setFileKey((k) => k + 1); } });
          }}>
            <TextField name="attach-description" label="What it shows" value={attachment.description} onValue={(description) => setAttachment({ ...attachment, description })} maxLength={4000} error={errors['attach-description']} />
            <div class={`field${errors['attach-file'] !== undefined ? ' field-invalid' : ''}`}>
              <label for={fileId}>The screenshot</label>
              <p id={`${fileId}-hint`} class="field-hint">A PNG or JPEG image, at most 8 MB. It is kept with its SHA-256, so an export shows it is the same file.</p>
              <input key={fileKey} id={fileId} type="file" accept="image/png,image/jpeg"
                aria-invalid={errors['attach-file'] !== undefined ? 'true' : undefined}
                aria-describedby={`${fileId}-hint${errors['attach-file'] !== undefined ? ` ${fileId}-error` : ''}`}
                onChange={(e) => setAttachment({ ...attachment, file: (e.currentTarget as HTMLInputElement).files?.[0] ?? null })} />
              {errors['attach-file'] !== undefined ? <p id={`${fileId}-error`} class="field-error"><span class="visually-hidden">Error: </span>{errors['attach-file']}</p> : null}
            </div>
            <Button type="submit" busy={busy === 'attach'}>Attach</Button>
          </Section>

          <Section id="outcome" title="Outcome" onSubmit={() => void send('outcome', 'outcome', { outcome: outcome.outcome, note: outcome.note }, 'outcome', 'The outcome was recorded.')}>
            <ChoiceField name="outcome-outcome" label="How it ended" value={outcome.outcome} error={errors['outcome-outcome']}
              options={[{ value: '', label: 'Choose…' }, ...Object.entries(OUTCOMES).map(([value, label]) => ({ value, label }))]}
              onValue={(v) => setOutcome({ ...outcome, outcome: v as IncidentOutcome })} />
            <TextField name="outcome-note" label="Note" required={false} value={outcome.note} onValue={(n) => setOutcome({ ...outcome, note: n })} maxLength={4000} />
            <Button type="submit" busy={busy === 'outcome'}>{incident.outcome === null ? 'Record the outcome' : 'Record a new outcome'}</Button>
          </Section>

          <Section id="sign" title="Sign off and close" onSubmit={() => void send('sign', 'sign-off', { note: signOff }, 'note', `Incident ${incident.id} was signed off and closed.`)}>
            <p class="field-hint">Signing off closes the incident under your name. It needs an outcome, and every task for the IT provider marked done. After it, only corrections can be added.</p>
            <TextField name="sign-note" label="Note" required={false} value={signOff} onValue={setSignOff} maxLength={4000} error={errors['sign-note']} />
            <Button type="submit" busy={busy === 'sign'}>Sign off incident {incident.id}</Button>
          </Section>
        </>
      ) : <p>This incident is signed off. A mistake in it can still be corrected: the correction is added to the timeline beside the entry it corrects.</p>}
      <Correction incident={incident} busy={busy} errors={errors} send={send} />
    </section>
  );
}

function Correction({ incident, busy, errors, send }: { incident: Incident; busy: string | null; errors: Errors; send: ReturnType<typeof useEntry>['send'] }) {
  const [c, setC] = useState({ corrects: String(incident.timeline[0]?.id ?? ''), text: '', reason: '' });
  return (
    <Section id="correct" title="Correct an entry" onSubmit={() => void send('correct', 'corrections', { corrects: Number(c.corrects), text: c.text, reason: c.reason }, 'text', 'The correction was added.').then((ok) => ok && setC({ ...c, text: '', reason: '' }))}>
      <ChoiceField name="correct-corrects" label="The entry to correct" value={c.corrects} onValue={(corrects) => setC({ ...c, corrects })}
        options={incident.timeline.filter((e) => e.kind !== 'correction').map((e) => ({ value: String(e.id), label: `Entry ${e.id}: ${e.kind.replace('-', ' ')}` }))} />
      <TextAreaField name="correct-text" label="What it should say" value={c.text} onValue={(text) => setC({ ...c, text })} rows={3} maxLength={4000} error={errors['correct-text']} />
      <TextField name="correct-reason" label="Why it is corrected" value={c.reason} onValue={(reason) => setC({ ...c, reason })} maxLength={4000} error={errors['correct-reason']} />
      <Button type="submit" kind="secondary" busy={busy === 'correct'}>Add the correction</Button>
    </Section>
  );
}
