// The AUP tables: each policy as the school's written acceptable-use policy prints it, a row per
// category and a column per disposition. Every member of staff may read them (the policy that
// applies to them); an account with policy.edit changes the rows and saves a policy all or nothing,
// each problem shown beside its row with nothing chosen lost.
import { useEffect, useState } from 'preact/hooks';
import type { AupPolicy, AupTables, AupEditResult } from '../../../../firmware/admin/api/policy-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice, type NoticeKind } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { bodyOf, changedRows, draftOf, errorsByRow, type Draft } from './aup-draft.ts';
import { AupSplashForm } from './aup-splash-form.tsx';
import { AupTable } from './aup-table.tsx';
import './aup.css';

export function PoliciesPage() {
  const { api, session } = useApp();
  const [tables, setTables] = useState<AupTables | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selected, setSelected] = useState('');
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [errors, setErrors] = useState<Record<string, Record<string, string>>>({});
  const [notice, setNotice] = useState<{ kind: NoticeKind; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useFocusFirstError(Object.fromEntries(Object.keys(errors).map((k) => [k, 'x'])), attempt);

  useEffect(() => {
    api.get<AupTables>('/api/policies').then((t) => {
      setTables(t);
      setDrafts(Object.fromEntries(t.policies.map((p) => [p.id, draftOf(p)])));
      // The policy of the first network (the staff one in most schools) unless one was asked for.
      const asked = new URLSearchParams(window.location.search).get('policy');
      setSelected(t.policies.some((p) => p.id === asked) ? asked! : t.policies[0]?.id ?? '');
    }, (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  }, []);

  if (loadError !== null) return <Notice kind="error">Could not load the acceptable-use tables: {loadError}</Notice>;
  if (tables === null) return <p class="loading" role="status">Loading…</p>;
  const policy = tables.policies.find((p) => p.id === selected);
  if (policy === undefined) return <p>There are no policies configured.</p>;
  const draft = drafts[policy.id]!;
  const changed = changedRows(policy, draft);

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setNotice(null);
    try {
      const result = await api.request<AupEditResult>('PUT', `/api/policies/${encodeURIComponent(policy.id)}`, bodyOf(policy, draft));
      const next: AupPolicy = result.policy;
      setTables({ ...tables, policies: tables.policies.map((p) => (p.id === next.id ? next : p)) });
      setDrafts({ ...drafts, [next.id]: draftOf(next) });
      setErrors({});
      const n = result.changed.length;
      setNotice({ kind: 'success', text: n === 0 ? 'Saved: nothing had changed.' : `Saved: ${n === 1 ? 'one row' : `${n} rows`} changed. The gateway filters by it from now on.` });
    } catch (err) {
      if (err instanceof ApiRequestError) {
        setErrors(errorsByRow(err.fields));
        setNotice({ kind: 'error', text: `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.` });
        setAttempt((a) => a + 1);
      } else {
        setNotice({ kind: 'error', text: String(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  const at = new Date(tables.at).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: session?.site.timezone });
  const otherErrors = errors[''];
  return (
    <>
      <div class="aup-choose no-print field">
        <label for="aup-policy">Policy</label>
        <select id="aup-policy" value={selected} onChange={(e) => { setSelected((e.currentTarget as HTMLSelectElement).value); setErrors({}); setNotice(null); }}>
          {tables.policies.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
      </div>
      <header class="aup-head">
        <p class="aup-school">{tables.site}</p>
        <h2 id="aup-h">Acceptable use of the internet: {policy.name}</h2>
        <p>
          {policy.networks.length > 0 ? <>Applies on {policy.networks.map((n) => n.name).join(', ')}</> : <>Applies on no network at present</>}
          {policy.groups.length > 0 ? <> and to the device groups {policy.groups.map((g) => g.name).join(', ')}</> : null}
          . Safe search: {policy.safeSearch}. As at {at}.
        </p>
      </header>
      {tables.editable ? null : (
        <p class="muted no-print">You can read this table. Changing it is for the school's technician (ask them, or the headteacher, for a change).</p>
      )}
      <Notice kind={notice?.kind ?? 'info'}>{notice?.text}</Notice>
      {otherErrors ? <ul class="field-error">{Object.entries(otherErrors).map(([k, v]) => <li key={k}>{k}: {v}</li>)}</ul> : null}
      <form ref={formRef} onSubmit={save} noValidate>
        <AupTable
          policy={policy}
          tables={tables}
          draft={draft}
          editable={tables.editable}
          errors={errors}
          onDraft={(d) => setDrafts({ ...drafts, [policy.id]: d })}
        />
        {tables.schedules.length > 0 ? (
          <p class="aup-legend"><strong>Schedules:</strong> {tables.schedules.map((s) => `${s.name} (${s.summary})`).join('; ')}.</p>
        ) : null}
        <div class="actions">
          {tables.editable ? <Button type="submit" busy={busy}>Save the {policy.name} policy{changed.length > 0 ? ` (${changed.length} changed)` : ''}</Button> : null}
          <Button kind="secondary" onClick={() => window.print()}>Print this table</Button>
        </div>
      </form>
      <AupSplashForm />
    </>
  );
}
