// One account's changes: its roles, and the recovery actions (reset password or two-factor,
// unlock, disable or enable). Disabling asks first: it ends the person's sessions at once.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { AccountView } from '../../../../firmware/admin/api/session-schema.ts';
import type { Role } from '../../../../firmware/admin/roles.ts';
import { Button } from '../../components/button.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { CheckboxGroup } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { ALL_ROLES, ROLE_NAMES } from '../../validate.ts';
import { errorsOf } from '../admin-format.ts';
import type { Shown } from './accounts.tsx';
import type { AccountWithPasswordView } from './types.ts';

type Action = 'reset-password' | 'reset-totp' | 'unlock' | 'disable' | 'enable';

const DONE: Record<Action, string> = {
  'reset-password': 'has a new temporary password; their sessions ended',
  'reset-totp': 'must set up two-factor sign-in again at their next sign-in',
  unlock: 'is unlocked',
  disable: 'is disabled; their sessions ended',
  enable: 'is enabled again',
};

interface Props {
  account: AccountView;
  self: boolean;
  breakGlassSession: boolean;
  onChanged: (shown: Shown) => Promise<void>;
  onClose: () => void;
}

export function AccountPanel({ account, self, breakGlassSession, onChanged, onClose }: Props) {
  const { api } = useApp();
  const [roles, setRoles] = useState<Role[]>([...account.roles]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const ref = useFocusFirstError(errors, attempt);
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), []);

  const fail = (e: unknown) => {
    const { fields, message: text } = errorsOf(e);
    setErrors(fields);
    setMessage(text);
    setAttempt((n) => n + 1);
  };
  const act = async (action: Action) => {
    setBusy(action);
    setMessage(null);
    try {
      const result = await api.post<AccountWithPasswordView>(`/api/accounts/${account.id}/${action}`);
      await onChanged({ text: `${account.displayName} ${DONE[action]}.`, username: account.username, ...(result.temporaryPassword !== undefined ? { password: result.temporaryPassword } : {}) });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(null);
    }
  };
  const saveRoles = async () => {
    setBusy('roles');
    setErrors({});
    setMessage(null);
    try {
      await api.request('PUT', `/api/accounts/${account.id}/roles`, { roles });
      await onChanged({ text: `${account.displayName}'s roles are saved.` });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(null);
    }
  };

  if (account.breakGlass) {
    return (
      <section class="card" aria-labelledby="acct-panel-h">
        <h2 id="acct-panel-h" tabIndex={-1} ref={heading}>{account.displayName}</h2>
        <p>This is the break-glass recovery account. Its password is on paper in the school safe; it cannot be changed or removed here.
          After it has been used, a technician gives it a new password on the gateway (<code>schoolgate accounts reset-break-glass</code>) and the paper is replaced.</p>
        <div class="actions"><Button kind="secondary" onClick={onClose}>Close</Button></div>
      </section>
    );
  }
  return (
    <section class="card" aria-labelledby="acct-panel-h">
      <h2 id="acct-panel-h" tabIndex={-1} ref={heading}>{account.displayName} <small>({account.username})</small></h2>
      <Notice kind="error">{message}</Notice>
      {breakGlassSession ? null : (
        <form ref={ref} class="form" noValidate onSubmit={(e) => { e.preventDefault(); void saveRoles(); }}>
          <CheckboxGroup name="roles" legend="Roles" options={ALL_ROLES.map((r) => ({ value: r, label: ROLE_NAMES[r] }))} values={roles} onValues={setRoles} error={errors.roles} />
          <div class="actions"><Button type="submit" busy={busy === 'roles'}>Save roles</Button></div>
        </form>
      )}
      {self ? <p>Your own password and two-factor are changed from <Link href="/account">your account page</Link>.</p> : (
        <div class="actions" role="group" aria-label="Recovery">
          <Button kind="secondary" busy={busy === 'reset-password'} onClick={() => void act('reset-password')}>Reset password</Button>
          <Button kind="secondary" busy={busy === 'reset-totp'} onClick={() => void act('reset-totp')}>Reset two-factor</Button>
          <Button kind="secondary" busy={busy === 'unlock'} onClick={() => void act('unlock')}>Unlock</Button>
          {account.disabled
            ? <Button busy={busy === 'enable'} onClick={() => void act('enable')}>Enable</Button>
            : <Button kind="danger" busy={busy === 'disable'} onClick={() => setConfirming(true)}>Disable</Button>}
        </div>
      )}
      <ConfirmDialog open={confirming} title={`Disable ${account.displayName}?`} confirmLabel="Disable now"
        onConfirm={() => { setConfirming(false); void act('disable'); }} onCancel={() => setConfirming(false)}>
        <p>They are signed out everywhere at once and cannot sign in until someone enables the account again.</p>
      </ConfirmDialog>
      <div class="actions"><Button kind="secondary" onClick={onClose}>Close</Button></div>
    </section>
  );
}
