// The access matrix (accounts.manage): accounts × roles, and what each role may do, dated, for
// the annual access review; printed with a place to sign.
import { useEffect, useState } from 'preact/hooks';
import { Button } from '../../components/button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { ROLE_NAMES } from '../../validate.ts';
import { errorsOf, when } from '../admin-format.ts';
import { PERMISSION_WORDS } from '../../../../firmware/admin/permission-words.ts';
import type { Permission } from '../../../../firmware/admin/roles.ts';
import type { AccessMatrix } from './types.ts';

type Row = AccessMatrix['accounts'][number];

export function AccessMatrixPage() {
  const { api, session } = useApp();
  const [matrix, setMatrix] = useState<AccessMatrix | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tz = session?.site.timezone ?? 'Europe/London';
  useEffect(() => {
    api.get<AccessMatrix>('/api/access-matrix').then(setMatrix, (e: unknown) => setError(errorsOf(e).message));
  }, []);
  if (matrix === null) return <><Notice kind="error">{error}</Notice>{error === null ? <p role="status">Loading…</p> : null}</>;
  const permissions = [...new Set(matrix.roles.flatMap((r) => r.permissions))];
  return (
    <div class="access-review">
      <p><strong>{session?.site.name}</strong>: accounts and roles as at <strong>{when(matrix.at, tz)}</strong>.</p>
      <DataTable<Row>
        id="matrix"
        caption="Who holds which role (✓). The break-glass recovery account holds none: it may only recover or withdraw access."
        rows={matrix.accounts}
        rowKey={(a) => a.username}
        empty="No accounts yet."
        initialSort={{ key: 'name', direction: 'ascending' }}
        columns={[
          { key: 'name', label: 'Name', value: (a) => a.displayName, render: (a) => <>{a.displayName}<br /><small>{a.username}</small></> },
          ...matrix.roles.map((r) => ({
            key: r.role, label: ROLE_NAMES[r.role], sortable: false,
            value: (a: Row) => (a.holds.includes(r.role) ? 'yes' : ''),
            render: (a: Row) => (a.holds.includes(r.role) ? <span aria-label="holds this role">✓</span> : <span class="visually-hidden">no</span>),
          })),
          { key: 'state', label: 'State', value: (a) => (a.breakGlass ? 'recovery' : a.disabled ? 'disabled' : 'active') },
          { key: 'totp', label: 'Two-factor', value: (a) => (a.totpEnrolled ? 'on' : 'off') },
          { key: 'last', label: 'Last sign-in', value: (a) => a.lastLoginAt ?? '', render: (a) => when(a.lastLoginAt, tz) },
        ]}
      />
      <DataTable<string>
        id="permissions"
        caption="What each role may do"
        rows={permissions}
        rowKey={(p) => p}
        empty="No permissions."
        columns={[
          { key: 'permission', label: 'Permission', value: (p) => p, render: (p) => <>{PERMISSION_WORDS[p as Permission] ?? p} <code class="permission-code">{p}</code></> },
          ...matrix.roles.map((r) => ({
            key: r.role, label: ROLE_NAMES[r.role], sortable: false,
            value: (p: string) => (r.permissions.includes(p) ? 'yes' : ''),
            render: (p: string) => (r.permissions.includes(p) ? <span aria-label="allowed">✓</span> : <span class="visually-hidden">no</span>),
          })),
        ]}
      />
      <p class="print-only signatures">Reviewed by: ____________________ Signed: ____________________ Date: ____________</p>
      <div class="actions no-print"><Button onClick={() => window.print()}>Print for the access review</Button></div>
    </div>
  );
}
