// The AUP tables: each policy as the school's written acceptable-use policy prints it, a row per
// category and a column per disposition, and the exceptions in force beside them. Every member of
// staff may read them (the policy that applies to them); an account with policy.edit changes the
// rows and sends a policy for approval all or nothing, with why (a change to what is filtered is a
// change request two approvers decide), each problem shown beside its row with nothing chosen lost.
// Below: the exceptions, what teachers may unlock for their classes, and the AUP splash.
import { useEffect, useState } from 'preact/hooks';
import type { AupPolicy, AupTables, AupEditResult } from '../../../../firmware/admin/api/policy-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { TextAreaField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Link } from '../../components/link.tsx';
import { Notice, type NoticeKind } from '../../components/notice.tsx';
import { RequestLink } from '../../components/request-sent.tsx';
import { useApp } from '../../context.ts';
import { bodyOf, changedRows, draftOf, errorsByRow, type Draft } from './aup-draft.ts';
import { AupSplashForm } from './aup-splash-form.tsx';
import { AupTable } from './aup-table.tsx';
import { ClassLimits } from './class-limits.tsx';
import { ExceptionsList } from './exceptions-list.tsx';
import './aup.css';
import { asSentence } from '../admin-format.ts';

const WHY_MIN = 10;
const NO_WHY = { rationale: '', riskNote: '' };

export function PoliciesPage() {
  const { api, session } = useApp();
  const [tables, setTables] = useState<AupTables | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selected, setSelected] = useState('');
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [errors, setErrors] = useState<Record<string, Record<string, string>>>({});
  const [notice, setNotice] = useState<{ kind: NoticeKind; text: string; request?: number } | null>(null);
  const [why, setWhy] = useState(NO_WHY);
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
    setNotice(null);
    if (changed.length === 0) {
      setErrors({});
      setNotice({ kind: 'info', text: 'Nothing has changed: nothing was sent.' });
      return;
    }
    const missing: Record<string, string> = {};
    if (why.rationale.trim().length < WHY_MIN) missing.rationale = `say why this change is needed, at least ${WHY_MIN} characters: the approvers read it`;
    if (why.riskNote.trim().length < WHY_MIN) missing.riskNote = `say who could reach what, and why that is acceptable, at least ${WHY_MIN} characters`;
    if (Object.keys(missing).length > 0) {
      setErrors({ '': missing });
      setNotice({ kind: 'error', text: 'Nothing was sent: say why the change is needed and what it risks.' });
      setAttempt((a) => a + 1);
      return;
    }
    setBusy(true);
    try {
      const result = await api.request<AupEditResult>('PUT', `/api/policies/${encodeURIComponent(policy.id)}`, bodyOf(policy, draft, why));
      const next: AupPolicy = result.policy;
      setTables({ ...tables, policies: tables.policies.map((p) => (p.id === next.id ? next : p)) });
      // The table shows what is in force: the asked-for rows wait on the request's page.
      setDrafts({ ...drafts, [next.id]: draftOf(next) });
      setErrors({});
      setWhy(NO_WHY);
      const n = result.changed.length;
      setNotice(result.request === null
        ? { kind: 'info', text: 'Nothing had changed: nothing was sent.' }
        : { kind: 'success', text: `Sent for approval as change request ${result.request.id} (${n === 1 ? 'one row' : `${n} rows`}). The table stays as it is until two approvers agree and the IT provider applies it.`, request: result.request.id });
    } catch (err) {
      if (err instanceof ApiRequestError) {
        setErrors(errorsByRow(err.fields));
        setNotice({ kind: 'error', text: asSentence(err.message) });
        setAttempt((a) => a + 1);
      } else {
        setNotice({ kind: 'error', text: String(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  const at = new Date(tables.at).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: session?.site.timezone });
  const { rationale: rationaleError, riskNote: riskError, ...otherErrors } = errors[''] ?? {};
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
        <p class="muted no-print">
          You can read this table. Changing it is for the school's technician;
          {session?.permissions.includes('changes.request') ? <> to ask for a site to be allowed or blocked, <Link href="/changes/new">make a change request</Link>.</> : ' ask them, or the headteacher, for a change.'}
        </p>
      )}
      <Notice kind={notice?.kind ?? 'info'}>
        {notice === null ? null : <>{notice.text}{notice.request !== undefined ? <> <RequestLink id={notice.request} />.</> : null}</>}
      </Notice>
      {Object.keys(otherErrors).length > 0 ? <ul class="field-error">{Object.entries(otherErrors).map(([k, v]) => <li key={k}>{k}: {v}</li>)}</ul> : null}
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
        {tables.editable ? (
          <fieldset class="aup-why no-print">
            <legend>Why this change</legend>
            <p class="field-hint">A change to what is filtered is a change request: two approvers (the headteacher among them) agree before the IT provider applies it.</p>
            <TextAreaField name="rationale" label="The educational reason" value={why.rationale} onValue={(rationale) => setWhy({ ...why, rationale })}
              rows={3} maxLength={500} error={rationaleError} hint="What it is for: the lesson, the topic, who needs it." />
            <TextAreaField name="riskNote" label="Benefit against risk" value={why.riskNote} onValue={(riskNote) => setWhy({ ...why, riskNote })}
              rows={3} maxLength={2000} error={riskError} hint="Who could reach what, and why that is acceptable (supervision, watched, for a time)." />
          </fieldset>
        ) : null}
        <div class="actions">
          {tables.editable ? <Button type="submit" busy={busy}>Send the {policy.name} policy for approval{changed.length > 0 ? ` (${changed.length} changed)` : ''}</Button> : null}
          <Button kind="secondary" onClick={() => window.print()}>Print this table</Button>
        </div>
      </form>
      <ExceptionsList />
      <ClassLimits />
      <AupSplashForm />
    </>
  );
}
