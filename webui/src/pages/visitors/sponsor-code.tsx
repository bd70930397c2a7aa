// The account's personal sponsor code: typed on a visitor's device at reception, it approves that
// visitor as this account. Kept by the gateway only as a keyed hash; never shown back.
import { useEffect, useState } from 'preact/hooks';
import type { SponsorCodeBody, SponsorCodeState } from '../../../../firmware/admin/api/visitors-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import type { FieldErrors } from '../../validate.ts';
import { when } from './when.ts';

export function SponsorCodePage() {
  const { api, session } = useApp();
  const [state, setState] = useState<SponsorCodeState | null>(null);
  const [code, setCode] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useFocusFirstError(errors, attempt);
  useEffect(() => { api.get<SponsorCodeState>('/api/visitors/sponsor-code').then(setState, () => setState(null)); }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: FieldErrors = {};
    if (!/^[0-9]{6,12}$/.test(code)) found.code = 'Use 6 to 12 digits.';
    else if (repeat !== code) found.repeat = 'The two codes differ.';
    setErrors(found);
    setMessage(null);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const body: SponsorCodeBody = { code };
      setState(await api.request<SponsorCodeState>('PUT', '/api/visitors/sponsor-code', body));
      setCode('');
      setRepeat('');
      setMessage({ kind: 'success', text: 'Your sponsor code is set. Keep it to yourself, like a PIN.' });
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      setErrors({ code: err.fields.code ?? err.message });
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form ref={formRef} class="form narrow" noValidate onSubmit={submit} aria-label="Sponsor code">
      <p class="lead">At reception, type this code on a visitor's phone or laptop (on the guest Wi-Fi page, after they register naming you) to let them on until the end of the day.</p>
      <p>{state?.setAt ? `You set your code on ${when(state.setAt, session?.site.timezone ?? 'Europe/London')}.` : 'You have no sponsor code yet.'}</p>
      <Notice kind={message?.kind ?? 'info'}>{message?.text}</Notice>
      <TextField name="code" label="New sponsor code" type="password" inputMode="numeric" value={code} onValue={setCode} error={errors.code} autocomplete="off" maxLength={12} hint="6 to 12 digits, not one digit repeated or a run like 123456." />
      <TextField name="repeat" label="The same code again" type="password" inputMode="numeric" value={repeat} onValue={setRepeat} error={errors.repeat} autocomplete="off" maxLength={12} />
      <div class="actions"><Button type="submit" busy={busy}>Set sponsor code</Button></div>
    </form>
  );
}
