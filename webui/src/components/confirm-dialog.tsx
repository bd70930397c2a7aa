// A confirmation in the browser's own modal <dialog>: it traps focus, Escape cancels, and focus
// returns to what opened it, with no focus-trap code of ours to get wrong.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  // Its own title id: a page may hold several dialogs (one per form), each named by its title.
  const titleId = `confirm-title-${useId()}`;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} class="confirm-dialog" aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); props.onCancel(); }}>
      <h2 id={titleId}>{props.title}</h2>
      <div class="confirm-body">{props.children}</div>
      <div class="actions">
        <button type="button" class="btn btn-primary" onClick={props.onConfirm}>{props.confirmLabel}</button>
        <button type="button" class="btn btn-secondary" onClick={props.onCancel}>{props.cancelLabel ?? 'Cancel'}</button>
      </div>
    </dialog>
  );
}
