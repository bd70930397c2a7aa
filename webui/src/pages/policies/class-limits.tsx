// "What teachers may unlock" beside the AUP tables: the categories a class teacher may open for
// their class for a lesson, for which classes, and for how long at most (the head's limits, set in
// advance). Every member of staff reads them; changing them changes what is filtered, so the form
// sends them, all together with why, as a change request two approvers decide (the head among
// them) — nothing here is saved until then. Illegal content is never offered.
import { useEffect, useState } from 'preact/hooks';
import type { ClassLimitsBody, ClassLimitsResult, ClassLimitsView } from '../../../../firmware/admin/api/classes-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { CheckboxGroup, TextAreaField, TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice, type NoticeKind } from '../../components/notice.tsx';
import { RequestLink } from '../../components/request-sent.tsx';
import { useApp } from '../../context.ts';
import { asSentence } from '../admin-format.ts';

const WHY_MIN = 10;
const MINUTES = { min: 5, max: 480 };

interface Row { category: string; groups: string[]; minutes: string }

const rowsOf = (view: ClassLimitsView): Row[] => view.limits.map((l) => ({ category: l.category, groups: (l.groups ?? []).map((g) => g.id), minutes: String(l.maxMinutes) }));

const classesWords = (groups: ClassLimitsView['limits'][number]['groups']): string => (groups === null ? 'Every class' : groups.map((g) => g.name).join(', '));

export function ClassLimits() {
  const { api } = useApp();
  const [view, setView] = useState<ClassLimitsView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [rows, setRows] = useState<Row[]>([]);
  const [why, setWhy] = useState({ rationale: '', riskNote: '' });
  const [fields, setFields] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ kind: NoticeKind; text: string; request?: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useFocusFirstError(fields, attempt);

  useEffect(() => {
    api.get<ClassLimitsView>('/api/class-limits').then((v) => { setView(v); setRows(rowsOf(v)); }, (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  }, []);

  const heading = <h2 id="class-limits-h">What teachers may unlock</h2>;
  if (loadError !== null) return <section class="class-limits" aria-labelledby="class-limits-h">{heading}<Notice kind="error">Could not load the limits: {loadError}</Notice></section>;
  if (view === null) return <section class="class-limits" aria-labelledby="class-limits-h">{heading}<p role="status">Loading…</p></section>;

  const set = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const titleOf = (id: string) => view.categories.find((c) => c.id === id)?.title ?? id;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setNotice(null);
    const missing: Record<string, string> = {};
    rows.forEach((r, i) => {
      const n = Number(r.minutes);
      if (!/^\d+$/.test(r.minutes.trim()) || n < MINUTES.min || n > MINUTES.max) missing[`unlocks/${i}/maxMinutes`] = `a whole number of minutes from ${MINUTES.min} to ${MINUTES.max}`;
      if (r.category === '') missing[`unlocks/${i}/category`] = 'choose what may be unlocked';
    });
    if (why.rationale.trim().length < WHY_MIN) missing.rationale = `say why teachers need this, at least ${WHY_MIN} characters: the approvers read it`;
    if (why.riskNote.trim().length < WHY_MIN) missing.riskNote = `say what pupils could reach and why that is acceptable, at least ${WHY_MIN} characters`;
    if (Object.keys(missing).length > 0) {
      setFields(missing);
      setNotice({ kind: 'error', text: 'Nothing was sent: see the fields marked.' });
      setAttempt((a) => a + 1);
      return;
    }
    const body: ClassLimitsBody = {
      unlocks: rows.map((r) => ({ category: r.category, ...(r.groups.length > 0 ? { groups: r.groups } : {}), maxMinutes: Number(r.minutes) })),
      rationale: why.rationale.trim(), riskNote: why.riskNote.trim(),
    };
    setBusy(true);
    try {
      const result = await api.request<ClassLimitsResult>('PUT', '/api/class-limits', body);
      setView(result.view);
      setFields({});
      if (result.request === null) {
        setNotice({ kind: 'info', text: 'Nothing had changed: nothing was sent.' });
      } else {
        setRows(rowsOf(result.view));
        setWhy({ rationale: '', riskNote: '' });
        setEditing(false);
        setNotice({ kind: 'success', text: `Sent for approval as change request ${result.request.id}. The limits stay as they are until two approvers agree and the IT provider applies it.`, request: result.request.id });
      }
    } catch (err) {
      if (err instanceof ApiRequestError) {
        setFields(err.fields);
        setNotice({ kind: 'error', text: asSentence(err.message) });
      } else {
        setNotice({ kind: 'error', text: String(err) });
      }
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  };

  const known = (k: string) => /^unlocks\/\d+\/(category|groups|maxMinutes)$/.test(k) || k === 'rationale' || k === 'riskNote';
  const other = Object.entries(fields).filter(([k]) => !known(k));
  return (
    <section class="class-limits" aria-labelledby="class-limits-h">
      {heading}
      <p>What a class teacher may open for their own class for a lesson on "Your classes", for how long at most. Each unlock is logged with its reason; illegal content is never among them.</p>
      <DataTable
        id="class-limits"
        caption={`Limits: ${view.limits.length}`}
        rows={view.limits}
        rowKey={(l) => `${l.category} ${classesWords(l.groups)}`}
        stack
        empty="Nothing: teachers cannot unlock anything for their classes."
        columns={[
          { key: 'category', label: 'May be unlocked', value: (l) => l.title },
          { key: 'classes', label: 'For', value: (l) => classesWords(l.groups) },
          { key: 'maxMinutes', label: 'For at most', numeric: true, value: (l) => l.maxMinutes, render: (l) => `${l.maxMinutes} minutes` },
        ]}
      />
      <Notice kind={notice?.kind ?? 'info'}>
        {notice === null ? null : <>{notice.text}{notice.request !== undefined ? <> <RequestLink id={notice.request} />.</> : null}</>}
      </Notice>
      {view.editable && !editing ? <div class="actions no-print"><Button kind="secondary" onClick={() => setEditing(true)}>Change what teachers may unlock</Button></div> : null}
      {view.editable && editing ? (
        <form ref={formRef} class="no-print" onSubmit={submit} noValidate aria-labelledby="class-limits-h">
          {rows.length === 0 ? <p>No limits: add one to let teachers unlock something.</p> : null}
          {rows.map((r, i) => (
            <fieldset key={i} class="card class-limit">
              <legend>{r.category ? titleOf(r.category) : `Limit ${i + 1}`}</legend>
              <ChoiceField name={`unlocks/${i}/category`} label="May be unlocked" value={r.category} onValue={(v) => set(i, { category: v })} error={fields[`unlocks/${i}/category`]}
                options={[{ value: '', label: 'Choose a category' }, ...view.categories.map((c) => ({ value: c.id, label: c.title }))]} />
              <TextField name={`unlocks/${i}/maxMinutes`} label="For at most (minutes)" inputMode="numeric" value={r.minutes} onValue={(v) => set(i, { minutes: v })}
                error={fields[`unlocks/${i}/maxMinutes`]} hint={`From ${MINUTES.min} to ${MINUTES.max}: a lesson is usually 60.`} />
              {view.groups.length > 0 ? (
                <CheckboxGroup<string> name={`unlocks/${i}/groups`} legend="For the classes" hint="None ticked: every class."
                  options={view.groups.map((g) => ({ value: g.id, label: g.name }))} values={r.groups} onValues={(v) => set(i, { groups: v })} error={fields[`unlocks/${i}/groups`]} />
              ) : <p class="field-hint">For every class (there are no device groups yet).</p>}
              <div class="actions"><Button kind="secondary" onClick={() => setRows(rows.filter((_, j) => j !== i))}>Remove {r.category ? titleOf(r.category) : `limit ${i + 1}`}</Button></div>
            </fieldset>
          ))}
          <div class="actions"><Button kind="secondary" onClick={() => setRows([...rows, { category: '', groups: [], minutes: '60' }])}>Add a limit</Button></div>
          <fieldset class="aup-why">
            <legend>Why this change</legend>
            <p class="field-hint">These limits decide what teachers may open for pupils, so a change is a change request: two approvers (the headteacher among them) agree before the IT provider applies it.</p>
            <TextAreaField name="rationale" label="The educational reason" value={why.rationale} onValue={(rationale) => setWhy({ ...why, rationale })}
              rows={3} maxLength={500} error={fields.rationale} hint="What teachers need it for: the lessons, the classes." />
            <TextAreaField name="riskNote" label="Benefit against risk" value={why.riskNote} onValue={(riskNote) => setWhy({ ...why, riskNote })}
              rows={3} maxLength={2000} error={fields.riskNote} hint="What pupils could reach while it is unlocked, and why that is acceptable (supervised, for a lesson)." />
          </fieldset>
          {other.length > 0 ? <ul class="field-error">{other.map(([k, v]) => <li key={k}>{k}: {v}</li>)}</ul> : null}
          <div class="actions">
            <Button type="submit" busy={busy}>Send the limits for approval</Button>
            <Button kind="secondary" onClick={() => { setEditing(false); setRows(rowsOf(view)); setFields({}); setNotice(null); }}>Cancel</Button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
