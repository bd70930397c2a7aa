// Two-factor enrolment: the API makes a secret and its QR code; the person scans it (or types the
// secret), then proves it with the first code. The QR code is our own server's SVG, shown as an
// image (a data: URL in an <img>), so even altered markup could run nothing in this page.
import { useState } from 'preact/hooks';
import type { TotpConfirmBody, TotpEnrolment } from '../../../firmware/admin/api/session-schema.ts';
import { ApiRequestError } from '../api.ts';
import { Button } from '../components/button.tsx';
import { TextField } from '../components/field.tsx';
import { useFocusFirstError } from '../components/form.ts';
import { Notice } from '../components/notice.tsx';
import { useApp } from '../context.ts';
import { groupSecret } from '../format.ts';
import { forcedPage, homeFor } from '../router.ts';
import { checkTotp, type FieldErrors } from '../validate.ts';

export function TwoFactorPage({ forced }: { forced: boolean }) {
  const { api, refreshSession, navigate } = useApp();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useFocusFirstError(errors, attempt);

  const start = async () => {
    setBusy(true);
    setMessage(null);
    try {
      setEnrolment(await api.post<TotpEnrolment>('/api/account/totp', {}));
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const confirm = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: FieldErrors = {};
    checkTotp(found, 'code', code);
    setErrors(found);
    setMessage(null);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const body: TotpConfirmBody = { code: code.replace(/\s+/g, '') };
      await api.post('/api/account/totp/confirm', body);
      const session = await refreshSession();
      const to = session === null ? '/sign-in' : forcedPage(session.account) ?? homeFor(new Set(session.permissions));
      navigate(to, { replace: true, flash: { kind: 'success', text: 'Two-factor sign-in is on: you will be asked for a code each time you sign in.' } });
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      setErrors(err.fields.code !== undefined ? { code: err.fields.code } : {});
      setMessage(err.message);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  if (enrolment === null) {
    return (
      <div class="narrow">
        {forced ? <p class="lead">Your role needs two-factor sign-in: a code from an app on your phone as well as your password. Set it up now to go on.</p> : null}
        <p>You need an authenticator app on your phone (for example Microsoft Authenticator, Google Authenticator or FreeOTP).</p>
        <Notice kind="error">{message}</Notice>
        <div class="actions"><Button onClick={() => void start()} busy={busy}>Start</Button></div>
      </div>
    );
  }
  return (
    <div class="narrow">
      <ol class="steps">
        <li>
          <p>In your authenticator app, add an account and scan this code:</p>
          <img class="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`} alt="QR code to scan with your authenticator app" width={220} height={220} />
        </li>
        <li>
          <p>Or type this key into the app instead (it is shown only now):</p>
          <p><code class="secret" id="totp-secret">{groupSecret(enrolment.secret)}</code></p>
        </li>
        <li>
          <form ref={formRef} class="form" noValidate onSubmit={confirm} aria-label="Confirm two-factor sign-in">
            <Notice kind="error">{message}</Notice>
            <TextField name="code" label="The six-digit code the app now shows" value={code} onValue={setCode} error={errors.code} inputMode="numeric" autocomplete="one-time-code" maxLength={7} />
            <div class="actions"><Button type="submit" busy={busy}>Turn on two-factor sign-in</Button></div>
          </form>
        </li>
      </ol>
    </div>
  );
}
