// The AUP splash under the acceptable-use tables: the school's AUP that staff and pupil devices
// accept once per version before their web traffic goes out (the configuration's `aup` section).
// Everyone with policy.view reads it; policy.edit changes it through the one save path, each problem
// beside its field and nothing typed lost. A new version asks every device again, so the page says
// so before the save and after it.
import { useEffect, useState } from 'preact/hooks';
import type { AupSettingsBody, AupSettingsSaved, AupSettingsView } from '../../../../firmware/admin/api/aup-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { CheckboxGroup, TextAreaField, TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice, type NoticeKind } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { asSentence } from '../admin-format.ts';

interface Draft { version: string; text: string; pupilText: string; splashOn: string[] }

const draftOf = (view: AupSettingsView): Draft => ({
  version: view.aup?.version ?? '', text: view.aup?.text ?? '', pupilText: view.aup?.pupilText ?? '', splashOn: [...(view.aup?.splashOn ?? [])],
});

/** Blank pupils' text: the built-in rules, so it is left out rather than saved empty. */
const bodyOf = (d: Draft): AupSettingsBody => ({
  version: d.version.trim(), text: d.text, ...(d.pupilText.trim() !== '' ? { pupilText: d.pupilText } : {}), splashOn: d.splashOn,
});

const namesOf = (view: AupSettingsView, ids: readonly string[]): string =>
  ids.map((id) => view.networks.find((n) => n.id === id)?.name ?? id).join(', ');

function Paragraphs({ text }: { text: string }) {
  return <>{text.split(/\n\s*\n/).map((p, i) => <p key={i}>{p}</p>)}</>;
}

function ReadOnly({ view }: { view: AupSettingsView }) {
  const aup = view.aup;
  if (aup === null) return <p>The splash is off: no device is asked to accept the AUP before going online. The school's technician turns it on here.</p>;
  return (
    <>
      <p>Version <strong>{aup.version}</strong>. {aup.splashOn.length > 0 ? <>Shown on {namesOf(view, aup.splashOn)}.</> : <>Shown on no network at present.</>}</p>
      <h3>What staff devices are shown</h3>
      <div class="aup-splash-text"><Paragraphs text={aup.text} /></div>
      <h3>What pupils are shown</h3>
      {aup.pupilText ? <div class="aup-splash-text"><Paragraphs text={aup.pupilText} /></div> : <p class="muted">The built-in pupils' rules, in short sentences a child can read.</p>}
    </>
  );
}

export function AupSplashForm() {
  const { api } = useApp();
  const [view, setView] = useState<AupSettingsView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ kind: NoticeKind; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useFocusFirstError(fields, attempt);

  useEffect(() => {
    api.get<AupSettingsView>('/api/aup/settings').then((v) => { setView(v); setDraft(draftOf(v)); }, (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  }, []);

  const heading = <h2 id="aup-splash-h">AUP splash</h2>;
  if (loadError !== null) return <section class="aup-splash card" aria-labelledby="aup-splash-h">{heading}<Notice kind="error">Could not load the AUP splash: {loadError}</Notice></section>;
  if (view === null || draft === null) return <section class="aup-splash card" aria-labelledby="aup-splash-h">{heading}<p role="status">Loading…</p></section>;

  const intro = <p class="field-hint">Staff and pupil devices on the networks chosen here must accept the school's acceptable use policy once per version before their web traffic goes out. The splash tells everyone that their use is monitored. Guests accept the visitor portal's own terms instead.</p>;
  if (!view.editable) {
    // On paper only when it is on: then it is part of the school's record of what devices are told.
    return <section class={`aup-splash card${view.aup === null ? ' no-print' : ''}`} aria-labelledby="aup-splash-h">{heading}{intro}<ReadOnly view={view} /></section>;
  }

  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const saved = view.aup;
  const versionChanging = saved !== null && draft.version.trim() !== saved.version;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setNotice(null);
    try {
      const result = await api.request<AupSettingsSaved>('PUT', '/api/aup/settings', bodyOf(draft));
      setView(result.settings);
      setDraft(draftOf(result.settings));
      setFields({});
      const on = result.settings.aup?.splashOn ?? [];
      setNotice({
        kind: 'success',
        text: result.changed.length === 0 ? 'Saved: nothing had changed.'
          : result.versionChanged ? `Saved. Version ${result.settings.aup!.version} is in force: every device on ${on.length > 0 ? namesOf(result.settings, on) : 'the chosen networks'} is asked to accept it again.`
          : `Saved. ${on.length > 0 ? `The splash is shown on ${namesOf(result.settings, on)}.` : 'The splash is shown on no network.'}`,
      });
    } catch (err) {
      if (err instanceof ApiRequestError) {
        setFields(err.fields);
        setNotice({ kind: 'error', text: asSentence(err.message) });
      } else {
        setNotice({ kind: 'error', text: String(err) });
      }
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  };

  const other = Object.entries(fields).filter(([k]) => !['version', 'text', 'pupilText', 'splashOn'].includes(k));
  return (
    <section class="aup-splash card no-print" aria-labelledby="aup-splash-h">
      {heading}
      {intro}
      <form ref={formRef} onSubmit={submit} noValidate aria-labelledby="aup-splash-h">
        <TextField name="version" label="Version" value={draft.version} onValue={(v) => set({ version: v })} error={fields.version} maxLength={32}
          hint="Recorded with each acceptance, for example 2026-27. Letters, digits, dots, dashes and underscores. A new version asks every device again (each autumn, say)." />
        {versionChanging ? (
          <Notice kind="warning">You have changed the version from {saved.version} to {draft.version.trim() || '(blank)'}: when you save, every device on {saved.splashOn.length > 0 || draft.splashOn.length > 0 ? namesOf(view, draft.splashOn.length > 0 ? draft.splashOn : saved.splashOn) : 'the chosen networks'} must accept the policy again before it can go online.</Notice>
        ) : null}
        <CheckboxGroup name="splashOn" legend="Show the splash on" options={view.networks.map((n) => ({ value: n.id, label: `${n.name} (${n.kind})` }))}
          values={draft.splashOn} onValues={(v) => set({ splashOn: v })} error={fields.splashOn} hint="None chosen: the splash is off." />
        <TextAreaField name="text" label="The acceptable use policy (staff and other networks)" value={draft.text} onValue={(v) => set({ text: v })} error={fields.text} maxLength={20000} rows={10}
          hint="Plain text; a blank line starts a new paragraph. Say that use of the school's Wi-Fi is logged and monitored." />
        <TextAreaField name="pupilText" label="The pupils' rules (pupil networks)" required={false} value={draft.pupilText} onValue={(v) => set({ pupilText: v })} error={fields.pupilText} maxLength={20000} rows={6}
          hint="Short sentences a child can read. Leave blank for the built-in rules." />
        {other.length > 0 ? <ul class="field-error">{other.map(([k, v]) => <li key={k}>{k}: {v}</li>)}</ul> : null}
        <Notice kind={notice?.kind ?? 'info'}>{notice?.text}</Notice>
        <div class="actions"><Button type="submit" busy={busy}>Save the AUP splash</Button></div>
      </form>
    </section>
  );
}
