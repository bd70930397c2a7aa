// Exports of records (monitoring.view): one device, one visitor or everyone over some days, as CSV
// or JSON, sealed with the audit log's head and encrypted when a passphrase is given. The file is
// made on the gateway and handed to the browser as a download; the passphrase is sent once, in the
// request's body, and never kept.
import { useState } from 'preact/hooks';
import type { RecordsExportParams, SealedFile } from '../../../../firmware/admin/api/reports-schema.ts';
import { Button } from '../../components/button.tsx';
import { downloadFile } from '../../components/download-file.ts';
import { SelectField, TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import { PassphraseFields, passphraseProblems, SealedDownloadNotice } from '../../components/sealed-export.tsx';
import { useApp } from '../../context.ts';
import { errorsOf } from '../admin-format.ts';
import { DateField } from './date-field.tsx';

type Kind = 'device' | 'visitor' | 'range';
const KIND_LABELS: Record<Kind, string> = { device: 'One device', visitor: 'One visitor', range: 'Everyone, over some days' };
const NAMES = { passphrase: 'passphrase', again: 'passphrase-again' };
const MAC = /^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$/i;

export function ExportForm() {
  const { api } = useApp();
  const [kind, setKind] = useState<Kind>('device');
  const [mac, setMac] = useState('');
  const [visitor, setVisitor] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<SealedFile | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const ref = useFocusFirstError(errors, attempt);

  const submit = async () => {
    const found = passphraseProblems(passphrase, again, NAMES);
    if (kind === 'device' && !MAC.test(mac.trim())) found.mac = 'A MAC address, such as 3c:22:fb:01:a2:9e';
    if (kind === 'visitor' && visitor.trim() === '') found.visitor = 'The visitor\'s name as it was registered';
    if (kind === 'range' && from === '') found['export-from'] = 'Give the first day';
    if (kind === 'range' && to === '') found['export-to'] = 'Give the last day';
    setErrors(found);
    setAttempt((n) => n + 1);
    setDone(null);
    if (Object.keys(found).length > 0) return;
    const body: RecordsExportParams = {
      subject: kind === 'device' ? { kind, mac: mac.trim() } : kind === 'visitor' ? { kind, name: visitor.trim() } : { kind },
      format, ...(from !== '' ? { from } : {}), ...(to !== '' ? { to } : {}), ...(passphrase !== '' ? { passphrase } : {}),
    };
    setBusy(true);
    try {
      const file = await api.post<SealedFile>('/api/reports/export', body);
      downloadFile(file);
      setDone(file);
      setMessage(null);
      setPassphrase('');
      setAgain('');
    } catch (e) {
      const { fields, message: text } = errorsOf(e);
      setErrors(fields);
      setMessage(text);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card no-print" aria-labelledby="export-h">
      <h2 id="export-h">Export records</h2>
      <p>Alerts, network events, visitor sign-ins, block-page reports and totals, for the police, the local authority or the filtering provider. Each export is recorded in the audit log, and the file carries the log's newest hash so it can be checked later.</p>
      <form ref={ref} class="form" aria-label="Export records" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <Notice kind="error">{message}</Notice>
        <div class="grid-3">
          <SelectField name="export-kind" label="Whose records" value={kind} options={['device', 'visitor', 'range']} labels={KIND_LABELS} onValue={(v) => setKind(v as Kind)} />
          {kind === 'device' ? <TextField name="mac" label="Device MAC address" value={mac} onValue={setMac} error={errors.mac} hint="From the Devices page" /> : null}
          {kind === 'visitor' ? <TextField name="visitor" label="Visitor's name" value={visitor} onValue={setVisitor} error={errors.visitor} /> : null}
          <SelectField name="export-format" label="Format" value={format} options={['csv', 'json']} labels={{ csv: 'CSV (spreadsheet)', json: 'JSON' }} onValue={(v) => setFormat(v as 'csv' | 'json')} />
        </div>
        <div class="grid-3">
          <DateField name="export-from" label="From" value={from} onValue={setFrom} error={errors['export-from']} optional={kind !== 'range'} />
          <DateField name="export-to" label="To" value={to} onValue={setTo} error={errors['export-to']} optional={kind !== 'range'} />
        </div>
        <div class="grid-3">
          <PassphraseFields names={NAMES} passphrase={passphrase} again={again} errors={errors} onPassphrase={setPassphrase} onAgain={setAgain} />
        </div>
        <div class="actions"><Button type="submit" busy={busy}>Export and download</Button></div>
      </form>
      {done === null ? null : <SealedDownloadNotice file={done} what={`${done.records} records`} />}
    </section>
  );
}
