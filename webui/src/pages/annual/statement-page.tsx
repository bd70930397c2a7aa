// The data-processing statement (reports.anonymised): what the gateway holds, why, where, for how
// long and who can see it, generated from its own retention settings and roles, for the school's
// information asset register and DPIA; printable.
import { useEffect, useState } from 'preact/hooks';
import type { DataStatement, StatementItem } from '../../../../firmware/admin/api/annual-schema.ts';
import { Button } from '../../components/button.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { errorsOf, when } from '../admin-format.ts';
import './annual.css';

/** One record as a card, its five answers as a list of terms: reads on a phone and on paper alike. */
function Item({ item }: { item: StatementItem }) {
  return (
    <section class="statement-item" aria-labelledby={`st-${item.id}`}>
      <h2 id={`st-${item.id}`}>{item.what}{item.personal ? null : <small> (not personal data)</small>}</h2>
      <dl>
        <dt>What it holds</dt><dd>{item.holds}</dd>
        <dt>Why</dt><dd>{item.why}</dd>
        <dt>Where</dt><dd>{item.where}</dd>
        <dt>How long</dt><dd>{item.kept}</dd>
        <dt>Who can see it</dt><dd>{item.whoCanSee.join(', ')}</dd>
      </dl>
    </section>
  );
}

export function StatementPage() {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const [statement, setStatement] = useState<DataStatement | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<DataStatement>('/api/annual/statement').then(setStatement, (e: unknown) => setError(errorsOf(e).message));
  }, []);
  if (statement === null) return <><Notice kind="error">{error}</Notice>{error === null ? <p role="status">Loading…</p> : null}</>;
  return (
    <div class="statement">
      <p><strong>{statement.site}</strong>: what this gateway holds about people, generated {when(statement.at, tz)} from its own retention settings and roles, for the school's information asset register and its data protection impact assessment.</p>
      <p>{statement.location}</p>
      {statement.items.map((i) => <Item key={i.id} item={i} />)}
      <h2>What leaves the gateway, and how it is protected</h2>
      <ul>{statement.exports.map((e) => <li key={e}>{e}</li>)}</ul>
      <div class="actions no-print"><Button onClick={() => window.print()}>Print the statement</Button></div>
    </div>
  );
}
