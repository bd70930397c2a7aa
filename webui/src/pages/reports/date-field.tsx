// A date input with its label and its error beside it (the browser's own date picker).
import { fieldId } from '../../components/field.tsx';

export function DateField({ name, label, value, onValue, error, optional = true }: { name: string; label: string; value: string; onValue: (v: string) => void; error?: string | undefined; optional?: boolean }) {
  const id = fieldId(name);
  return (
    <div class={`field${error !== undefined ? ' field-invalid' : ''}`}>
      <label for={id}>{label}{optional ? <span class="optional"> (optional)</span> : null}</label>
      <input id={id} name={name} type="date" value={value} onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)}
        aria-invalid={error !== undefined ? 'true' : undefined} aria-describedby={error !== undefined ? `${id}-error` : undefined} />
      {error !== undefined ? <p id={`${id}-error`} class="field-error"><span class="visually-hidden">Error: </span>{error}</p> : null}
    </div>
  );
}
