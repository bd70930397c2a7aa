// An incident's investigations: each device under investigation (or once), its policy meanwhile,
// until when, who asked and which two senior people approved, how it ended, and every saving of
// its evidence (the CSV on the incident, with its lookup count, SHA-256 and who saved it), people
// by their names as the rest of the pages show them. A senior account (head
// or DSL) may end one now or save the evidence so far (the gateway refuses anyone else). Both ask
// first, and both add entries to the incident, so the incident is loaded again after either.
import { useState } from 'preact/hooks';
import type { Incident } from '../../../../firmware/admin/api/incidents-schema.ts';
import type { Investigation, InvestigationListPage } from '../../../../firmware/admin/api/investigations-schema.ts';
import { Button } from '../../components/button.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { TextAreaField } from '../../components/field.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { useApp } from '../../context.ts';
import { asSentence, errorsOf } from '../admin-format.ts';
import { InvestigateForm } from './investigate-form.tsx';
import { deviceWords, finalEvidence, INVESTIGATION_STATUS_WORDS, lookupsWords, savedByWords } from './investigation-words.ts';
import { when, who } from './words.ts';

type Asking = { kind: 'end' | 'save'; investigation: Investigation };

export function IncidentInvestigations({ incident, onChanged }: { incident: Incident; onChanged: () => void }) {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const t = (iso: string) => when(iso, tz);
  const senior = session?.account.roles.some((r) => r === 'headteacher' || r === 'dsl') ?? false;
  const { data, error, reload } = useLoaded<InvestigationListPage>(`/api/incidents/${incident.id}/investigations`);
  const [asking, setAsking] = useState<Asking | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const run = async ({ kind, investigation: inv }: Asking) => {
    setAsking(null);
    setBusy(`${kind}-${inv.id}`);
    setFailed(null);
    setDone(null);
    try {
      const next = await api.post<Investigation>(`/api/investigations/${inv.id}/${kind === 'end' ? 'end' : 'save-evidence'}`, kind === 'end' && note.trim() ? { note: note.trim() } : {});
      const saved = kind === 'end' ? finalEvidence(next) : next.evidence.at(-1);
      setDone(kind === 'end'
        ? `Investigation ${inv.id} was ended: the device has its usual filtering again. ${saved ? `Its ${lookupsWords(saved.lookups)} ${saved.lookups === 1 ? 'was' : 'were'} saved on this incident.` : 'Its lookups are saved on this incident within a minute.'}`
        : `The evidence so far was saved on this incident${saved ? `: ${lookupsWords(saved.lookups)}` : ''}.`);
      setNote('');
      await reload();
      onChanged();
    } catch (e) {
      setFailed(asSentence(`${kind === 'end' ? 'it was not ended' : 'the evidence was not saved'}: ${errorsOf(e).message}`));
    } finally {
      setBusy(null);
    }
  };

  const list = data?.investigations ?? [];
  const person = (actor: string) => who(actor, data?.names[actor]);
  return (
    <section class="card investigations" aria-labelledby="inv-h">
      <h2 id="inv-h">Investigations</h2>
      <div class="no-print">
        <Notice kind="error">{error === null ? failed : `Could not load the investigations: ${error}`}</Notice>
        <Notice kind="success">{done}</Notice>
      </div>
      {data === null ? (error === null ? <p role="status">Loading…</p> : null) : list.length === 0
        ? <p class="muted">No device has been investigated for this incident.</p>
        : (
          <ol class="plain-list investigation-list">
            {list.map((inv) => (
              <li key={inv.id} class="investigation">
                <h3>
                  Investigation {inv.id}: {deviceWords(inv.device, inv.deviceName)}{' '}
                  <span class={`investigation-status inv-${inv.status}`}>{INVESTIGATION_STATUS_WORDS[inv.status]}</span>
                </h3>
                <table class="log-table">
                  <tbody>
                    <tr><th scope="row">Policy meanwhile</th><td>{inv.policyName} <span class="muted">(illegal content stays blocked)</span></td></tr>
                    <tr><th scope="row">When</th><td>From {t(inv.from)} until <strong>{t(inv.endedAt ?? inv.until)}</strong>
                      {inv.status === 'ended' && inv.endedBy !== null ? <>, ended early by {person(inv.endedBy)} (it was to run until {t(inv.until)})</> : null}</td></tr>
                    <tr><th scope="row">Asked by</th><td>{person(inv.requestedBy)} in <Link href={`/changes/request?id=${inv.requestId}`}>change request {inv.requestId}</Link></td></tr>
                    <tr><th scope="row">Approved by</th><td>{inv.approvedBy.length === 0 ? <span class="muted">No one</span> : inv.approvedBy.map(person).join(' and ')}</td></tr>
                    <tr><th scope="row">Evidence</th><td>{inv.evidence.length === 0
                      ? <span class="muted">{inv.status === 'in-force' ? `Saved when it ends${senior ? ', or now with the button below' : ''}` : 'None saved'}</span>
                      : (
                        <ol class="plain-list">{inv.evidence.map((ev) => (
                          <li key={ev.attachmentId}>
                            <a href={`/api/incidents/${inv.incidentId}/attachments/${ev.attachmentId}`} download>Lookups from {t(inv.from)} to {t(ev.upTo)}</a>{' '}
                            (CSV, {lookupsWords(ev.lookups)}), saved {t(ev.at)} {savedByWords(inv, ev, person)}
                            <br /><span class="muted">SHA-256 </span><span class="mono hash">{ev.sha256}</span>
                          </li>
                        ))}</ol>
                      )}
                      {inv.status !== 'in-force' && finalEvidence(inv) === undefined ? <p class="muted">The lookups to its end are still to be saved: the gateway tries again each minute.</p> : null}</td></tr>
                  </tbody>
                </table>
                {inv.status === 'in-force' && senior ? (
                  <div class="actions no-print">
                    <Button kind="secondary" busy={busy === `save-${inv.id}`} onClick={() => setAsking({ kind: 'save', investigation: inv })}>Save the evidence so far</Button>
                    <Button kind="danger" busy={busy === `end-${inv.id}`} onClick={() => setAsking({ kind: 'end', investigation: inv })}>End now</Button>
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      {asking !== null ? (
        <ConfirmDialog open title={asking.kind === 'end' ? `End investigation ${asking.investigation.id} now?` : `Save the evidence of investigation ${asking.investigation.id} so far?`}
          confirmLabel={asking.kind === 'end' ? 'End it now' : 'Save the evidence'} onConfirm={() => void run(asking)} onCancel={() => setAsking(null)}>
          {asking.kind === 'end' ? (
            <>
              <p>{deviceWords(asking.investigation.device, asking.investigation.deviceName)} gets its usual filtering again at once. Every name it looked up since {t(asking.investigation.from)} is saved on this incident as a CSV.</p>
              <TextAreaField name="end-note" label="Why it ends early" required={false} rows={2} maxLength={500} value={note} onValue={setNote}
                hint="Recorded on the incident's timeline." />
            </>
          ) : <p>Every name the device looked up since {t(asking.investigation.from)} is saved on this incident as a CSV, with its SHA-256. The investigation goes on.</p>}
        </ConfirmDialog>
      ) : null}
      {incident.status !== 'open' ? null : list.some((i) => i.status === 'in-force')
        // One in force already: the form for another device stays out of the way until asked for.
        ? <details class="investigate-more no-print"><summary>Investigate another device</summary><InvestigateForm incident={incident} /></details>
        : <InvestigateForm incident={incident} />}
    </section>
  );
}
