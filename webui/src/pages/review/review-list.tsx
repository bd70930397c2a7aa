// The weekly reviews: each of the last 12 weeks, signed off (by whom, on whose behalf, when) or
// open, overdue once past its deadline; the review-due items still open; the streak of weeks
// signed off in a row. Each week opens its guided page.
import type { ReviewList, ReviewListItem } from '../../../../firmware/admin/api/review-schema.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { useLoaded } from '../../components/use-loaded.ts';
import { DUE_TEXT, longWeek, signedBy, when } from './review-format.ts';
import './review.css';

function status(w: ReviewListItem, tz: string) {
  if (w.signOff) {
    return <span class="review-signed">Signed off by {signedBy(w.signOff)}, {when(w.signOff.at, tz)}</span>;
  }
  return w.overdue
    ? <span class="review-overdue"><strong>Overdue</strong>: was due by {when(w.deadline, tz)}</span>
    : <span>Open: due by {when(w.deadline, tz)}</span>;
}

export function ReviewListPage() {
  const { session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const { data, error } = useLoaded<ReviewList>('/api/review');
  return (
    <div class="review-page">
      <Notice kind="error">{error === null ? null : `Could not load the reviews: ${error}`}</Notice>
      <p class="lead">Each week's alerts, trends and events, reviewed and signed off by the headteacher or the designated safeguarding lead (or their delegate, on their behalf). A review once recorded is never changed or removed: a correction is a new entry.</p>
      {data === null ? (error === null ? <p role="status">Loading…</p> : null) : (
        <>
          <p role="status">Weeks signed off in a row: <strong>{data.streak}</strong>.</p>
          <DataTable<ReviewListItem>
            id="review-weeks"
            caption="The weeks to review, newest first"
            rows={data.weeks}
            rowKey={(w) => w.week}
            empty="No weeks yet."
            columns={[
              { key: 'week', label: 'Week of', value: (w) => w.week, render: (w) => <Link href={`/review/week?week=${w.week}`}>{longWeek(w.week)}</Link> },
              { key: 'status', label: 'Review', value: (w) => (w.signOff ? 2 : w.overdue ? 0 : 1), render: (w) => status(w, tz) },
              { key: 'alerts', label: 'Alerts', value: (w) => w.alerts, numeric: true },
              { key: 'waiting', label: 'Without an outcome', value: (w) => w.withoutOutcome, numeric: true },
            ]}
          />
          <section class="card" aria-labelledby="due-heading">
            <h2 id="due-heading">Reviews due</h2>
            <p class="muted">A change to filtering, a firmware update, a new network, a guest network switched on or an incident makes a review due; the next week signed off closes it.</p>
            {data.due.length === 0 ? <p>No review is due for a change.</p> : (
              <ul class="due-list">
                {data.due.map((d) => <li key={d.id}><strong>{DUE_TEXT[d.reason]}</strong> ({when(d.at, tz)}): {d.detail}</li>)}
              </ul>
            )}
          </section>
        </>
      )}
    </div>
  );
}
