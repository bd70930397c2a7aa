// The data-processing statement (reports.anonymised): what the gateway holds, why, where, for how
// long and who can see it, generated from its own retention settings and roles, for the school's
// information asset register and DPIA; printable.
import { useEffect, useState } from 'preact/hooks';
import type { DataStatement, StatementItem } from '../../../../firmware/admin/api/annual-schema.ts';
import { Button } from '../../components/button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { errorsOf, when } from '../admin-format.ts';
import './annual.css';

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
    <div class="statement-table">
      <p><strong>{statement.site}</strong>: what this gateway holds about people, generated {when(statement.at, tz)} from its own retention settings and roles, for the school's information asset register and its data protection impact assessment.</p>
      <p>{statement.location}</p>
      <DataTable<StatementItem>
        id="statement"
        caption="What the gateway holds"
        rows={statement.items}
        rowKey={(i) => i.id}
        empty="Nothing."
        columns={[
          { key: 'what', label: 'Record', value: (i) => i.what, render: (i) => <><strong>{i.what}</strong>{i.personal ? null : <><br /><small>not personal data</small></>}</> },
          { key: 'holds', label: 'What it holds', sortable: false, value: (i) => i.holds },
          { key: 'why', label: 'Why', sortable: false, value: (i) => i.why },
          { key: 'where', label: 'Where', value: (i) => i.where },
          { key: 'kept', label: 'How long', value: (i) => i.kept },
          { key: 'who', label: 'Who can see it', sortable: false, value: (i) => i.whoCanSee.join(', ') },
        ]}
      />
      <h2>What leaves the gateway, and how it is protected</h2>
      <ul>{statement.exports.map((e) => <li key={e}>{e}</li>)}</ul>
      <div class="actions no-print"><Button onClick={() => window.print()}>Print the statement</Button></div>
    </div>
  );
}
