// Opening an incident: from an alert (?alert=ID: the alert's facts are copied in, and an alert
// that already has an incident leads to it), from a block-page report (?report=ID), or by hand
// with what happened, when and who was involved.
import { useState } from 'preact/hooks';
import type { IncidentOpened } from '../../../../firmware/admin/api/incidents-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { TextAreaField, TextField } from '../../components/field.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { param } from './words.ts';

/** "2026-12-07T08:55" in the browser's zone, what a datetime-local field holds. */
function localNow(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

export function OpenIncidentPage({ search }: { search: string }) {
  const { api, navigate } = useApp();
  const alert = Number(param(search, 'alert')) || undefined;
  const report = Number(param(search, 'report')) || undefined;
  const [form, setForm] = useState({ what: '', people: '', reportedBy: '', occurredAt: localNow() });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);

  const submit = async () => {
    setBusy(true);
    setFailed(null);
    const body: Record<string, unknown> = {
      ...(alert !== undefined ? { fromAlert: alert } : {}), ...(report !== undefined ? { fromReport: report } : {}),
      ...(form.what.trim() ? { what: form.what } : {}), ...(form.people.trim() ? { people: form.people } : {}), ...(form.reportedBy.trim() ? { reportedBy: form.reportedBy } : {}),
    };
    if (alert === undefined && report === undefined) {
      const at = new Date(form.occurredAt);
      if (Number.isNaN(at.getTime())) {
        setErrors({ occurredAt: 'give the date and time it happened' });
        setBusy(false);
        return;
      }
      body.occurredAt = at.toISOString();
    }
    try {
      const opened = await api.post<IncidentOpened>('/api/incidents', body);
      navigate(`/incidents/incident?id=${opened.incident.id}`, { flash: { kind: 'success', text: opened.created ? `Incident ${opened.incident.id} was opened.` : `That alert already has incident ${opened.incident.id}: here it is.` } });
    } catch (e) {
      if (e instanceof ApiRequestError && Object.keys(e.fields).length > 0) setErrors(e.fields);
      else setFailed(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const from = alert !== undefined ? `alert ${alert}` : report !== undefined ? `block-page report ${report}` : null;
  return (
    <>
      <Notice kind="error">{failed}</Notice>
      <p>{from !== null
        ? `The incident is opened from ${from}: its facts (the device, the network, when and what was seen) are copied in. Say more below if you know it; what you leave empty is taken from the ${alert !== undefined ? 'alert' : 'report'}.`
        : 'Record what happened as you would on the paper log. You can add the investigation, actions, screenshots and the outcome once it is open.'}</p>
      <form class="card entry-form" aria-label="Open an incident" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <TextAreaField name="what" label="What happened" required={from === null} value={form.what} onValue={(what) => setForm({ ...form, what })} rows={4} maxLength={4000} error={errors.what} />
        {from === null ? (
          <div class={`field${errors.occurredAt !== undefined ? ' field-invalid' : ''}`}>
            <label for="f-occurredAt">Date and time it happened</label>
            <input id="f-occurredAt" type="datetime-local" value={form.occurredAt} onInput={(e) => setForm({ ...form, occurredAt: (e.currentTarget as HTMLInputElement).value })}
              aria-invalid={errors.occurredAt !== undefined ? 'true' : undefined} aria-describedby={errors.occurredAt !== undefined ? 'f-occurredAt-error' : undefined} />
            {errors.occurredAt !== undefined ? <p id="f-occurredAt-error" class="field-error"><span class="visually-hidden">Error: </span>{errors.occurredAt}</p> : null}
          </div>
        ) : null}
        <TextAreaField name="people" label="People involved" required={false} hint="Pupils by the school's own reference, not their names, if you prefer." value={form.people} onValue={(people) => setForm({ ...form, people })} rows={2} maxLength={4000} error={errors.people} />
        <TextField name="reportedBy" label="Reported by" required={false} hint="Who told you, if not you." value={form.reportedBy} onValue={(reportedBy) => setForm({ ...form, reportedBy })} maxLength={200} error={errors.reportedBy} />
        <Button type="submit" busy={busy}>Open the incident</Button>
      </form>
    </>
  );
}
