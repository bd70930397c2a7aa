// Sign-in: username and password, then, when the API answers "totp-required", the six-digit code
// from the authenticator (the password is kept, not asked again). A locked account is told so and
// how to get back in; a wrong password never says whether the username exists (the API's words).
import { useState } from 'preact/hooks';
import type { LoginBody, SessionView } from '../../../firmware/admin/api/session-schema.ts';
import { ApiRequestError } from '../api.ts';
import { Button } from '../components/button.tsx';
import { TextField } from '../components/field.tsx';
import { useFocusFirstError } from '../components/form.ts';
import { Notice } from '../components/notice.tsx';
import { useApp } from '../context.ts';
import { forcedPage, homeFor, nextFrom } from '../router.ts';
import { checkRequired, checkTotp, type FieldErrors } from '../validate.ts';

/** The API's words as a sentence of their own: it writes fragments ("too many wrong attempts: …"). */
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;

export function SignInPage({ search }: { search: string }) {
  const { api, setSession, navigate } = useApp();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [askTotp, setAskTotp] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ kind: 'error' | 'warning'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useFocusFirstError(errors, attempt);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: FieldErrors = {};
    checkRequired(found, 'username', username, 'your username');
    checkRequired(found, 'password', password, 'your password');
    if (askTotp) checkTotp(found, 'totp', totp);
    setErrors(found);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length > 0) {
      setMessage(null);
      return;
    }
    setBusy(true);
    try {
      const body: LoginBody = { username: username.trim(), password, ...(askTotp ? { totp: totp.replace(/\s+/g, '') } : {}) };
      const session = await api.post<SessionView>('/api/session', body);
      setSession(session);
      const permissions = new Set(session.permissions);
      navigate(forcedPage(session.account) ?? nextFrom(search) ?? homeFor(permissions), { replace: true });
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      if (err.code === 'totp-required') {
        setAskTotp(true);
        setMessage({ kind: 'warning', text: 'Now enter the six-digit code from your authenticator app.' });
        setErrors({});
      } else if (err.code === 'locked') {
        setMessage({ kind: 'error', text: `${sentence(err.message)} Ask the headteacher or the school's technician to unlock it, or wait and try later.` });
      } else {
        setMessage({ kind: 'error', text: sentence(err.message) });
        setErrors(err.fields);
      }
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} class="form narrow" noValidate onSubmit={submit} aria-label="Sign in">
      <Notice kind={message?.kind ?? 'error'}>{message?.text}</Notice>
      <TextField name="username" label="Username" value={username} onValue={setUsername} error={errors.username} autocomplete="username" />
      <TextField name="password" label="Password" type="password" value={password} onValue={setPassword} error={errors.password} autocomplete="current-password" />
      {askTotp ? (
        <TextField
          name="totp" label="Code from your authenticator app" value={totp} onValue={setTotp} error={errors.totp}
          inputMode="numeric" autocomplete="one-time-code" maxLength={7} hint="Six digits; a new code every 30 seconds."
        />
      ) : null}
      <div class="actions">
        <Button type="submit" busy={busy}>Sign in</Button>
      </div>
    </form>
  );
}
