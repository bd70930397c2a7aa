// What a page says once an edit of what is filtered became a change request instead of a save:
// the request's number with a link to it, and (for a form that saved something else at once) the
// rest of the outcome beside it. One wording for the AUP tables, the class limits and the
// Networks page, so a headteacher reads the same sentence wherever they changed something.
import type { ComponentChildren } from 'preact';
import { Link } from './link.tsx';
import { Notice, type NoticeKind } from './notice.tsx';

/** "See change request 12", to the request's page. */
export function RequestLink({ id }: { id: number }) {
  return <Link href={`/changes/request?id=${id}`}>See change request {id}</Link>;
}

/** The sentence for a request made from a page, before its link. */
export const requestSentWords = (id: number): string =>
  `Your change to what is filtered was sent for approval as change request ${id}: it applies once two approvers agree and the IT provider applies it.`;

/** A form's outcome: its message and, when part of it became a change request, that request's link. */
export function OutcomeNotice({ kind, request, children }: { kind: NoticeKind; request?: number | null | undefined; children?: ComponentChildren }) {
  return (
    <Notice kind={kind}>
      {children === undefined || children === null || children === '' ? null : <>{children}{request != null ? <> <RequestLink id={request} />.</> : null}</>}
    </Notice>
  );
}
