// A date input with its label, hint and error beside it, as the other fields have them.
import { fieldId } from '../../components/field.tsx';

export function DateField({ name, label, value, onValue, error, hint, max, min }: {
  name: string; label: string; value: string; onValue: (v: string) => void; error?: string | undefined; hint?: string; max?: string; min?: string;
}) {
  const id = fieldId(name);
  const describedBy = [hint ? `${id}-hint` : null, error !== undefined ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error !== undefined ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint ? <p id={`${id}-hint`} class="field-hint">{hint}</p> : null}
      <input id={id} name={name} type="date" value={value} max={max} min={min} onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)}
        aria-invalid={error !== undefined ? 'true' : undefined} aria-describedby={describedBy} aria-required="true" />
      {error !== undefined ? <p id={`${id}-error`} class="field-error"><span class="visually-hidden">Error: </span>{error}</p> : null}
    </div>
  );
}
