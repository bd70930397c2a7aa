// First-run setup, for a box with no accounts yet: the one-time code the gateway printed, the
// school's name and time zone, then the first accounts (two approvers at least). The logo and the
// term dates come next, signed in (setup-continue.tsx): the logo upload needs a session. The answer holds
// the break-glass recovery password, shown this once with a print view for the school safe; the
// page does not move on until the person confirms it is stored.
import { useState } from 'preact/hooks';
import type { SetupBody, SetupResult, SetupState } from '../../../firmware/admin/api/session-schema.ts';
import { ApiRequestError } from '../api.ts';
import { Button } from '../components/button.tsx';
import { CheckboxGroup, SelectField, TextField } from '../components/field.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { useFocusFirstError } from '../components/form.ts';
import { markAccountsMade } from './setup-continue.tsx';
import { Notice } from '../components/notice.tsx';
import { useApp } from '../context.ts';
import { ALL_ROLES, checkRequired, checkSetupAccounts, PASSWORD_RULE, ROLE_NAMES, type FieldErrors, type SetupAccountDraft } from '../validate.ts';

type Step = 'school' | 'accounts' | 'recovery';

const blankAccount = (): SetupAccountDraft => ({ username: '', displayName: '', email: '', roles: [], password: '', repeat: '' });

export function timezones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const list = all.includes(current) ? all : [current, ...all];
  // The school's own zone first: almost every box is in Europe/London.
  return ['Europe/London', ...list.filter((z) => z !== 'Europe/London')];
}

/** The step a server-side field error belongs to, so the person is taken to it. */
function stepOf(field: string): Step {
  return field.startsWith('accounts') ? 'accounts' : 'school';
}

/** `onDone` runs once the recovery password is confirmed stored: the app then stops sending to setup. */
export function SetupPage({ state, onDone }: { state: SetupState | null; onDone: () => void }) {
  const { api, navigate } = useApp();
  const [step, setStep] = useState<Step>('school');
  const [code, setCode] = useState('');
  const [name, setName] = useState(state?.site.name ?? '');
  const [timezone, setTimezone] = useState(state?.site.timezone || 'Europe/London');
  const [accounts, setAccounts] = useState<SetupAccountDraft[]>([blankAccount(), blankAccount()]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<SetupResult | null>(null);
  const [stored, setStored] = useState(false);
  const [confirmOpen, setConfirmOpen] = useState(false);
  const formRef = useFocusFirstError(errors, attempt);

  const fail = (found: FieldErrors, general: string | null) => {
    setErrors(found);
    setMessage(general ?? (Object.keys(found).length > 0 ? 'Some answers need changing: each is marked below.' : null));
    setAttempt((n) => n + 1);
  };

  const update = (i: number, patch: Partial<SetupAccountDraft>) => setAccounts((list) => list.map((a, j) => (j === i ? { ...a, ...patch } : a)));

  const nextFromSchool = (e: Event) => {
    e.preventDefault();
    const found: FieldErrors = {};
    checkRequired(found, 'code', code, 'the setup code the gateway printed');
    checkRequired(found, 'site/name', name, 'the school\'s name');
    if (Object.keys(found).length > 0) return fail(found, null);
    setErrors({});
    setMessage(null);
    setStep('accounts');
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const checked = checkSetupAccounts(accounts);
    if (Object.keys(checked.fields).length > 0 || checked.general !== null) return fail(checked.fields, checked.general);
    setBusy(true);
    try {
      const body: SetupBody = {
        code: code.trim(),
        site: { name: name.trim(), timezone },
        accounts: accounts.map((a) => ({
          username: a.username,
          displayName: a.displayName.trim(),
          ...(a.email.trim() !== '' ? { email: a.email.trim() } : {}),
          roles: a.roles,
          password: a.password,
        })),
      };
      setResult(await api.post<SetupResult>('/api/setup', body));
      setErrors({});
      setMessage(null);
      setStep('recovery');
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      const first = Object.keys(err.fields)[0];
      if (first !== undefined) setStep(stepOf(first));
      else if (err.code === 'setup-code') setStep('school');
      fail(err.code === 'setup-code' && first === undefined ? { code: err.message } : err.fields, err.message);
    } finally {
      setBusy(false);
    }
  };

  if (step === 'recovery' && result !== null) {
    return (
      <div key="recovery" class="narrow">
        <p class="lead no-print">The gateway is set up. One thing remains: the recovery password.</p>
        <section class="card recovery-sheet" aria-labelledby="bg-h">
          <h2 id="bg-h">Break-glass recovery account — {name}</h2>
          <p>If every administrator is locked out, this account can recover or withdraw access. It can do nothing else, and every use alerts the school.</p>
          <dl class="facts">
            <dt>Username</dt><dd><code id="bg-username">{result.breakGlass.username}</code></dd>
            <dt>Password</dt><dd><code class="secret" id="bg-password">{result.breakGlass.password}</code></dd>
          </dl>
          <p><strong>This password is shown only now.</strong> Print this page, sign it, seal it in an envelope and keep it in the school safe.</p>
        </section>
        <div class="actions no-print">
          <Button kind="secondary" onClick={() => window.print()}>Print this</Button>
          <Button onClick={() => setConfirmOpen(true)}>I have stored it — go to sign in</Button>
        </div>
        <label class="checkbox no-print">
          <input type="checkbox" checked={stored} onChange={(e) => setStored((e.currentTarget as HTMLInputElement).checked)} />
          <span>I have printed or written down the recovery password and it is going into the school safe.</span>
        </label>
        <ConfirmDialog
          open={confirmOpen}
          title={stored ? 'Leave this page?' : 'Tick the box first'}
          confirmLabel={stored ? 'Yes, go to sign in' : 'Back to the password'}
          cancelLabel="Stay here"
          onCancel={() => setConfirmOpen(false)}
          onConfirm={() => {
            setConfirmOpen(false);
            if (!stored) return;
            onDone();
            // Signed in, the technician goes on to the logo, term dates, networks, resolvers and policies (setup-continue.tsx).
            markAccountsMade();
            navigate('/sign-in', { replace: true, flash: { kind: 'success', text: 'The accounts are made. The technician signs in next, to go on to the school\'s logo, the term dates, the networks, the resolvers and the policies (each can be skipped).' } });
          }}
        >
          <p>{stored ? 'The recovery password will not be shown again, by this page or any other.' : 'Confirm with the tick box that the recovery password is stored: it will not be shown again.'}</p>
        </ConfirmDialog>
      </div>
    );
  }

  if (step === 'school') {
    return (
      // Keyed, so Preact builds each step afresh: reusing the Back button's element as the next
      // step's submit button would let the same click submit it.
      <form key="school" ref={formRef} class="form narrow" noValidate onSubmit={nextFromSchool} aria-label="The school">
        <p class="step-count">Step 1 of 2: the school</p>
        <Notice kind="error">{message}</Notice>
        <TextField name="code" label="Setup code" value={code} onValue={setCode} error={errors.code} autocomplete="off" hint={<>The one-time code the gateway printed when it started; <code>schoolgate status</code> on the gateway shows it again.</>} />
        <TextField name="site/name" label="School name" value={name} onValue={setName} error={errors['site/name']} autocomplete="organization" maxLength={120} spellcheck />
        <SelectField name="site/timezone" label="Time zone" value={timezone} options={timezones(timezone)} onValue={setTimezone} error={errors['site/timezone']} />
        <div class="actions"><Button type="submit">Next: the first accounts</Button></div>
      </form>
    );
  }

  return (
    <form key="accounts" ref={formRef} class="form" noValidate onSubmit={submit} aria-label="The first accounts">
      <p class="step-count">Step 2 of 2: the first accounts</p>
      <p>One account per person. At least two need an approving role (headteacher, designated safeguarding lead or online-safety lead), so filtering is never one person's decision. In a small school one person may hold several roles.</p>
      <Notice kind="error">{message}</Notice>
      {accounts.map((a, i) => (
        <fieldset key={i} class="card account-card">
          <legend>Account {i + 1}</legend>
          <div class="grid-2">
            <TextField name={`accounts/${i}/displayName`} label="Full name" value={a.displayName} onValue={(v) => update(i, { displayName: v })} error={errors[`accounts/${i}/displayName`]} autocomplete="off" spellcheck />
            <TextField name={`accounts/${i}/username`} label="Username" value={a.username} onValue={(v) => update(i, { username: v })} error={errors[`accounts/${i}/username`]} autocomplete="off" hint="Lower-case, e.g. j.smith" />
            <TextField name={`accounts/${i}/email`} label="Email" type="email" required={false} value={a.email} onValue={(v) => update(i, { email: v })} error={errors[`accounts/${i}/email`]} autocomplete="off" />
          </div>
          <CheckboxGroup
            name={`accounts/${i}/roles`}
            legend="Roles"
            options={ALL_ROLES.map((r) => ({ value: r, label: ROLE_NAMES[r] }))}
            values={a.roles}
            onValues={(roles) => update(i, { roles })}
            error={errors[`accounts/${i}/roles`]}
          />
          <div class="grid-2">
            <TextField name={`accounts/${i}/password`} label="Password" type="password" value={a.password} onValue={(v) => update(i, { password: v })} error={errors[`accounts/${i}/password`]} autocomplete="new-password" hint={PASSWORD_RULE} />
            <TextField name={`accounts/${i}/repeat`} label="Password again" type="password" value={a.repeat} onValue={(v) => update(i, { repeat: v })} error={errors[`accounts/${i}/repeat`]} autocomplete="new-password" />
          </div>
          {accounts.length > 2 ? (
            <div class="actions"><Button kind="secondary" onClick={() => { setErrors({}); setAccounts((list) => list.filter((_, j) => j !== i)); }}>Remove account {i + 1}</Button></div>
          ) : null}
        </fieldset>
      ))}
      <div class="actions">
        {accounts.length < 16 ? <Button kind="secondary" onClick={() => setAccounts((list) => [...list, blankAccount()])}>Add another account</Button> : null}
      </div>
      <div class="actions">
        <Button kind="secondary" onClick={() => { setErrors({}); setMessage(null); setStep('school'); }}>Back</Button>
        <Button type="submit" busy={busy}>Finish setup</Button>
      </div>
    </form>
  );
}
