// The audit log (audit.view): every change and sign-in, searched by time, action and actor, and
// the hash chain verified: the newest hash to note down, or the first entry that cannot be trusted.
import { useEffect, useState } from 'preact/hooks';
import type { AuditEntry, AuditListView, AuditVerdict } from '../../../../firmware/admin/api/audit-schema.ts';
import { Button } from '../../components/button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { auditQuery, isActionFilter, type AuditFilters as Filters } from '../admin-filters.ts';
import { detailLines, errorsOf, when } from '../admin-format.ts';

function details(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export function AuditPage() {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const [filters, setFilters] = useState<Filters>({ since: '', action: '', actor: '' });
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [verdict, setVerdict] = useState<AuditVerdict | null>(null);
  const [verifying, setVerifying] = useState(false);
  const ref = useFocusFirstError(errors, attempt);

  const search = async (append = false) => {
    const found: Record<string, string> = {};
    if (!isActionFilter(filters.action)) {
      found.action = 'An action such as device.suspend, or a prefix such as device.*';
    }
    setErrors(found);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length > 0) return;
    try {
      const after = append && entries !== null && entries.length > 0 ? entries.at(-1)!.seq : undefined;
      const view = await api.get<AuditListView>(`/api/audit?${auditQuery(filters, after)}`);
      setEntries(append && entries !== null ? [...entries, ...view.entries] : view.entries);
      setMore(view.more);
      setMessage(null);
    } catch (e) {
      const { fields, message: text } = errorsOf(e);
      setErrors(fields);
      setMessage(text);
      setAttempt((n) => n + 1);
    }
  };
  useEffect(() => { void search(); }, []);

  const verify = async () => {
    setVerifying(true);
    try {
      setVerdict(await api.get<AuditVerdict>('/api/audit/verify'));
    } catch (e) {
      setMessage(errorsOf(e).message);
    } finally {
      setVerifying(false);
    }
  };

  const set = (key: keyof Filters) => (value: string) => setFilters((f) => ({ ...f, [key]: value }));
  return (
    <>
      <section class="card" aria-labelledby="verify-h">
        <h2 id="verify-h">Is the log intact?</h2>
        <p>Each entry carries a hash of the one before, so an entry changed or removed later breaks the chain from there on.</p>
        {verdict === null ? null : verdict.ok ? (
          <div class="notice notice-success" role="status">
            <p>All {verdict.entries} entries check out. The newest entry's hash, to note down with today's date:</p>
            <p><code class="secret hash">{verdict.head}</code></p>
          </div>
        ) : (
          <div class="notice notice-error" role="alert">
            <p><strong>The chain is broken at entry {verdict.brokenAt}</strong>: {verdict.reason}. Entries from there on cannot be trusted; tell the headteacher and the IT provider.</p>
          </div>
        )}
        <div class="actions"><Button onClick={() => void verify()} busy={verifying}>Verify the chain</Button></div>
      </section>

      <form ref={ref} class="form no-print" role="search" aria-label="Search the audit log" noValidate onSubmit={(e) => { e.preventDefault(); void search(); }}>
        <Notice kind="error">{message}</Notice>
        <div class="grid-3">
          <div class={`field${errors.since !== undefined ? ' field-invalid' : ''}`}>
            <label for="f-since">From <span class="optional">(optional)</span></label>
            <input id="f-since" name="since" type="date" value={filters.since} onInput={(e) => set('since')((e.currentTarget as HTMLInputElement).value)}
              aria-invalid={errors.since !== undefined ? 'true' : undefined} aria-describedby={errors.since !== undefined ? 'f-since-error' : undefined} />
            {errors.since !== undefined ? <p id="f-since-error" class="field-error">{errors.since}</p> : null}
          </div>
          <TextField name="action" label="Action" value={filters.action} onValue={set('action')} error={errors.action} required={false} hint="e.g. device.* or account.login" />
          <TextField name="actor" label="Who" value={filters.actor} onValue={set('actor')} error={errors.actor} required={false} hint="e.g. account:jo.head, or ssh:" />
        </div>
        <div class="actions"><Button type="submit">Search</Button></div>
      </form>
      {entries === null ? <p role="status">Loading…</p> : (<>
        <p class="print-only">{session?.site.name}: printed {when(new Date().toISOString(), tz)} by {session?.account.displayName}.</p>
        <DataTable
          id="audit"
          caption={`Audit log: ${entries.length} entries${more ? ' (more below)' : ''}, oldest first`}
          rows={entries}
          rowKey={(e) => String(e.seq)}
          empty="No entry matches."
          columns={[
            { key: 'seq', label: '#', numeric: true, value: (e) => e.seq },
            { key: 'at', label: 'When', value: (e) => e.at, render: (e) => <span class="nowrap">{when(e.at, tz)}</span> },
            { key: 'actor', label: 'Who', value: (e) => e.actor },
            { key: 'action', label: 'Action', value: (e) => e.action },
            { key: 'subject', label: 'Subject', value: (e) => e.subject ?? '' },
            { key: 'details', label: 'Details', sortable: false, value: (e) => details(e.details), render: (e) => (
              <>
                <code class="details no-print">{details(e.details)}</code>
                <ul class="details-lines">{detailLines(e.details, { timezone: tz }).map((line, i) => <li key={i}>{line}</li>)}</ul>
              </>
            ) },
          ]}
        />
      </>)}
      <div class="actions no-print">
        {more ? <Button kind="secondary" onClick={() => void search(true)}>Show more</Button> : null}
        <Button kind="secondary" onClick={() => window.print()}>Print</Button>
      </div>
    </>
  );
}
