// Buttons in three weights. A busy button stays focusable and says why it does nothing
// (aria-disabled), where `disabled` would drop the keyboard user's focus on the floor.
import type { ComponentChildren } from 'preact';

export interface ButtonProps {
  children: ComponentChildren;
  kind?: 'primary' | 'secondary' | 'danger';
  type?: 'submit' | 'button';
  busy?: boolean;
  onClick?: () => void;
  id?: string;
}

export function Button({ children, kind = 'primary', type = 'button', busy = false, onClick, id }: ButtonProps) {
  return (
    <button
      id={id}
      type={type}
      class={`btn btn-${kind}`}
      aria-disabled={busy ? 'true' : undefined}
      onClick={(e) => {
        // A plain button has no default action to lose; cancelling it also stops a re-render that
        // reuses this element as a submit button from turning the same click into a submit.
        if (busy || type === 'button') e.preventDefault();
        if (!busy) onClick?.();
      }}
    >
      {children}{busy ? <span class="visually-hidden"> (working…)</span> : null}
    </button>
  );
}
