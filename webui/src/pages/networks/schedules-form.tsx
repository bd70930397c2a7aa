// Schedules ("acceptable at certain times") and the school's term dates: a schedule marked term
// time only is active on term dates alone, so lunchtime streaming closes for the holidays by itself.
import { useState } from 'preact/hooks';
import type { NetworksView } from '../../../../firmware/admin/api/networks-schema.ts';
import type { Schedule, Term } from '../../../../firmware/config/schema.ts';
import { Button } from '../../components/button.tsx';
import { TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import type { SaveOutcome } from './use-networks.ts';

const windowsText = (s: Schedule) => s.windows.map((w) => `${w.days.join(', ')} ${w.from}–${w.to}`).join('; ');

export function SchedulesForm({ view, save }: { view: NetworksView; save: (body: unknown) => Promise<SaveOutcome> }) {
  const [schedules, setSchedules] = useState<Schedule[]>(view.schedules);
  const [terms, setTerms] = useState<Term[]>(view.terms);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [attempt, setAttempt] = useState(0);
  const fields = outcome?.fields ?? {};
  const formRef = useFocusFirstError(fields, attempt);
  const may = view.may.schedules;
  const setTerm = (i: number, patch: Partial<Term>) => setTerms(terms.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  const submit = async (e: Event) => {
    e.preventDefault();
    setOutcome(await save({ schedules, terms }));
    setAttempt((a) => a + 1);
  };
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-labelledby="schedules-h">
      <h2 id="schedules-h">Schedules and term dates</h2>
      <Notice kind={outcome === null ? 'info' : outcome.ok ? 'success' : 'error'}>{outcome?.message}</Notice>
      <ul class="schedule-list">
        {schedules.map((s, i) => (
          <li key={s.id}>
            <strong>{s.name}</strong>: {windowsText(s)}
            {may ? (
              <label class="checkbox"><input type="checkbox" checked={s.termTimeOnly === true}
                onChange={(e) => setSchedules(schedules.map((x, j) => (j === i ? { ...x, termTimeOnly: (e.currentTarget as HTMLInputElement).checked } : x)))} />
              <span>{s.name}: term time only</span></label>
            ) : <span>{s.termTimeOnly ? ' (term time only)' : ''}</span>}
            {fields[`schedules/${i}/termTimeOnly`] ? <p class="field-error">{fields[`schedules/${i}/termTimeOnly`]}</p> : null}
          </li>
        ))}
      </ul>
      <h3>Terms</h3>
      {terms.length === 0 ? <p>No term dates yet{may ? ': add the school\'s terms so that term-time schedules know the holidays.' : '.'}</p> : null}
      {!may ? (
        <ul>{terms.map((t, i) => <li key={i}>{t.name}: {t.start} to {t.end}</li>)}</ul>
      ) : terms.map((t, i) => (
        <fieldset key={i} class="card grid-3">
          <legend>Term {i + 1}</legend>
          <TextField name={`terms/${i}/name`} label="Name" value={t.name} onValue={(v) => setTerm(i, { name: v })} error={fields[`terms/${i}/name`]} />
          <TextField name={`terms/${i}/start`} label="First day (YYYY-MM-DD)" value={t.start} onValue={(v) => setTerm(i, { start: v })} error={fields[`terms/${i}/start`]} />
          <TextField name={`terms/${i}/end`} label="Last day (YYYY-MM-DD)" value={t.end} onValue={(v) => setTerm(i, { end: v })} error={fields[`terms/${i}/end`]} />
          <div class="actions"><Button kind="secondary" onClick={() => setTerms(terms.filter((_, j) => j !== i))}>Remove term {i + 1}</Button></div>
        </fieldset>
      ))}
      {may ? (
        <div class="actions">
          {terms.length < 24 ? <Button kind="secondary" onClick={() => setTerms([...terms, { name: '', start: '', end: '' }])}>Add a term</Button> : null}
          <Button type="submit">Save schedules and terms</Button>
        </div>
      ) : null}
    </form>
  );
}
