// The annual review (reports.anonymised to read; monitoring.review to record): a school year's
// review with who took part and each one's sign-off, external filter tests, and the pack to open,
// print or save. Everything recorded here is kept as it was: a correction is a new entry.
import { useEffect, useState } from 'preact/hooks';
import type { AnnualReview, AnnualView, Participant } from '../../../../firmware/admin/api/annual-schema.ts';
import { PARTICIPANT_ROLES, PARTICIPANT_ROLE_NAMES, type ParticipantRoleName } from '../../../../firmware/monitor/annual/participant-roles.ts';
import { Button } from '../../components/button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { SelectField, TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import type { FieldErrors } from '../../validate.ts';
import { errorsOf } from '../admin-format.ts';
import { DateField } from './date-field.tsx';
import { ExternalTests } from './external-tests.tsx';
import { aYearAfter, todayIn, yearChoices } from './school-year.ts';
import './annual.css';

/** One form's state: its errors, message, busy flag and focus-the-first-error attempt. */
function useForm() {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const ref = useFocusFirstError(errors, attempt);
  const run = async (found: FieldErrors, action: () => Promise<string>) => {
    setErrors(found);
    setMessage(null);
    setDone(null);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length > 0 || busy) return;
    setBusy(true);
    try {
      setDone(await action());
    } catch (err) {
      const { fields, message: text } = errorsOf(err);
      setErrors(fields);
      setMessage(text);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };
  return { errors, message, done, busy, ref, run };
}

function Participants({ review, canRecord, today, day, reload }: { review: AnnualReview; canRecord: boolean; today: string; day: (d: string) => string; reload: () => Promise<void> }) {
  const { api } = useApp();
  const [name, setName] = useState('');
  const [role, setRole] = useState<ParticipantRoleName>('senior-leader');
  const [title, setTitle] = useState('');
  const [who, setWho] = useState(String(review.participants[0]?.id ?? ''));
  const [signedOn, setSignedOn] = useState(today);
  const [comment, setComment] = useState('');
  const add = useForm();
  const sign = useForm();
  useEffect(() => { if (who === '' && review.participants[0]) setWho(String(review.participants[0].id)); }, [review]);
  const missing = (['senior-leader', 'dsl', 'it-provider', 'governor'] as const).filter((r) => !review.participants.some((p) => p.role === r));

  return (
    <>
      <DataTable<Participant>
        id="participants"
        caption={`Who took part in the ${review.year} review, and their sign-off`}
        rows={review.participants}
        rowKey={(p) => String(p.id)}
        empty="No one recorded yet: add the senior leader, the DSL, the IT provider and a governor."
        columns={[
          { key: 'name', label: 'Name', value: (p) => p.name, render: (p) => <>{p.name}{p.roleTitle ? <><br /><small>{p.roleTitle}</small></> : null}</> },
          { key: 'signed', label: 'Signed off', value: (p) => p.signOffs.at(-1)?.signedOn ?? '', render: (p) => (p.signOffs.length === 0 ? <span class="unsigned">Not yet</span> : p.signOffs.map((s) => day(s.signedOn)).join(', ')) },
          { key: 'role', label: 'Part in the review', value: (p) => PARTICIPANT_ROLE_NAMES[p.role] },
          { key: 'comment', label: 'Comment', sortable: false, value: (p) => p.signOffs.map((s) => s.comment).join(' / ') },
        ]}
      />
      {missing.length > 0 ? <Notice kind="warning">Not yet recorded as taking part: {missing.map((r) => PARTICIPANT_ROLE_NAMES[r]).join(', ')}.</Notice> : null}
      {canRecord ? (
        <div class="grid-2 no-print">
          <form ref={add.ref} class="form annual-form" noValidate aria-labelledby="add-h" onSubmit={(e) => {
            e.preventDefault();
            void add.run(name.trim() === '' ? { name: 'Write the person\'s name.' } : {}, async () => {
              const p = await api.post<Participant>(`/api/annual/${review.year}/participants`, { name: name.trim(), role, ...(title.trim() ? { roleTitle: title.trim() } : {}) });
              setName(''); setTitle('');
              await reload();
              setWho(String(p.id));
              return `${p.name} is recorded as ${PARTICIPANT_ROLE_NAMES[p.role].toLowerCase()}.`;
            });
          }}>
            <h3 id="add-h">Add a participant</h3>
            <Notice kind="error">{add.message}</Notice>
            <Notice kind="success">{add.done}</Notice>
            <TextField name="name" label="Name" value={name} onValue={setName} error={add.errors.name} maxLength={120} />
            <SelectField name="role" label="Part in the review" value={role} options={PARTICIPANT_ROLES} labels={PARTICIPANT_ROLE_NAMES} onValue={(v) => setRole(v as ParticipantRoleName)} error={add.errors.role} />
            <TextField name="roleTitle" label="Their title" required={false} hint="e.g. Deputy headteacher, Chair of governors" value={title} onValue={setTitle} error={add.errors.roleTitle} maxLength={120} />
            <div class="actions"><Button type="submit" busy={add.busy}>Add to the review</Button></div>
          </form>
          {review.participants.length === 0 ? null : (
            <form ref={sign.ref} class="form annual-form" noValidate aria-labelledby="sign-h" onSubmit={(e) => {
              e.preventDefault();
              const found: FieldErrors = {};
              if (!/^\d{4}-\d{2}-\d{2}$/.test(signedOn)) found.signedOn = 'Choose the day they signed.';
              else if (signedOn > today) found.signedOn = 'A sign-off cannot be dated after today.';
              void sign.run(found, async () => {
                await api.post(`/api/annual/${review.year}/sign-offs`, { participant: Number(who), signedOn, comment: comment.trim() });
                const person = review.participants.find((p) => String(p.id) === who);
                setComment('');
                await reload();
                return `${person?.name ?? 'The participant'}'s sign-off of ${day(signedOn)} is recorded.`;
              });
            }}>
              <h3 id="sign-h">Record a sign-off</h3>
              <Notice kind="error">{sign.message}</Notice>
              <Notice kind="success">{sign.done}</Notice>
              <SelectField name="participant" label="Who signed" value={who} options={review.participants.map((p) => String(p.id))}
                labels={Object.fromEntries(review.participants.map((p) => [String(p.id), `${p.name} (${PARTICIPANT_ROLE_NAMES[p.role]})`]))} onValue={setWho} error={sign.errors.participant} />
              <DateField name="signedOn" label="Day they signed" value={signedOn} max={today} onValue={setSignedOn} error={sign.errors.signedOn} />
              <TextField name="comment" label="Comment" required={false} hint="What they agreed, or asked to change" value={comment} onValue={setComment} error={sign.errors.comment} maxLength={1000} />
              <div class="actions"><Button type="submit" busy={sign.busy}>Record the sign-off</Button></div>
            </form>
          )}
        </div>
      ) : null}
    </>
  );
}

export function AnnualPage() {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const today = todayIn(tz);
  const [view, setView] = useState<AnnualView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [year, setYear] = useState(yearChoices(today, [])[0]!);
  const [nextReview, setNextReview] = useState(aYearAfter(today));
  const open = useForm();
  const day = (d: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d}T12:00:00Z` : d).toLocaleDateString('en-GB', { timeZone: tz, day: 'numeric', month: 'short', year: 'numeric' });
  const load = () => api.get<AnnualView>('/api/annual').then((v) => { setView(v); setLoadError(null); }, (e: unknown) => setLoadError(errorsOf(e).message));
  useEffect(() => { void load(); }, []);
  if (view === null) return <><Notice kind="error">{loadError}</Notice>{loadError === null ? <p role="status">Loading…</p> : null}</>;
  const review = view.reviews.find((r) => r.year === year);
  const pack = `/api/annual/pack?year=${encodeURIComponent(year)}`;

  return (
    <>
      <p>Once a year the senior leader responsible, the designated safeguarding lead, the IT provider and a governor review filtering and monitoring together, as the DfE's standards ask. The pack gathers what they need; their sign-offs are kept here.</p>
      {view.nextReview ? <p>Next annual review: <strong>{day(view.nextReview)}</strong>.</p> : null}
      <div class="annual-form no-print">
        <SelectField name="year" label="School year" value={year} options={yearChoices(today, view.reviews.map((r) => r.year))} onValue={setYear} hint="From 1 September to 31 August" />
      </div>
      <section class="annual-pack" aria-labelledby="pack-h">
        <h2 id="pack-h">The {year} review pack</h2>
        <p>One document to read on screen, print (each part starts a new page) or save: the filtering as configured, who holds which role, the self-tests and external tests, every change to filtering, the weekly reviews, incidents (anonymised), alert statistics, the <Link href="/annual/statement">data-processing statement</Link> and the sign-offs.</p>
        <div class="actions">
          <a class="btn btn-primary" href={pack} target="_blank" rel="noopener">Open the pack to read or print</a>
          <a class="btn btn-secondary" href={`${pack}&download=1`} download={`annual-review-${year}.html`}>Save the pack as a file</a>
        </div>
      </section>
      <section class="card" aria-labelledby="review-h">
        <h2 id="review-h">Participants and sign-off</h2>
        {review ? (
          <>
            <p>The review of {year} covers {day(review.starts)} to {day(review.ends)}; opened {day(review.createdAt)}. Next review: {day(review.nextReview)}.</p>
            <Participants review={review} canRecord={view.canRecord} today={today} day={day} reload={load} />
          </>
        ) : view.canRecord ? (
          <form ref={open.ref} class="form annual-form" noValidate aria-labelledby="open-h" onSubmit={(e) => {
            e.preventDefault();
            void open.run(nextReview <= today ? { nextReview: 'The next review must be after today.' } : {}, async () => {
              await api.post('/api/annual', { year, nextReview });
              await load();
              return `The ${year} review is open: add who takes part.`;
            });
          }}>
            <h3 id="open-h">Open the {year} review</h3>
            <p>No review of {year} has been opened on the gateway yet. Opening it lets you record who takes part and their sign-off.</p>
            <Notice kind="error">{open.message}</Notice>
            <DateField name="nextReview" label="Date of the next annual review" hint="Usually a year from now; shown on the governors' summary" value={nextReview} min={today} onValue={setNextReview} error={open.errors.nextReview ?? open.errors.year} />
            <div class="actions"><Button type="submit" busy={open.busy}>Open the review</Button></div>
          </form>
        ) : <p>No review of {year} has been opened on the gateway yet: the headteacher or the DSL opens it.</p>}
        {review && review.participants.length === 0 ? <Notice kind="success">{open.done}</Notice> : null}
      </section>
      <ExternalTests tests={view.external} networks={view.networks} canRecord={view.canRecord} today={today} day={day} onRecorded={load} />
    </>
  );
}
