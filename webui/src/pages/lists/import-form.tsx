// Importing a list file (lists.manage): the file's text goes to the same method as
// `schoolgate lists import`, with its checks; bad lines come back by number and nothing is
// imported unless the person chooses to skip them. The chosen file and answers stay on refusal.
import { useState } from 'preact/hooks';
import type { ImportResult } from '../../../../firmware/admin/api/lists-schema.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { errorsOf } from '../admin-format.ts';

const FORMATS = ['', 'domains', 'hosts', 'adblock', 'rpz', 'regex', 'sha256'];

export function ImportForm({ onImported }: { onImported: (message: string) => Promise<void> }) {
  const { api } = useApp();
  const [file, setFile] = useState<File | null>(null);
  const [category, setCategory] = useState('');
  const [name, setName] = useState('');
  const [format, setFormat] = useState('');
  const [restricted, setRestricted] = useState(false);
  const [skipBad, setSkipBad] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const ref = useFocusFirstError(errors, attempt);

  const submit = async () => {
    const found: Record<string, string> = {};
    if (file === null) found.text = 'Choose the list file.';
    if (category.trim() === '') found.category = 'Enter the category its names belong to, e.g. gambling.';
    setErrors(found);
    setMessage(null);
    setAttempt((n) => n + 1);
    if (file === null || Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const text = await file.text();
      const result = await api.post<ImportResult>('/api/lists/import', {
        text, fileName: file.name, category: category.trim(),
        ...(name.trim() ? { name: name.trim() } : {}), ...(format ? { format } : {}),
        ...(restricted ? { restricted: true } : {}), ...(skipBad ? { skipBadLines: true } : {}),
      });
      await onImported(`Imported ${result.id}: ${result.check.entries} entries${result.droppedLines > 0 ? `, ${result.droppedLines} bad lines left out` : ''}; ${result.namesInService} names now in service.`);
    } catch (e) {
      const { fields: given, message: text } = errorsOf(e);
      // The method's advice names the CLI's flag; on this page it is the checkbox below.
      const fields = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, v.replace('(--skip-bad-lines imports the rest)', '(tick "Import the good lines" below to import the rest)')]));
      setErrors(fields.text !== undefined ? { text: fields.text } : fields.category !== undefined ? { category: fields.category } : {});
      setMessage(fields.text === undefined && fields.category === undefined ? text : null);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={ref} class="form card no-print" noValidate aria-labelledby="import-h" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h2 id="import-h">Import a list file</h2>
      <p class="field-hint">A plain list of names, a hosts file, adblock or RPZ. It is checked before anything changes.</p>
      <Notice kind="error">{message}</Notice>
      <div class={`field${errors.text !== undefined ? ' field-invalid' : ''}`}>
        <label for="f-text">List file</label>
        <input id="f-text" name="text" type="file" accept=".txt,.list,.hosts,.rpz,.zone,text/plain"
          onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
          aria-invalid={errors.text !== undefined ? 'true' : undefined} aria-describedby={errors.text !== undefined ? 'f-text-error' : undefined} />
        {errors.text !== undefined ? <pre id="f-text-error" class="field-error bad-lines">{errors.text}</pre> : null}
      </div>
      <div class="grid-2">
        <TextField name="category" label="Category" value={category} onValue={setCategory} error={errors.category} hint="as the policies name it, e.g. gambling, adult, social-media" />
        <TextField name="name" label="Name" value={name} onValue={setName} required={false} maxLength={120} />
        <ChoiceField name="format" label="Format" value={format} onValue={setFormat} options={FORMATS.map((f) => ({ value: f, label: f === '' ? 'Work it out from the file' : f }))} />
      </div>
      <label class="checkbox"><input type="checkbox" checked={restricted} onChange={(e) => setRestricted((e.currentTarget as HTMLInputElement).checked)} /><span>Illegal content (restricted): its entries are never shown</span></label>
      <label class="checkbox"><input type="checkbox" checked={skipBad} onChange={(e) => setSkipBad((e.currentTarget as HTMLInputElement).checked)} /><span>Import the good lines and leave out bad ones</span></label>
      <div class="actions"><Button type="submit" busy={busy}>Import</Button></div>
    </form>
  );
}
