// One incident laid out like the paper log (date and time, what happened, people involved,
// reported by, investigation, actions and by whom, outcome, sign-off), its investigations of a
// device (investigations.tsx), its attachments and its whole timeline, then the forms that add to
// it. Printed, it is the log's page; exported (sealed, optionally encrypted), the document for the
// filtering provider, the local authority or the police.
import { useState } from 'preact/hooks';
import type { Incident, IncidentAction } from '../../../../firmware/admin/api/incidents-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { useLoaded } from '../../components/use-loaded.ts';
import '../../styles/incidents.css';
import { IncidentExportForm } from './incident-export-form.tsx';
import { IncidentForms } from './incident-forms.tsx';
import { IncidentInvestigations } from './investigations.tsx';
import { entryWords } from './timeline-words.ts';
import { OUTCOMES, param, SOURCES, when, who } from './words.ts';

export function IncidentPage({ search }: { search: string }) {
  const id = Number(param(search, 'id'));
  if (!Number.isInteger(id) || id < 1) {
    return <p>Choose an incident from <Link href="/incidents">the incident log</Link>.</p>;
  }
  return <OneIncident id={id} />;
}

function OneIncident({ id }: { id: number }) {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const mayReview = session?.permissions.includes('monitoring.review') ?? false;
  const mayCloseTasks = session?.permissions.includes('incidents.tasks') ?? false;
  const { data, error, reload } = useLoaded<Incident>(`/api/incidents/${id}`);
  const [saved, setSaved] = useState<{ incident: Incident; message: string } | null>(null);
  const [taskError, setTaskError] = useState<string | null>(null);
  const [busyTask, setBusyTask] = useState<number | null>(null);
  // What a form just saved shows at once; the next load (poll or reload) takes over.
  const incident = saved !== null && (data === null || saved.incident.timeline.length >= data.timeline.length) ? saved.incident : data;
  const t = (iso: string) => when(iso, tz);

  const markDone = async (action: IncidentAction) => {
    setBusyTask(action.entry);
    setTaskError(null);
    try {
      await api.post(`/api/incident-tasks/${id}/${action.entry}/done`, { note: '' });
      setSaved(null);
      reload();
    } catch (e) {
      setTaskError(e instanceof ApiRequestError ? e.message : String(e));
    } finally {
      setBusyTask(null);
    }
  };

  if (incident === null) {
    return error === null ? <p role="status">Loading…</p> : <Notice kind="error">{`Could not load incident ${id}: ${error}`}</Notice>;
  }
  const i = incident;
  return (
    <>
      <div class="no-print">
        <Notice kind="error">{error === null ? taskError : `Could not refresh the incident: ${error}`}</Notice>
        <Notice kind="success">{saved?.message ?? null}</Notice>
      </div>
      <p class="no-print"><Link href="/incidents">All incidents</Link></p>
      <p class="print-only">{session?.site.name}: incident log. Printed {t(new Date().toISOString())} by {session?.account.displayName}.</p>
      <section class="card paper-log" aria-labelledby="log-h">
        <h2 id="log-h">Incident {i.id} <span class={`incident-status status-${i.status}`}>{i.status === 'open' ? 'Open' : 'Closed: signed off'}</span></h2>
        <table class="log-table">
          <tbody>
            <tr><th scope="row">Date and time</th><td>{t(i.occurredAt)}</td></tr>
            <tr><th scope="row">What happened</th><td class="prose">{i.what}</td></tr>
            <tr><th scope="row">People involved</th><td class="prose">{i.people || <span class="muted">None named</span>}</td></tr>
            <tr><th scope="row">Reported by</th><td>{who(i.reportedBy)}</td></tr>
            <tr><th scope="row">Opened</th><td>{t(i.openedAt)}, {SOURCES[i.source]}, by {who(i.openedBy)}</td></tr>
            {i.alert !== null ? (
              <tr><th scope="row">Linked alert</th><td>
                Alert {i.alert.id} ({i.alert.severity}): {i.alert.reason}
                <br /><span class="muted">Device {i.alert.device ?? 'unknown'}, network {i.alert.networkId ?? 'none'}, {i.alert.count} time{i.alert.count === 1 ? '' : 's'} from {t(i.alert.firstAt)}. Looked up or seen: </span>
                {/* Text, never a link: a name a pupil looked up must not be one click away. */}
                <span class="subject mono">{i.alert.subject}</span>
              </td></tr>
            ) : null}
            {i.report !== null ? (
              <tr><th scope="row">Linked report</th><td>
                Block-page report {i.report.id}: <span class="subject mono">{i.report.name ?? 'an address on a restricted list'}</span> {i.report.kind === 'should-be-blocked' ? 'should be blocked' : 'should not be blocked'}
                {i.report.comment ? <>, “{i.report.comment}”</> : null}
                <br /><span class="muted">Device {i.report.mac ?? i.report.address}, network {i.report.networkId}, shown {t(i.report.blockedAt)}</span>
              </td></tr>
            ) : null}
            <tr><th scope="row">Investigation</th><td>{i.notes.length === 0 ? <span class="muted">None recorded yet</span> : (
              <ol class="plain-list">{i.notes.map((n) => <li key={n.entry}><span class="prose">{n.text}</span><br /><span class="muted">{t(n.at)}, {who(n.by)} (entry {n.entry})</span></li>)}</ol>
            )}</td></tr>
            <tr><th scope="row">Actions</th><td>{i.actions.length === 0 ? <span class="muted">None recorded yet</span> : (
              <ol class="plain-list">{i.actions.map((a) => (
                <li key={a.entry}>
                  <span class="prose">{a.what}</span> <span class="muted">by {a.by}, {t(a.at)} (entry {a.entry})</span>
                  {a.task !== null ? (
                    <p class="task-line">
                      {a.task.status === 'done'
                        ? <>Task for the IT provider: <strong>done</strong> {a.task.doneAt !== null ? t(a.task.doneAt) : ''} by {who(a.task.doneBy ?? '')}{a.task.note ? `: ${a.task.note}` : ''}</>
                        : <>Task for the IT provider: <strong>open</strong></>}
                      {a.task.status === 'open' && mayCloseTasks && i.status === 'open'
                        ? <span class="no-print"> <Button kind="secondary" busy={busyTask === a.entry} onClick={() => void markDone(a)}>Mark task {a.entry} done</Button></span> : null}
                    </p>
                  ) : null}
                </li>
              ))}</ol>
            )}</td></tr>
            <tr><th scope="row">Outcome</th><td>{i.outcome === null ? <span class="muted">Not yet recorded</span> : <>{OUTCOMES[i.outcome.outcome]}{i.outcome.note ? `: ${i.outcome.note}` : ''}<br /><span class="muted">{t(i.outcome.at)}, {who(i.outcome.by)}</span></>}</td></tr>
            <tr><th scope="row">Sign-off</th><td>{i.signOff === null ? <span class="muted">Not signed off</span> : <>Signed off by {who(i.signOff.by)}, {t(i.signOff.at)}{i.signOff.note ? `: ${i.signOff.note}` : ''}</>}
              <p class="print-only signature-line">Signature: ______________________________</p></td></tr>
          </tbody>
        </table>
      </section>

      {mayReview ? <IncidentInvestigations incident={i} onChanged={() => { setSaved(null); void reload(); }} /> : null}

      {i.attachments.length > 0 ? (
        <section class="card" aria-labelledby="att-h">
          <h2 id="att-h">Attachments</h2>
          {i.attachments.map((a) => {
            const href = `/api/incidents/${i.id}/attachments/${a.entry}`;
            const size = `${Math.ceil(a.bytes / 1024)} KB, attached ${t(a.at)} by ${who(a.by)}`;
            const hash = <><span class="muted">SHA-256 </span><span class="mono hash">{a.sha256}</span></>;
            // A screenshot is shown; anything else (an investigation's evidence CSV) is a download, never opened in the page.
            return a.mediaType.startsWith('image/') ? (
              <figure key={a.entry} class="attachment">
                <img src={href} alt={a.description} loading="lazy" />
                <figcaption>{a.description}: {a.fileName}, {size}<br />{hash}</figcaption>
              </figure>
            ) : (
              <p key={a.entry} class="attachment attachment-file">
                <a href={href} download={a.fileName}>{a.fileName}</a>, {size}<br /><span class="prose">{a.description}</span><br />{hash}
              </p>
            );
          })}
        </section>
      ) : null}

      <section class="card" aria-labelledby="tl-h">
        <h2 id="tl-h">Timeline</h2>
        <p class="muted">Every entry as it was recorded, oldest first. Nothing is removed; a correction is a later entry naming the one it corrects.</p>
        <ol class="timeline">
          {i.timeline.map((e) => (
            <li key={e.id} id={`entry-${e.id}`}>
              <span class="timeline-when">{t(e.at)}</span> <span class="muted">entry {e.id}, {who(e.by)}</span>
              <p class="prose">{entryWords(e)}{e.correctedBy.length > 0 ? <em> (corrected by entry {e.correctedBy.join(', ')})</em> : null}</p>
            </li>
          ))}
        </ol>
      </section>

      <div class="actions no-print">
        <Button kind="secondary" onClick={() => window.print()}>Print</Button>
      </div>
      <IncidentExportForm id={i.id} />
      {mayReview ? <IncidentForms incident={i} onSaved={(next, message) => { setSaved({ incident: next, message }); reload(); }} /> : null}
    </>
  );
}
