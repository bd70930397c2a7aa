// The incident's export for the filtering provider, the local authority or the police: made and
// sealed on the gateway (the audit chain's head and the content's SHA-256 in its header), encrypted
// when a passphrase is given, then downloaded. The passphrase goes once in a POST body and is
// never kept.
import { useState } from 'preact/hooks';
import type { IncidentExportBody, IncidentExportView } from '../../../../firmware/admin/api/incidents-schema.ts';
import { Button } from '../../components/button.tsx';
import { downloadFile } from '../../components/download-file.ts';
import { SelectField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import { PassphraseFields, passphraseProblems, SealedDownloadNotice } from '../../components/sealed-export.tsx';
import { useApp } from '../../context.ts';
import { errorsOf } from '../admin-format.ts';

type Format = IncidentExportBody['format'];
const NAMES = { passphrase: 'export-passphrase', again: 'export-passphrase-again' };

export function IncidentExportForm({ id }: { id: number }) {
  const { api } = useApp();
  const [format, setFormat] = useState<Format>('html');
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<IncidentExportView | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const ref = useFocusFirstError(errors, attempt);

  const submit = async () => {
    const found = passphraseProblems(passphrase, again, NAMES);
    setErrors(found);
    setAttempt((n) => n + 1);
    setDone(null);
    if (Object.keys(found).length > 0) return;
    const body: IncidentExportBody = { format, ...(passphrase !== '' ? { passphrase } : {}) };
    setBusy(true);
    try {
      const file = await api.post<IncidentExportView>(`/api/incidents/${id}/export`, body);
      downloadFile(file);
      setDone(file);
      setMessage(null);
      setPassphrase('');
      setAgain('');
    } catch (e) {
      const { fields, message: text } = errorsOf(e);
      setErrors(fields.passphrase ? { 'export-passphrase': fields.passphrase } : fields);
      setMessage(fields.passphrase ? null : text);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card no-print" aria-labelledby="incident-export-h">
      <h2 id="incident-export-h">Export</h2>
      <p>For the filtering provider, the local authority or the police. The file carries the audit log's newest hash and its content's SHA-256, and the export is recorded in the audit log.</p>
      <form ref={ref} class="form" aria-label="Export this incident" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <Notice kind="error">{message}</Notice>
        <div class="grid-3">
          <SelectField name="export-format" label="Format" value={format} options={['html', 'json']} labels={{ html: 'HTML document', json: 'JSON (for software)' }}
            onValue={(v) => setFormat(v as Format)} />
          <PassphraseFields names={NAMES} passphrase={passphrase} again={again} errors={errors} onPassphrase={setPassphrase} onAgain={setAgain} />
        </div>
        <div class="actions"><Button type="submit" busy={busy}>Export and download</Button></div>
      </form>
      {done === null ? null : <SealedDownloadNotice file={done} />}
    </section>
  );
}
