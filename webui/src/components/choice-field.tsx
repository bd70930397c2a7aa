// A select whose options show words but send ids (a device group's name, its id sent), with the
// label, hint and error tied to it as TextField does.
import type { ComponentChildren } from 'preact';
import { fieldId } from './field.tsx';

export interface ChoiceFieldProps {
  name: string;
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onValue: (value: string) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
}

export function ChoiceField(props: ChoiceFieldProps) {
  const id = fieldId(props.name);
  const described = [props.hint !== undefined ? `${id}-hint` : null, props.error !== undefined ? `${id}-error` : null].filter((x) => x !== null).join(' ');
  return (
    <div class={`field${props.error !== undefined ? ' field-invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.hint !== undefined ? <p id={`${id}-hint`} class="field-hint">{props.hint}</p> : null}
      <select id={id} name={props.name} value={props.value}
        onChange={(e) => props.onValue((e.currentTarget as HTMLSelectElement).value)}
        aria-invalid={props.error !== undefined ? 'true' : undefined} aria-describedby={described || undefined}>
        {props.options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      {props.error !== undefined ? <p id={`${id}-error`} class="field-error"><span class="visually-hidden">Error: </span>{props.error}</p> : null}
    </div>
  );
}
