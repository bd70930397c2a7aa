// After a failed submit, focus moves to the first field in error (in the page's order), so a
// keyboard or screen-reader user lands on what needs fixing; nothing typed is touched. A layout
// effect, so focus moves in the same task that marks the fields: never a frame where the error
// shows and focus is still on the button.
import { useLayoutEffect, useRef } from 'preact/hooks';

export function useFocusFirstError(errors: Record<string, string>, attempt: number) {
  const formRef = useRef<HTMLFormElement>(null);
  useLayoutEffect(() => {
    if (attempt === 0 || Object.keys(errors).length === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    first?.focus();
  }, [attempt]);
  return formRef;
}
