// A message region: errors interrupt (role=alert), everything else is announced politely
// (role=status). The region is always rendered so a screen reader is listening before it fills.
import type { ComponentChildren } from 'preact';

export type NoticeKind = 'error' | 'info' | 'success' | 'warning';

export function Notice({ kind, children, id }: { kind: NoticeKind; children?: ComponentChildren; id?: string }) {
  const empty = children === undefined || children === null || children === false || children === '';
  return (
    <div id={id} class={empty ? 'notice-region' : `notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {empty ? null : children}
    </div>
  );
}
