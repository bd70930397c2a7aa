// Change password: the current one, the new one twice. Forced after a temporary password, when it
// is the only page the account can reach until done.
import { useState } from 'preact/hooks';
import type { ChangePasswordBody } from '../../../firmware/admin/api/session-schema.ts';
import { ApiRequestError } from '../api.ts';
import { Button } from '../components/button.tsx';
import { TextField } from '../components/field.tsx';
import { useFocusFirstError } from '../components/form.ts';
import { Notice } from '../components/notice.tsx';
import { useApp } from '../context.ts';
import { forcedPage, homeFor } from '../router.ts';
import { checkPassword, checkRequired, PASSWORD_RULE, type FieldErrors } from '../validate.ts';

export function ChangePasswordPage({ forced }: { forced: boolean }) {
  const { api, refreshSession, navigate } = useApp();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useFocusFirstError(errors, attempt);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: FieldErrors = {};
    checkRequired(found, 'current', current, 'your current password');
    checkPassword(found, 'next', next, repeat, 'repeat');
    if (found.next === undefined && next === current && current !== '') found.next = 'Choose a password different from the current one.';
    setErrors(found);
    setMessage(null);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const body: ChangePasswordBody = { current, next };
      await api.post('/api/account/password', body);
      const session = await refreshSession();
      const to = session === null ? '/sign-in' : forcedPage(session.account) ?? homeFor(new Set(session.permissions));
      navigate(to, { replace: true, flash: { kind: 'success', text: 'Your password is changed.' } });
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      setErrors(err.fields);
      setMessage(err.message);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} class="form narrow" noValidate onSubmit={submit} aria-label="Change password">
      {forced ? <p class="lead">Your password was set for you. Choose your own before going on.</p> : null}
      <Notice kind="error">{message}</Notice>
      <TextField name="current" label={forced ? 'The password you were given' : 'Current password'} type="password" value={current} onValue={setCurrent} error={errors.current} autocomplete="current-password" />
      <TextField name="next" label="New password" type="password" value={next} onValue={setNext} error={errors.next} autocomplete="new-password" hint={PASSWORD_RULE} />
      <TextField name="repeat" label="New password again" type="password" value={repeat} onValue={setRepeat} error={errors.repeat} autocomplete="new-password" />
      <div class="actions"><Button type="submit" busy={busy}>Change password</Button></div>
    </form>
  );
}
