// One alert of the week to work through: what it was (the name looked up shown as text, never a
// link: a name a pupil looked up must not be one click away), every outcome recorded for it (the
// latest counts; earlier ones stay, marked corrected), and the form for an outcome and its note,
// with the proposed list change when it was a false positive.
import { useState } from 'preact/hooks';
import type { OutcomeRecord, ReviewAlert } from '../../../../firmware/admin/api/review-schema.ts';
import type { AlertKind } from '../../../../firmware/monitor/alerts/alert-schema.ts';
import { OUTCOMES, OUTCOME_TEXT } from '../../../../firmware/monitor/review/outcome-text.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { TextField } from '../../components/field.tsx';
import { Link } from '../../components/link.tsx';
import { useApp } from '../../context.ts';
import { KIND_LABELS } from '../alerts/alerts.tsx';
import { who } from '../people.ts';
import { when } from './review-format.ts';

const number = new Intl.NumberFormat('en-GB');

function OutcomeLine({ o, tz }: { o: OutcomeRecord; tz: string }) {
  const { session } = useApp();
  // The proposal becomes a change request only through the form (the name stays inert text here).
  const mayRequest = o.latest && o.proposed !== null && (session?.permissions.includes('changes.request') ?? false);
  return (
    <li class={o.latest ? 'outcome-latest' : 'outcome-corrected'}>
      <strong>{OUTCOME_TEXT[o.outcome]}</strong>{o.proposed ? <> (propose to <strong>{o.proposed.action}</strong> <span class="mono">{o.proposed.name}</span>)</> : null}: {o.note}
      <span class="muted"> — {who(o.by)}, {when(o.at, tz)}{o.latest ? '' : ' (corrected below)'}</span>
      {mayRequest && o.proposed ? (
        <> <Link href={`/changes/new?${o.proposed.action}=${encodeURIComponent(o.proposed.name)}&fromAlert=${o.alertId}`} class="no-print">Ask for this change (alert {o.alertId})</Link></>
      ) : null}
    </li>
  );
}

export function ReviewAlertCard({ alert, tz, mayReview, onSaved }: { alert: ReviewAlert; tz: string; mayReview: boolean; onSaved: (text: string) => void }) {
  const { api } = useApp();
  const [outcome, setOutcome] = useState<string>('');
  const [note, setNote] = useState('');
  const [name, setName] = useState('');
  const [action, setAction] = useState('allow');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const id = alert.id;
  const save = async () => {
    const problems: Record<string, string> = {};
    if (outcome === '') problems.outcome = 'choose what was done';
    if (note.trim() === '') problems.note = 'say what was done, and why';
    if (outcome === 'false-positive' && name.trim() === '') problems.proposed = 'name the site to allow or block';
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      document.getElementById(`f-${Object.keys(problems)[0]}-${id}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await api.post(`/api/review/alerts/${id}/outcome`, {
        outcome, note: note.trim(), ...(outcome === 'false-positive' ? { proposed: { name: name.trim().toLowerCase(), action } } : {}),
      });
      setOutcome('');
      setNote('');
      setName('');
      onSaved(`Outcome recorded for alert ${id}.`);
    } catch (e) {
      const message = e instanceof ApiRequestError ? e.message : String(e);
      setErrors({ note: message });
      document.getElementById(`f-note-${id}`)?.focus();
    } finally {
      setBusy(false);
    }
  };
  const done = alert.outcomes.length > 0;
  const outcomeForm = (
    <form class="outcome-form no-print" aria-label={`${done ? 'Correct the outcome' : 'Outcome'} of alert ${id}`} onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <ChoiceField name={`outcome-${id}`} label={done ? 'Correct the outcome' : 'Outcome'} value={outcome} error={errors.outcome}
        options={[{ value: '', label: 'Choose…' }, ...OUTCOMES.map((o) => ({ value: o, label: OUTCOME_TEXT[o] }))]} onValue={setOutcome} />
      <TextField name={`note-${id}`} label="Note: what was done, and why" value={note} onValue={setNote} error={errors.note} maxLength={2000} spellcheck />
      {outcome === 'false-positive' ? (
        <div class="proposed">
          <TextField name={`proposed-${id}`} label="Site to change on the lists" hint="The name only, e.g. maths.example: kept as a proposal for a change request, not applied." value={name} onValue={setName} error={errors.proposed} maxLength={253} />
          <ChoiceField name={`action-${id}`} label="Proposed change" value={action} options={[{ value: 'allow', label: 'Allow it' }, { value: 'block', label: 'Block it' }]} onValue={setAction} />
        </div>
      ) : null}
      <Button type="submit" busy={busy}>Record outcome for #{id}</Button>
    </form>
  );
  return (
    <li class={`card alert-card sev-border-${alert.severity} ${done ? 'review-done' : 'review-waiting'}`}>
      <h3 class="alert-title">
        <span class={`sev sev-${alert.severity}`}>{alert.severity}</span> {KIND_LABELS[alert.kind as AlertKind] ?? alert.kind} <span class="muted">#{id}</span>
        {done ? <span class="review-tick"> — outcome recorded</span> : <span class="review-needs"> — needs an outcome</span>}
      </h3>
      <dl class="facts">
        {alert.removed ? <><dt>Note</dt><dd>This alert is past retention: what is shown is what its outcomes recorded.</dd></> : (
          <>
            <dt>When</dt><dd>{alert.firstAt !== null ? when(alert.firstAt, tz) : ''}{alert.count > 1 ? ` (${number.format(alert.count)} times, last ${alert.lastAt !== null ? when(alert.lastAt, tz) : ''})` : ''}</dd>
            <dt>Network</dt><dd>{alert.networkId ?? 'none'}</dd>
            <dt>Device</dt><dd>{alert.device ?? 'no device'}</dd>
          </>
        )}
        {/* Text, never a link, preview or fetch. */}
        <dt>Looked up or seen</dt><dd class="subject mono">{alert.subject}</dd>
        {alert.reason !== '' ? <><dt>Why</dt><dd>{alert.reason}</dd></> : null}
      </dl>
      {done ? <ol class="outcomes" aria-label={`Outcomes of alert ${id}`}>{alert.outcomes.map((o) => <OutcomeLine key={o.id} o={o} tz={tz} />)}</ol> : null}
      {mayReview && !alert.removed ? (done
        // A correction is rarer than a first outcome: folded away, a keypress from the summary.
        ? <details class="correct-outcome no-print"><summary>Correct the outcome of #{id}</summary>{outcomeForm}</details>
        : outcomeForm) : null}
    </li>
  );
}
