// The IT provider's tasks from incidents ("refer to technical support"), open ones oldest first:
// what to do and for which incident, nothing else of the log (the technician does not read it).
// Marking one done records who closed it, with a note of what was done.
import { useState } from 'preact/hooks';
import type { IncidentTask, IncidentTasksView } from '../../../../firmware/admin/api/incidents-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { TextField } from '../../components/field.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { useLoaded } from '../../components/use-loaded.ts';
import { when, who } from './words.ts';

const key = (t: IncidentTask) => `${t.incidentId}-${t.action}`;

export function IncidentTasksPage() {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const mayReadLog = session?.permissions.includes('monitoring.view') ?? false;
  const { data, error, reload } = useLoaded<IncidentTasksView>('/api/incident-tasks');
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const markDone = async (task: IncidentTask) => {
    const k = key(task);
    setBusy(k);
    setDone(null);
    try {
      await api.post(`/api/incident-tasks/${task.incidentId}/${task.action}/done`, { note: notes[k] ?? '' });
      setErrors(({ [k]: _gone, ...rest }) => rest);
      setDone(`The task for incident ${task.incidentId} was marked done.`);
      reload();
    } catch (e) {
      setErrors((x) => ({ ...x, [k]: e instanceof ApiRequestError ? Object.values(e.fields)[0] ?? e.message : String(e) }));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <Notice kind="error">{error === null ? null : `Could not load the tasks: ${error}`}</Notice>
      <Notice kind="success">{done}</Notice>
      <p>Tasks the school has referred to technical support from its incident log. Mark one done when it is done, saying what you did: the incident records who closed it and when.</p>
      {data === null ? (error === null ? <p role="status">Loading…</p> : null) : data.tasks.length === 0
        ? <p role="status">No open tasks for the IT provider.</p>
        : (
          <ol class="alert-list">
            {data.tasks.map((t) => (
              <li key={key(t)} class="card">
                <h2 class="alert-title">{mayReadLog ? <Link href={`/incidents/incident?id=${t.incidentId}`}>Incident {t.incidentId}</Link> : `Incident ${t.incidentId}`}, task {t.action}</h2>
                <p class="prose">{t.what}</p>
                <p class="muted">For {t.by}; asked {when(t.at, tz)} by {who(t.recordedBy)}</p>
                <form class="ack-form no-print" onSubmit={(e) => { e.preventDefault(); void markDone(t); }}>
                  <TextField name={`done-${key(t)}`} label="What was done" required={false} value={notes[key(t)] ?? ''} onValue={(v) => setNotes((x) => ({ ...x, [key(t)]: v }))} error={errors[key(t)]} maxLength={4000} />
                  <Button type="submit" busy={busy === key(t)}>Mark done</Button>
                </form>
              </li>
            ))}
          </ol>
        )}
    </>
  );
}
