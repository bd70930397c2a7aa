// The school's logo: a PNG, JPEG or SVG of at most 256 KB, checked here for size (so a large file
// is refused before it is sent) and on the gateway by its first bytes. The header, the block page
// and the visitor portal show it.
import { useState } from 'preact/hooks';
import type { LogoView } from '../../../../firmware/admin/api/settings-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { fieldId } from '../../components/field.tsx';
import { Notice } from '../../components/notice.tsx';
import { LOGO_CHANGED, logoUrl } from '../../components/school-logo.tsx';
import { useApp } from '../../context.ts';

const MAX_BYTES = 256 * 1024;

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function LogoForm({ logo, editable, onChanged }: { logo: LogoView; editable: boolean; onChanged: (logo: LogoView) => void }) {
  const { api } = useApp();
  const [error, setError] = useState<string | undefined>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const id = fieldId('logo');

  const changed = (next: LogoView, message: string) => {
    onChanged(next);
    setVersion((v) => v + 1);
    setDone(message);
    setError(undefined);
    window.dispatchEvent(new Event(LOGO_CHANGED));
  };
  const upload = async (file: File | undefined) => {
    setDone(null);
    if (file === undefined) return;
    if (file.size > MAX_BYTES) {
      setError(`The file is ${Math.ceil(file.size / 1024)} KB: a logo may be at most 256 KB.`);
      return;
    }
    setBusy(true);
    try {
      const data = base64(new Uint8Array(await file.arrayBuffer()));
      changed(await api.request<LogoView>('PUT', '/api/settings/logo', { data }), `The logo is now ${file.name}.`);
    } catch (e) {
      setError(e instanceof ApiRequestError ? e.fields.logo ?? e.message : String(e));
    }
    setBusy(false);
  };
  const remove = async () => {
    setBusy(true);
    try {
      changed(await api.delete<LogoView>('/api/settings/logo'), 'The logo was removed.');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    setBusy(false);
  };

  return (
    <section class="card logo-card" aria-labelledby="logo-h">
      <h2 id="logo-h">The school's logo</h2>
      <Notice kind="success">{done}</Notice>
      {logo.present
        ? <p class="logo-preview"><img src={logoUrl(version)} alt="The school's logo as it shows now" /> <span class="muted">{logo.type}, {Math.ceil((logo.bytes ?? 0) / 1024)} KB</span></p>
        : <p>No logo yet: pages show the school's name only.</p>}
      {editable ? (
        <div class={`field${error !== undefined ? ' field-invalid' : ''}`}>
          <label for={id}>{logo.present ? 'Replace the logo' : 'Add a logo'}</label>
          <p id={`${id}-hint`} class="field-hint">PNG, JPEG or SVG, at most 256 KB. An SVG is shown only as a picture: nothing in it runs.</p>
          <input id={id} type="file" accept="image/png,image/jpeg,image/svg+xml"
            aria-invalid={error !== undefined ? 'true' : undefined}
            aria-describedby={`${id}-hint${error !== undefined ? ` ${id}-error` : ''}`}
            onChange={(e) => { const input = e.currentTarget as HTMLInputElement; void upload(input.files?.[0]).then(() => { input.value = ''; }); }} />
          {error !== undefined ? <p id={`${id}-error`} class="field-error"><span class="visually-hidden">Error: </span>{error}</p> : null}
          {logo.present ? <div class="actions"><Button kind="secondary" busy={busy} onClick={() => void remove()}>Remove the logo</Button></div> : null}
        </div>
      ) : null}
    </section>
  );
}
