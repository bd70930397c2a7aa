// Creating an account: one per person, with one or more roles; the temporary password the
// gateway makes is shown once, and the person must change it at their first sign-in.
import { useState } from 'preact/hooks';
import type { AccountWithPasswordView } from './types.ts';
import type { Role } from '../../../../firmware/admin/roles.ts';
import { Button } from '../../components/button.tsx';
import { CheckboxGroup, TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { ALL_ROLES, ROLE_NAMES } from '../../validate.ts';
import { errorsOf } from '../admin-format.ts';
import type { Shown } from './accounts.tsx';

export function NewAccountForm({ onCreated }: { onCreated: (shown: Shown) => Promise<void> }) {
  const { api } = useApp();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [roles, setRoles] = useState<Role[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const ref = useFocusFirstError(errors, attempt);

  const submit = async () => {
    const found: Record<string, string> = {};
    if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(username)) found.username = 'Lower-case letters, digits, dots, dashes or underscores, at least 2 (e.g. jo.smith).';
    if (displayName.trim() === '') found.displayName = 'Enter the person\'s name.';
    if (roles.length === 0) found.roles = 'Choose at least one role.';
    setErrors(found);
    setMessage(null);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const made = await api.post<AccountWithPasswordView>('/api/accounts', { username, displayName: displayName.trim(), roles, ...(email.trim() ? { email: email.trim() } : {}) });
      setUsername('');
      setDisplayName('');
      setEmail('');
      setRoles([]);
      await onCreated({ text: `Created the account ${made.account.username}.`, username: made.account.username, ...(made.temporaryPassword !== undefined ? { password: made.temporaryPassword } : {}) });
    } catch (e) {
      const { fields, message: text } = errorsOf(e);
      setErrors(fields);
      setMessage(Object.keys(fields).length > 0 ? null : text);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={ref} class="form card no-print" noValidate aria-labelledby="new-h" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h2 id="new-h">New account</h2>
      <p class="field-hint">One account per person: someone with two jobs gets one account with two roles.</p>
      <Notice kind="error">{message}</Notice>
      <div class="grid-2">
        <TextField name="username" label="Username" value={username} onValue={setUsername} error={errors.username} autocomplete="off" maxLength={64} />
        <TextField name="displayName" label="Name" value={displayName} onValue={setDisplayName} error={errors.displayName} maxLength={120} />
        <TextField name="email" label="E-mail" type="email" value={email} onValue={setEmail} error={errors.email} required={false} maxLength={254} />
      </div>
      <CheckboxGroup name="roles" legend="Roles" options={ALL_ROLES.map((r) => ({ value: r, label: ROLE_NAMES[r] }))} values={roles} onValues={setRoles} error={errors.roles}
        hint="Technician, headteacher and DSL must set up two-factor sign-in before they can do anything else." />
      <div class="actions"><Button type="submit" busy={busy}>Create account</Button></div>
    </form>
  );
}
