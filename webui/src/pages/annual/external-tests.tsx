// External filter tests (the SWGfL test) beside the gateway's own: the ones recorded, and a form
// for those who may record one: the day, who ran it, the tool, the result overall and per test
// category, what it found, the report's reference. Nothing recorded changes: a correction is a new one.
import { useState } from 'preact/hooks';
import type { ExternalTest } from '../../../../firmware/admin/api/annual-schema.ts';
import { Button } from '../../components/button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { SelectField, TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import type { FieldErrors } from '../../validate.ts';
import { errorsOf } from '../admin-format.ts';
import { DateField } from './date-field.tsx';

const CATEGORY = /^[a-z0-9][a-z0-9-]{0,63}=(pass|fail)$/;

function categoriesOf(text: string): Record<string, 'pass' | 'fail'> | null {
  const out: Record<string, 'pass' | 'fail'> = {};
  for (const part of text.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean)) {
    if (!CATEGORY.test(part)) return null;
    const [k, v] = part.split('=');
    out[k!] = v as 'pass' | 'fail';
  }
  return out;
}

export function ExternalTests({ tests, networks, canRecord, today, day, onRecorded }: {
  tests: readonly ExternalTest[]; networks: readonly { id: string; name: string }[]; canRecord: boolean; today: string;
  day: (iso: string) => string; onRecorded: () => Promise<void>;
}) {
  const { api } = useApp();
  const [network, setNetwork] = useState(networks.find((n) => n.id === 'pupil')?.id ?? networks[0]?.id ?? '');
  const [testedOn, setTestedOn] = useState(today);
  const [tester, setTester] = useState('');
  const [tool, setTool] = useState('SWGfL Test Filtering');
  const [result, setResult] = useState<'pass' | 'fail'>('pass');
  const [categories, setCategories] = useState('');
  const [note, setNote] = useState('');
  const [reference, setReference] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const ref = useFocusFirstError(errors, attempt);
  const networkName = (id: string) => networks.find((n) => n.id === id)?.name ?? id;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: FieldErrors = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(testedOn)) found.testedOn = 'Choose the day the test was run.';
    else if (testedOn > today) found.testedOn = 'The test cannot have been run after today.';
    if (tester.trim() === '') found.tester = 'Write who ran the test, and their organisation.';
    if (tool.trim() === '') found.tool = 'Name the tool, e.g. SWGfL Test Filtering.';
    if (note.trim() === '') found.note = 'Say in a sentence what the test found.';
    const parsed = categoriesOf(categories);
    if (parsed === null) found.categories = 'Write each category as name=pass or name=fail, separated by commas.';
    setErrors(found);
    setMessage(null);
    setDone(null);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await api.post<ExternalTest>('/api/annual/external', {
        network, testedOn, tester: tester.trim(), tool: tool.trim(), result, note: note.trim(),
        ...(parsed && Object.keys(parsed).length > 0 ? { categories: parsed } : {}), ...(reference.trim() ? { reference: reference.trim() } : {}),
      });
      setDone(`The ${tool.trim()} result of ${day(testedOn)} for ${networkName(network)} is recorded, and in the audit log under your name.`);
      setTester(''); setNote(''); setReference(''); setCategories('');
      await onRecorded();
    } catch (err) {
      const { fields, message: text } = errorsOf(err);
      setErrors(fields);
      setMessage(text);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="external-h">
      <h2 id="external-h">External filter tests</h2>
      <p>Results of tests run from outside the gateway, such as SWGfL's Test Filtering, kept beside the gateway's own daily self-test for the pack.</p>
      <DataTable<ExternalTest>
        id="external"
        caption="External tests, newest first"
        rows={tests}
        rowKey={(t) => String(t.id)}
        empty="No external test recorded yet."
        columns={[
          { key: 'on', label: 'Tested', value: (t) => t.testedOn ?? t.at, render: (t) => <span class="nowrap">{day(t.testedOn ?? t.at)}</span> },
          { key: 'result', label: 'Result', value: (t) => t.result, render: (t) => <>{t.result === 'pass' ? 'Pass' : <strong class="unsigned">Fail</strong>}{t.categories ? <><br /><small>{Object.entries(t.categories).map(([k, v]) => `${k}: ${v}`).join(', ')}</small></> : null}</> },
          { key: 'network', label: 'Network', value: (t) => networkName(t.network) },
          { key: 'tool', label: 'Tool and tester', value: (t) => [t.tool, t.tester].filter(Boolean).join(', ') },
          { key: 'note', label: 'What it found', value: (t) => t.note },
          { key: 'ref', label: 'Reference', value: (t) => t.reference ?? '' },
        ]}
      />
      {canRecord ? (
        <form ref={ref} class="form annual-form no-print" noValidate onSubmit={(e) => void submit(e)} aria-labelledby="external-form-h">
          <h3 id="external-form-h">Record an external test</h3>
          <Notice kind="error">{message}</Notice>
          <Notice kind="success">{done}</Notice>
          <div class="row">
            <SelectField name="network" label="Network tested from" value={network} options={networks.map((n) => n.id)} labels={Object.fromEntries(networks.map((n) => [n.id, n.name]))} onValue={setNetwork} error={errors.network} />
            <DateField name="testedOn" label="Day it was run" value={testedOn} max={today} onValue={setTestedOn} error={errors.testedOn} />
          </div>
          <div class="row">
            <TextField name="tester" label="Who ran it" hint="Their name and organisation" value={tester} onValue={setTester} error={errors.tester} maxLength={120} />
            <TextField name="tool" label="Tool" value={tool} onValue={setTool} error={errors.tool} maxLength={120} />
          </div>
          <div class="row">
            <SelectField name="result" label="Overall result" value={result} options={['pass', 'fail']} labels={{ pass: 'Pass: everything was blocked', fail: 'Fail: something got through' }} onValue={(v) => setResult(v as 'pass' | 'fail')} error={errors.result} />
            <TextField name="categories" label="Result per test category" required={false} hint="e.g. child-abuse=pass, terrorism=pass, adult=pass" value={categories} onValue={setCategories} error={errors.categories} />
          </div>
          <TextField name="note" label="What it found" value={note} onValue={setNote} error={errors.note} maxLength={500} />
          <TextField name="reference" label="Report reference" required={false} value={reference} onValue={setReference} error={errors.reference} maxLength={200} />
          <div class="actions"><Button type="submit" busy={busy}>Record the test</Button></div>
        </form>
      ) : null}
    </section>
  );
}
