// A confirmation in the browser's own modal <dialog>: it traps focus, Escape cancels, and focus
// returns to what opened it, with no focus-trap code of ours to get wrong.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

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
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} class="confirm-dialog" aria-labelledby="confirm-title" onCancel={(e) => { e.preventDefault(); props.onCancel(); }}>
      <h2 id="confirm-title">{props.title}</h2>
      <div class="confirm-body">{props.children}</div>
      <div class="actions">
        <button type="button" class="btn btn-primary" onClick={props.onConfirm}>{props.confirmLabel}</button>
        <button type="button" class="btn btn-secondary" onClick={props.onCancel}>{props.cancelLabel ?? 'Cancel'}</button>
      </div>
    </dialog>
  );
}
