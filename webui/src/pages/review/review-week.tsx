// The guided weekly review of one week: the alerts to work through (an outcome and a note each),
// the week's record (review-sections.tsx), then the sign-off, recording who reviewed and on whose
// behalf. Printable as the record a school files (print CSS), and as CSV.
import { useEffect, useState } from 'preact/hooks';
import type { OnBehalfChoices, ReviewPage, SignOff } from '../../../../firmware/admin/api/review-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { TextField } from '../../components/field.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { useLoaded } from '../../components/use-loaded.ts';
import { ReviewAlertCard } from './review-alert.tsx';
import { longWeek, person, signedBy, when } from './review-format.ts';
import { ReviewSections } from './review-sections.tsx';
import './review.css';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const shift = (week: string, days: number): string => new Date(Date.parse(`${week}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function SignOffForm({ page, onSigned }: { page: ReviewPage; onSigned: (s: SignOff) => void }) {
  const { api, session } = useApp();
  const [choices, setChoices] = useState<OnBehalfChoices | null>(null);
  const [onBehalf, setOnBehalf] = useState('');
  const [summary, setSummary] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.get<OnBehalfChoices>('/api/review/on-behalf').then(setChoices, () => setChoices({ accounts: [] }));
  }, []);
  const me = session?.account.username ?? '';
  const others = (choices?.accounts ?? []).filter((a) => a.username !== me);
  const sign = async () => {
    setBusy(true);
    try {
      onSigned(await api.post<SignOff>(`/api/review/weeks/${page.week.from}/sign-off`, { ...(onBehalf !== '' ? { onBehalfOf: onBehalf } : {}), ...(summary.trim() !== '' ? { summary: summary.trim() } : {}) }));
    } catch (e) {
      setError(e instanceof ApiRequestError ? e.message : String(e));
      document.getElementById('f-summary')?.focus();
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="sign-off-form no-print" aria-label="Sign the week off" onSubmit={(e) => { e.preventDefault(); void sign(); }}>
      {page.withoutOutcome > 0 ? <p class="review-needs">{page.withoutOutcome === 1 ? 'One alert still needs' : `${page.withoutOutcome} alerts still need`} an outcome before the week can be signed off.</p> : null}
      <ChoiceField name="on-behalf" label="Signing" value={onBehalf} onValue={setOnBehalf}
        hint="A delegate (the online-safety lead) signs on behalf of the headteacher or the DSL, who stays accountable."
        options={[{ value: '', label: `For myself (${session?.account.displayName ?? me})` }, ...others.map((a) => ({ value: a.username, label: `On behalf of ${a.displayName} (${a.username})` }))]} />
      <TextField name="summary" label="Summary of the week" required={false} value={summary} onValue={setSummary} error={error} maxLength={4000} spellcheck />
      <Button type="submit" busy={busy}>Sign off the week of {longWeek(page.week.from)}</Button>
    </form>
  );
}

export function ReviewWeekPage() {
  const { session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const mayReview = session?.permissions.includes('monitoring.review') ?? false;
  const asked = new URLSearchParams(window.location.search).get('week');
  const week = asked !== null && DAY.test(asked) ? asked : null;
  const { data, error, reload } = useLoaded<ReviewPage>(`/api/review/week${week === null ? '' : `?week=${week}`}`);
  const [done, setDone] = useState<string | null>(null);
  const saved = (text: string) => {
    setDone(text);
    reload();
  };
  if (data === null) return <><Notice kind="error">{error === null ? null : `Could not load the week: ${error}`}</Notice>{error === null ? <p role="status">Loading…</p> : null}</>;
  const page = data;
  const from = page.week.from;
  const waiting = page.alerts.filter((a) => !a.removed && a.outcomes.length === 0).length;
  return (
    <div class="review-page">
      <Notice kind="error">{error === null ? null : `Could not refresh: ${error}`}</Notice>
      <Notice kind="success">{done}</Notice>
      <nav class="week-nav no-print" aria-label="Other weeks">
        <Link href={`/review/week?week=${shift(from, -7)}`}>← Week before</Link>
        <Link href="/review">All weeks</Link>
        <Link href={`/review/week?week=${shift(from, 7)}`}>Week after →</Link>
      </nav>
      <section class="card review-head" aria-labelledby="week-heading">
        <h2 id="week-heading">Week of {longWeek(from)}</h2>
        <dl class="facts">
          <dt>School</dt><dd>{session?.site.name}</dd>
          <dt>Review</dt>
          <dd>{page.signOff
            ? <span class="review-signed">Signed off by {signedBy(page.signOff)}, {when(page.signOff.at, tz)}</span>
            : page.overdue ? <span class="review-overdue"><strong>Overdue</strong>: was due by {when(page.deadline, tz)}</span> : `Open: due by ${when(page.deadline, tz)}`}</dd>
          {page.signOff?.summary ? <><dt>Summary</dt><dd>{page.signOff.summary}</dd></> : null}
          <dt>Alerts</dt><dd>{page.alerts.length} ({waiting} without an outcome)</dd>
        </dl>
        <div class="actions no-print">
          <Button kind="secondary" onClick={() => window.print()}>Print the review</Button>
          <a class="btn btn-secondary" href={`/api/review/week.csv?week=${from}`} download>Download CSV</a>
        </div>
      </section>
      <section aria-labelledby="alerts-heading">
        <h2 id="alerts-heading">Alerts to work through</h2>
        <p role="status">{page.alerts.length === 0 ? 'No alert was raised this week.' : waiting === 0 ? `Every one of the ${page.alerts.length} alerts has an outcome.` : `${waiting} of ${page.alerts.length} alerts need an outcome and a note.`}</p>
        <ol class="alert-list">
          {page.alerts.map((a) => <ReviewAlertCard key={a.id} alert={a} tz={tz} mayReview={mayReview} onSaved={saved} />)}
        </ol>
      </section>
      <ReviewSections page={page} tz={tz} />
      <section class="card" aria-labelledby="sign-heading">
        <h2 id="sign-heading">Sign-off</h2>
        {page.signOff ? (
          <p>Signed off by <strong>{person(page.signOff.reviewedBy, page.signOff.reviewedByName)}</strong>{page.signOff.onBehalfOf ? <> on behalf of <strong>{person(page.signOff.onBehalfOf, page.signOff.onBehalfOfName)}</strong></> : null} on {when(page.signOff.at, tz)}, with {page.signOff.alerts} alerts reviewed.</p>
        ) : !page.ended ? <p>The week is not over yet: it can be signed off from {longWeek(page.week.to)}.</p>
          : mayReview ? <SignOffForm page={page} onSigned={(s) => saved(`The week of ${s.week} is signed off.`)} /> : <p>Not signed off yet. Your roles do not include signing it off.</p>}
        <p class="print-only signature-line">Printed {when(new Date().toISOString(), tz)} by {session?.account.displayName}. Seen by (headteacher): ______________________ Date: ____________</p>
      </section>
    </div>
  );
}
