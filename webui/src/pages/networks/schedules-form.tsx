// Schedules ("acceptable at certain times") and the school's term dates: each schedule's windows
// (days and from–to times) and whether it runs in term time only, so lunchtime streaming closes for
// the holidays by itself. A schedule a policy still uses cannot be removed: the server names the
// policy and its row, beside the list. When such a schedule is open is what is filtered: a change
// to its windows is sent as a change request, with why; names, new schedules and terms save at once.
import { useState } from 'preact/hooks';
import type { NetworksView } from '../../../../firmware/admin/api/networks-schema.ts';
import type { Schedule, Term } from '../../../../firmware/config/schema.ts';
import { Button } from '../../components/button.tsx';
import { CheckboxGroup, TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { ChangeWhy, NO_WHY, whyBody, whyProblems, type Why } from '../../components/change-why.tsx';
import { OutcomeNotice } from '../../components/request-sent.tsx';
import { slugOf } from './slug.ts';
import { TermsFields } from './terms-fields.tsx';
import type { SaveOutcome } from './use-networks.ts';

type Day = Schedule['windows'][number]['days'][number];
const DAYS: readonly { value: Day; label: string }[] = [
  { value: 'mon', label: 'Mon' }, { value: 'tue', label: 'Tue' }, { value: 'wed', label: 'Wed' }, { value: 'thu', label: 'Thu' },
  { value: 'fri', label: 'Fri' }, { value: 'sat', label: 'Sat' }, { value: 'sun', label: 'Sun' },
];
const dayName = (d: Day) => DAYS.find((x) => x.value === d)?.label ?? d;
const windowsText = (s: Schedule) => s.windows.map((w) => `${w.days.map(dayName).join(', ')} ${w.from}–${w.to}`).join('; ');

/** A schedule as edited: a new one takes its id from its name when saved. */
interface Row { schedule: Schedule; isNew: boolean }

const timesOf = (s: Pick<Schedule, 'windows' | 'termTimeOnly'>) => JSON.stringify([s.windows, s.termTimeOnly === true]);

export function SchedulesForm({ view, save }: { view: NetworksView; save: (body: unknown) => Promise<SaveOutcome> }) {
  const [rows, setRows] = useState<Row[]>(view.schedules.map((schedule) => ({ schedule, isNew: false })));
  const [terms, setTerms] = useState<Term[]>(view.terms);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [why, setWhy] = useState<Why>(NO_WHY);
  const [attempt, setAttempt] = useState(0);
  const fields = outcome?.fields ?? {};
  const formRef = useFocusFirstError(fields, attempt);
  const may = view.may.schedules;
  /** A schedule a policy uses, as configured: changing when it is open is a filtering change. */
  const inUse = (s: Schedule) => (view.schedulesInUse.includes(s.id) ? view.schedules.find((x) => x.id === s.id) : undefined);
  const retimed = rows.filter((r) => !r.isNew && inUse(r.schedule) !== undefined && timesOf(r.schedule) !== timesOf(inUse(r.schedule)!)).map((r) => r.schedule);
  const setSchedule = (i: number, patch: Partial<Schedule>) => setRows(rows.map((r, j) => (j === i ? { ...r, schedule: { ...r.schedule, ...patch } } : r)));
  const setWindow = (i: number, w: number, patch: Partial<Schedule['windows'][number]>) =>
    setSchedule(i, { windows: rows[i]!.schedule.windows.map((x, k) => (k === w ? { ...x, ...patch } : x)) });
  const submit = async (e: Event) => {
    e.preventDefault();
    const missing = retimed.length > 0 ? whyProblems(why) : {};
    if (Object.keys(missing).length > 0) {
      setOutcome({ ok: false, message: 'Nothing was saved: say why the times change and what it risks.', fields: missing });
      setAttempt((a) => a + 1);
      return;
    }
    const schedules = rows.map((r) => (r.isNew ? { ...r.schedule, id: slugOf(r.schedule.name, 'schedule') } : r.schedule));
    const result = await save({ schedules, terms, ...whyBody(retimed.length > 0, why) });
    setOutcome(result);
    setAttempt((a) => a + 1);
    if (result.ok) {
      // Saved ones keep their new id; the times asked for wait on the request, so the form shows those in force.
      setRows(schedules.map((schedule) => {
        const was = inUse(schedule);
        if (was === undefined) return { isNew: false, schedule };
        const { termTimeOnly: _asked, ...kept } = schedule;
        return { isNew: false, schedule: { ...kept, windows: was.windows, ...(was.termTimeOnly !== undefined ? { termTimeOnly: was.termTimeOnly } : {}) } };
      }));
      setWhy(NO_WHY);
    }
  };
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-labelledby="schedules-h">
      <h2 id="schedules-h">Schedules and term dates</h2>
      <p>A schedule is when a row of the acceptable-use table marked "at certain times" is open.</p>
      <OutcomeNotice kind={outcome === null ? 'info' : outcome.ok ? 'success' : 'error'} request={outcome?.request}>{outcome?.message}</OutcomeNotice>
      {fields.schedules ? <p id="schedules-error" class="field-error">{fields.schedules}</p> : null}
      {!may ? (
        <ul class="schedule-list">
          {rows.map(({ schedule: s }) => <li key={s.id}><strong>{s.name}</strong>: {windowsText(s)}{s.termTimeOnly ? ' (term time only)' : ''}</li>)}
        </ul>
      ) : rows.map(({ schedule: s }, i) => {
        const at = `schedules/${i}`;
        return (
          <fieldset key={i} class="card schedule">
            <legend>{s.name || `Schedule ${i + 1}`}</legend>
            <TextField name={`${at}/name`} label="Name" value={s.name} onValue={(v) => setSchedule(i, { name: v })} error={fields[`${at}/name`] ?? fields[`${at}/id`]} />
            <label class="checkbox"><input type="checkbox" checked={s.termTimeOnly === true}
              onChange={(e) => setSchedule(i, { termTimeOnly: (e.currentTarget as HTMLInputElement).checked })} />
              <span>{s.name || `Schedule ${i + 1}`}: term time only</span></label>
            {fields[`${at}/termTimeOnly`] ? <p class="field-error">{fields[`${at}/termTimeOnly`]}</p> : null}
            {s.windows.map((w, k) => (
              <div key={k} class="window grid-3">
                <CheckboxGroup name={`${at}/windows/${k}/days`} legend={`Window ${k + 1}: days`} options={DAYS} values={w.days}
                  onValues={(days) => setWindow(i, k, { days })} error={fields[`${at}/windows/${k}/days`]} />
                <TextField name={`${at}/windows/${k}/from`} label={`Window ${k + 1}: from (HH:MM)`} value={w.from} onValue={(v) => setWindow(i, k, { from: v })} error={fields[`${at}/windows/${k}/from`]} inputMode="numeric" />
                <TextField name={`${at}/windows/${k}/to`} label={`Window ${k + 1}: to (HH:MM)`} value={w.to} onValue={(v) => setWindow(i, k, { to: v })} error={fields[`${at}/windows/${k}/to`]} inputMode="numeric" />
                {s.windows.length > 1 ? <div class="actions"><Button kind="secondary" onClick={() => setSchedule(i, { windows: s.windows.filter((_, j) => j !== k) })}>Remove window {k + 1} of {s.name || `schedule ${i + 1}`}</Button></div> : null}
              </div>
            ))}
            {fields[`${at}/windows`] ? <p class="field-error">{fields[`${at}/windows`]}</p> : null}
            <div class="actions">
              {s.windows.length < 32 ? <Button kind="secondary" onClick={() => setSchedule(i, { windows: [...s.windows, { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:00', to: '13:00' }] })}>Add a window to {s.name || `schedule ${i + 1}`}</Button> : null}
              <Button kind="secondary" onClick={() => setRows(rows.filter((_, j) => j !== i))}>Remove {s.name || `schedule ${i + 1}`}</Button>
            </div>
          </fieldset>
        );
      })}
      {may && rows.length < 64 ? (
        <div class="actions">
          <Button kind="secondary" onClick={() => setRows([...rows, { isNew: true, schedule: { id: '', name: '', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:00', to: '13:00' }] } }])}>Add a schedule</Button>
        </div>
      ) : null}
      <h3>Terms</h3>
      <TermsFields terms={terms} setTerms={setTerms} fields={fields} may={may} />
      {may && retimed.length > 0 ? (
        <ChangeWhy what={`Changing when ${retimed.map((r) => r.name).join(', ')} ${retimed.length === 1 ? 'is' : 'are'} open`} why={why} setWhy={setWhy} errors={fields} idPrefix="schedules" />
      ) : null}
      {may ? (
        <div class="actions">
          <Button type="submit">{retimed.length > 0 ? 'Save, and send the new times for approval' : 'Save schedules and terms'}</Button>
        </div>
      ) : null}
    </form>
  );
}
