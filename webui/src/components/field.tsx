// A form field as the forms need it everywhere: a visible label, an optional hint, and the error
// beside the field, both tied to it with aria-describedby, the field marked aria-invalid. Values are
// controlled by the page, so an error never clears what was typed.
import type { ComponentChildren } from 'preact';

/** A DOM id from a field's JSON path ("accounts/1/password" → "f-accounts-1-password"). */
export function fieldId(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

function describedBy(id: string, hint: boolean, error: boolean): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter((x) => x !== null);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error === undefined ? null : <p id={`${id}-error`} class="field-error"><span class="visually-hidden">Error: </span>{error}</p>;
}

export interface TextFieldProps {
  name: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
  type?: 'text' | 'password' | 'email';
  autocomplete?: string;
  inputMode?: 'numeric' | 'text' | 'email';
  required?: boolean;
  spellcheck?: boolean;
  maxLength?: number;
  class?: string;
}

export function TextField(props: TextFieldProps) {
  const id = fieldId(props.name);
  return (
    <div class={`field${props.error !== undefined ? ' field-invalid' : ''}${props.class ? ` ${props.class}` : ''}`}>
      <label for={id}>{props.label}{props.required === false ? <span class="optional"> (optional)</span> : null}</label>
      {props.hint !== undefined ? <p id={`${id}-hint`} class="field-hint">{props.hint}</p> : null}
      <input
        id={id}
        name={props.name}
        // Preact's input types are a union keyed on `type`; one component serves three of them.
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        onInput={(e) => props.onValue((e.currentTarget as HTMLInputElement).value)}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        spellcheck={props.spellcheck ?? false}
        maxLength={props.maxLength}
        aria-invalid={props.error !== undefined ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint !== undefined, props.error !== undefined)}
        aria-required={props.required === false ? undefined : 'true'}
      />
      <FieldError id={id} error={props.error} />
    </div>
  );
}

export interface SelectFieldProps {
  name: string;
  label: string;
  value: string;
  options: readonly string[];
  /** What a person reads for an option, where its value is a code (an alert kind, "all"). */
  labels?: Readonly<Record<string, string>>;
  onValue: (value: string) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
}

export function SelectField(props: SelectFieldProps) {
  const id = fieldId(props.name);
  return (
    <div class={`field${props.error !== undefined ? ' field-invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.hint !== undefined ? <p id={`${id}-hint`} class="field-hint">{props.hint}</p> : null}
      <select
        id={id}
        name={props.name}
        value={props.value}
        onChange={(e) => props.onValue((e.currentTarget as HTMLSelectElement).value)}
        aria-invalid={props.error !== undefined ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint !== undefined, props.error !== undefined)}
      >
        {props.options.map((o) => <option key={o} value={o}>{props.labels?.[o] ?? o}</option>)}
      </select>
      <FieldError id={id} error={props.error} />
    </div>
  );
}

export interface CheckboxGroupProps<T extends string> {
  name: string;
  legend: string;
  options: readonly { value: T; label: string }[];
  values: readonly T[];
  onValues: (values: T[]) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
}

/** Several choices under one legend (an account's roles); the error belongs to the group. */
export function CheckboxGroup<T extends string>(props: CheckboxGroupProps<T>) {
  const id = fieldId(props.name);
  const toggle = (value: T, on: boolean) => {
    const next = props.options.map((o) => o.value).filter((v) => (v === value ? on : props.values.includes(v)));
    props.onValues(next);
  };
  return (
    <fieldset
      id={id}
      class={`field checkbox-group${props.error !== undefined ? ' field-invalid' : ''}`}
      aria-invalid={props.error !== undefined ? 'true' : undefined}
      aria-describedby={describedBy(id, props.hint !== undefined, props.error !== undefined)}
      tabIndex={props.error !== undefined ? -1 : undefined}
    >
      <legend>{props.legend}</legend>
      {props.hint !== undefined ? <p id={`${id}-hint`} class="field-hint">{props.hint}</p> : null}
      <FieldError id={id} error={props.error} />
      <div class="checkbox-list">
        {props.options.map((o) => (
          <label key={o.value} class="checkbox">
            <input
              type="checkbox"
              name={props.name}
              value={o.value}
              checked={props.values.includes(o.value)}
              onChange={(e) => toggle(o.value, (e.currentTarget as HTMLInputElement).checked)}
            />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export interface TextAreaFieldProps {
  name: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
  required?: boolean;
  rows?: number;
  maxLength?: number;
}

/** Several lines of text (a policy's wording): the same label, hint and error as TextField. */
export function TextAreaField(props: TextAreaFieldProps) {
  const id = fieldId(props.name);
  return (
    <div class={`field${props.error !== undefined ? ' field-invalid' : ''}`}>
      <label for={id}>{props.label}{props.required === false ? <span class="optional"> (optional)</span> : null}</label>
      {props.hint !== undefined ? <p id={`${id}-hint`} class="field-hint">{props.hint}</p> : null}
      <textarea
        id={id}
        name={props.name}
        value={props.value}
        rows={props.rows ?? 8}
        maxLength={props.maxLength}
        onInput={(e) => props.onValue((e.currentTarget as HTMLTextAreaElement).value)}
        aria-invalid={props.error !== undefined ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint !== undefined, props.error !== undefined)}
        aria-required={props.required === false ? undefined : 'true'}
      />
      <FieldError id={id} error={props.error} />
    </div>
  );
}
