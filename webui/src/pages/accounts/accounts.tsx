// Accounts (accounts.manage): every account with its roles, two-factor and state; create one (its
// temporary password shown this once); change roles; disable, enable, reset password or
// two-factor, unlock. The break-glass recovery account may use only the recovery actions, and no
// one may change the recovery account itself here: the API refuses, and the page says so first.
import { useEffect, useState } from 'preact/hooks';
import type { AccountView } from '../../../../firmware/admin/api/session-schema.ts';
import type { Role } from '../../../../firmware/admin/roles.ts';
import { Button } from '../../components/button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { ROLE_NAMES } from '../../validate.ts';
import { errorsOf, when } from '../admin-format.ts';
import { AccountPanel } from './account-panel.tsx';
import { NewAccountForm } from './new-account.tsx';

export interface Shown { text: string; password?: string; username?: string }

export function rolesText(roles: readonly Role[]): string {
  return roles.length === 0 ? 'none' : roles.map((r) => ROLE_NAMES[r]).join(', ');
}

export function AccountsPage() {
  const { api, session } = useApp();
  const [accounts, setAccounts] = useState<AccountView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const tz = session?.site.timezone ?? 'Europe/London';
  const breakGlass = session?.account.breakGlass ?? false;

  const load = async () => {
    try {
      setAccounts(await api.get<AccountView[]>('/api/accounts'));
      setError(null);
    } catch (e) {
      setError(errorsOf(e).message);
    }
  };
  useEffect(() => { void load(); }, []);
  const changed = async (s: Shown) => {
    setShown(s);
    await load();
  };

  if (accounts === null) return <><Notice kind="error">{error}</Notice>{error === null ? <p role="status">Loading…</p> : null}</>;
  const current = accounts.find((a) => a.id === selected);
  return (
    <>
      <Notice kind="error">{error}</Notice>
      {shown === null ? <Notice kind="success">{null}</Notice> : (
        <div class="notice notice-success" role="status">
          <p>{shown.text}</p>
          {shown.password !== undefined ? (
            <>
              <p>Temporary password for <strong>{shown.username}</strong> (shown this once; they must change it when they first sign in):</p>
              <p><code class="secret">{shown.password}</code></p>
            </>
          ) : null}
        </div>
      )}
      {breakGlass ? <Notice kind="warning">You are signed in with the break-glass recovery account: you may unlock, re-enable, disable and reset accounts, nothing else. Every action alerts the school.</Notice> : null}
      {breakGlass ? null : <p class="no-print"><Link href="/accounts/matrix">The access matrix (who holds which role), for the annual access review</Link></p>}
      <DataTable
        id="accounts"
        caption={`Accounts: ${accounts.length}`}
        rows={accounts}
        rowKey={(a) => String(a.id)}
        empty="No accounts yet."
        initialSort={{ key: 'name', direction: 'ascending' }}
        columns={[
          { key: 'name', label: 'Name', value: (a) => a.displayName, render: (a) => (
            <button type="button" class="link-button" aria-expanded={selected === a.id} onClick={() => { setSelected(a.id); setShown(null); }}>{a.displayName}</button>) },
          { key: 'username', label: 'Username', value: (a) => a.username },
          { key: 'roles', label: 'Roles', value: (a) => (a.breakGlass ? 'break-glass recovery' : rolesText(a.roles)) },
          { key: 'totp', label: 'Two-factor', value: (a) => (a.totpEnrolled ? 'on' : a.totpRequired ? 'required, not set up' : 'off') },
          { key: 'state', label: 'State', value: (a) => (a.disabled ? 'disabled' : a.mustChangePassword ? 'temporary password' : 'active') },
          { key: 'last', label: 'Last sign-in', value: (a) => a.lastLoginAt ?? '', render: (a) => when(a.lastLoginAt, tz) },
        ]}
      />
      {current !== undefined ? (
        <AccountPanel key={current.id} account={current} self={current.id === session?.account.id} breakGlassSession={breakGlass}
          onChanged={changed} onClose={() => setSelected(null)} />
      ) : null}
      {breakGlass ? null : <NewAccountForm onCreated={changed} />}
    </>
  );
}
