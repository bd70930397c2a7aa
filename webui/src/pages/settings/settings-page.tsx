// Settings: the school's name and logo, its time zone, how long sessions last, how many sign-ins
// an address may try, where alerts go, and how long records are kept. Those with health.view read
// them; system.manage changes them (the server decides; the form is disabled otherwise). Secrets
// are write-only: the page says "set" or "not set" and never shows one.
import { useEffect, useState } from 'preact/hooks';
import type { SettingsSaved, SettingsView } from '../../../../firmware/admin/api/settings-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { SelectField, TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { timezones } from '../setup.tsx';
import { LogoForm } from './logo-form.tsx';
import { bodyOf, CONTACT_ROLES, draftOf, RETENTION_FIELDS, type SettingsDraft } from './settings-draft.ts';
import './settings.css';
import { asSentence } from '../admin-format.ts';

interface Outcome { ok: boolean; message: string; fields: Record<string, string> }

export function SettingsPage() {
  const { api, refreshSession } = useApp();
  const [view, setView] = useState<SettingsView | null>(null);
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const fields = outcome?.fields ?? {};
  const formRef = useFocusFirstError(fields, attempt);

  useEffect(() => {
    api.get<SettingsView>('/api/settings').then((v) => { setView(v); setDraft(draftOf(v)); }, (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  }, []);
  if (view === null || draft === null) return <><Notice kind="error">{loadError}</Notice>{loadError === null ? <p role="status">Loading…</p> : null}</>;

  const set = (patch: Partial<SettingsDraft>) => setDraft({ ...draft, ...patch });
  const setContact = (i: number, patch: Partial<SettingsDraft['contacts'][number]>) => set({ contacts: draft.contacts.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const saved = await api.request<SettingsSaved>('PUT', '/api/settings', bodyOf(draft));
      setView(saved.settings);
      // The secrets typed are cleared once stored: they are never shown again.
      setDraft({ ...draft, password: '', secret: '', clearPassword: false });
      setOutcome({ ok: true, message: saved.changed.length === 0 ? 'Nothing had changed.' : 'Saved. The gateway uses the new settings now.', fields: {} });
      if (saved.changed.includes('site')) await refreshSession();
    } catch (err) {
      if (err instanceof ApiRequestError) setOutcome({ ok: false, message: asSentence(err.message), fields: err.fields });
      else setOutcome({ ok: false, message: String(err), fields: {} });
    }
    setBusy(false);
    setAttempt((a) => a + 1);
  };

  const email = view.alerts.email;
  const readOnly = !view.editable;
  return (
    <>
      {readOnly ? <p class="muted">You can read these settings; changing them is for the school's technician (system management).</p> : null}
      <LogoForm logo={view.logo} editable={view.editable} onChanged={(logo) => setView({ ...view, logo })} />
      <form ref={formRef} onSubmit={submit} noValidate aria-label="Settings" class="settings-form">
        <fieldset class="card" disabled={readOnly}>
          <legend>The school</legend>
          <TextField name="site/name" label="School name" hint="Shown on every page, the block page and the visitor portal." value={draft.name} onValue={(v) => set({ name: v })} error={fields['site/name']} maxLength={120} />
          <SelectField name="site/timezone" label="Time zone" hint="Schedules, term dates and the logs' times follow it." value={draft.timezone} options={timezones(draft.timezone)} onValue={(v) => set({ timezone: v })} error={fields['site/timezone']} />
        </fieldset>

        <fieldset class="card grid-3" disabled={readOnly}>
          <legend>Signing in</legend>
          <TextField name="sessions/idleMinutes" label="Sign out after this many idle minutes" hint="5 to 480; the schools' policies suggest 30." value={draft.idleMinutes} onValue={(v) => set({ idleMinutes: v })} error={fields['sessions/idleMinutes']} inputMode="numeric" />
          <TextField name="sessions/absoluteHours" label="Sign out after this many hours in all" hint="1 to 24, however busy." value={draft.absoluteHours} onValue={(v) => set({ absoluteHours: v })} error={fields['sessions/absoluteHours']} inputMode="numeric" />
          <TextField name="signInsPerMinute" label="Sign-in attempts per minute from one address" hint="3 to 600. Six wrong passwords lock an account whatever this is. Applies after a restart." value={draft.signInsPerMinute} onValue={(v) => set({ signInsPerMinute: v })} error={fields.signInsPerMinute} inputMode="numeric" />
        </fieldset>

        <fieldset class="card" disabled={readOnly}>
          <legend>Who hears about alerts</legend>
          <p class="field-hint">In escalation order: a critical alert goes to the first person at once, then to the next while it stays unacknowledged.</p>
          {draft.contacts.length === 0 ? <p>No one yet: alerts are kept for the web UI and the weekly review only.</p> : null}
          {draft.contacts.map((c, i) => (
            <div key={i} class="grid-3 contact-row">
              <TextField name={`alerts/contacts/${i}/name`} label={`Contact ${i + 1}: name`} value={c.name} onValue={(v) => setContact(i, { name: v })} error={fields[`alerts/contacts/${i}/name`]} />
              <SelectField name={`alerts/contacts/${i}/role`} label={`Contact ${i + 1}: role`} value={CONTACT_ROLES.find((r) => r.value === c.role)!.label} options={CONTACT_ROLES.map((r) => r.label)} onValue={(v) => setContact(i, { role: CONTACT_ROLES.find((r) => r.label === v)!.value })} error={fields[`alerts/contacts/${i}/role`]} />
              <TextField name={`alerts/contacts/${i}/email`} label={`Contact ${i + 1}: e-mail`} type="email" required={false} value={c.email} onValue={(v) => setContact(i, { email: v })} error={fields[`alerts/contacts/${i}/email`]} />
              {readOnly ? null : <div class="actions"><Button kind="secondary" onClick={() => set({ contacts: draft.contacts.filter((_, j) => j !== i) })}>Remove contact {i + 1}</Button></div>}
            </div>
          ))}
          {readOnly || draft.contacts.length >= 16 ? null : <div class="actions"><Button kind="secondary" onClick={() => set({ contacts: [...draft.contacts, { name: '', role: 'dsl', email: '' }] })}>Add a contact</Button></div>}
          {fields['alerts/contacts'] ? <p class="field-error">{fields['alerts/contacts']}</p> : null}
        </fieldset>

        <fieldset class="card" disabled={readOnly}>
          <legend>Alerts by e-mail</legend>
          <label class="checkbox"><input type="checkbox" checked={draft.email} onChange={(e) => set({ email: (e.currentTarget as HTMLInputElement).checked })} /> <span>Send alerts by e-mail</span></label>
          {draft.email ? (
            <div class="grid-3">
              <TextField name="alerts/email/host" label="SMTP server" value={draft.host} onValue={(v) => set({ host: v })} error={fields['alerts/email/host']} />
              <TextField name="alerts/email/port" label="Port" required={false} hint="Blank: 465 for TLS, 587 for STARTTLS." value={draft.port} onValue={(v) => set({ port: v })} error={fields['alerts/email/port']} inputMode="numeric" />
              <SelectField name="alerts/email/security" label="Security" value={draft.security} options={['starttls', 'tls', 'none']} onValue={(v) => set({ security: v as SettingsDraft['security'] })} error={fields['alerts/email/security']} hint="none: only to a relay on the gateway itself." />
              <TextField name="alerts/email/from" label="From address" type="email" value={draft.from} onValue={(v) => set({ from: v })} error={fields['alerts/email/from']} />
              <TextField name="alerts/email/username" label="User name" required={false} value={draft.username} onValue={(v) => set({ username: v })} error={fields['alerts/email/username']} />
              <TextField name="alerts/email/password" label="Password" type="password" required={false} autocomplete="new-password"
                hint={email?.password === 'set' ? 'Set. Leave blank to keep it; it is never shown again.' : 'Not set.'}
                value={draft.password} onValue={(v) => set({ password: v })} error={fields['alerts/email/password']} />
              {email?.password === 'set' && !readOnly ? <label class="checkbox"><input type="checkbox" checked={draft.clearPassword} onChange={(e) => set({ clearPassword: (e.currentTarget as HTMLInputElement).checked })} /> <span>Remove the stored password</span></label> : null}
            </div>
          ) : null}
        </fieldset>

        <fieldset class="card" disabled={readOnly}>
          <legend>Alerts to a webhook</legend>
          <label class="checkbox"><input type="checkbox" checked={draft.webhook} onChange={(e) => set({ webhook: (e.currentTarget as HTMLInputElement).checked })} /> <span>POST each alert to a web address (the IT provider's ticketing, a chat room)</span></label>
          {draft.webhook ? (
            <div class="grid-3">
              <TextField name="alerts/webhook/url" label="Web address" hint="https://, or http:// to the gateway itself." value={draft.url} onValue={(v) => set({ url: v })} error={fields['alerts/webhook/url']} />
              <TextField name="alerts/webhook/secret" label="Signing key" type="password" required={false} autocomplete="new-password"
                hint={view.alerts.webhook?.secret === 'set' ? 'Set. Leave blank to keep it; it is never shown again.' : 'Not set: a new webhook needs one.'}
                value={draft.secret} onValue={(v) => set({ secret: v })} error={fields['alerts/webhook/secret']} />
            </div>
          ) : null}
        </fieldset>

        <fieldset class="card grid-3" disabled={readOnly}>
          <legend>How long records are kept (days)</legend>
          {RETENTION_FIELDS.map((f) => (
            <TextField key={f.key} name={`retention/${f.key}`} label={f.label} required={f.required} inputMode="numeric"
              hint={'default' in f ? `Blank: ${f.default}.` : undefined}
              value={draft.retention[f.key]} onValue={(v) => set({ retention: { ...draft.retention, [f.key]: v } })} error={fields[`retention/${f.key}`]} />
          ))}
        </fieldset>
        {/* Beside the button, where the person's eyes are after pressing it. */}
        <Notice kind={outcome === null ? 'info' : outcome.ok ? 'success' : 'error'}>{outcome?.message}</Notice>
        {readOnly ? null : <div class="actions"><Button type="submit" busy={busy}>Save the settings</Button></div>}
      </form>
    </>
  );
}
