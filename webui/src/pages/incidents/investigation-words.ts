// Investigation mode's words on the pages, pure. The statuses' words are the ones every surface
// shows (investigation-schema.ts's INVESTIGATION_STATUS_LABELS), repeated as a Record over the
// status type because the UI imports only types from the firmware.
import type { Investigation } from '../../../../firmware/admin/api/investigations-schema.ts';

export const INVESTIGATION_STATUS_WORDS: Readonly<Record<Investigation['status'], string>> = {
  'in-force': 'In force',
  ended: 'Ended early',
  expired: 'Expired',
};

/** Who approves an investigation, as every surface says it (change-rules.ts's SENIOR_APPROVERS). */
export const SENIOR_APPROVERS_WORDS = 'two senior accounts, each a headteacher or a DSL';

/** The form's choice of length; the gateway refuses more than 14 days (and beyond the query log's retention). */
export const INVESTIGATION_DAYS = [1, 2, 3, 5, 7, 10, 14] as const;
export const INVESTIGATION_DAYS_DEFAULT = 3;

/** Said wherever a policy is chosen for an investigation. */
export const REDUCED_FILTERING_HINT = 'Reduced filtering never opens illegal content: the illegal-content lists still block for this device.';

/** The instant `days` whole days after `now`, as the proposal's `until`. */
export function untilAfter(days: number, now: Date): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString();
}

/** A device as the investigation pages name it: its name with its MAC, or the MAC alone. */
export function deviceWords(device: string, name: string | null | undefined): string {
  return name ? `${name} (${device})` : device;
}

/** "1 lookup", "12 lookups". */
export function lookupsWords(n: number): string {
  return `${n} lookup${n === 1 ? '' : 's'}`;
}

/**
 * The saving that covers an ended or expired investigation to its end, or undefined while the
 * gateway has still to write it (it retries each minute when the query log could not answer).
 */
export function finalEvidence(inv: Pick<Investigation, 'status' | 'endedAt' | 'until' | 'evidence'>): Investigation['evidence'][number] | undefined {
  if (inv.status === 'in-force') return undefined;
  const end = Date.parse(inv.endedAt ?? inv.until);
  return inv.evidence.find((e) => Date.parse(e.upTo) >= end);
}

/**
 * Who saved one of its evidence files, as the panel says it after the time: the last saving of an
 * ended investigation names the person who ended it ("when Bo Dsl (b.dsl) ended it"; "after", when
 * the gateway saved it on a later try), of an expired one the gateway at its end; any other the
 * person who pressed the button. `person` turns an actor into words (people.ts's who, with names).
 */
export function savedByWords(
  inv: Pick<Investigation, 'status' | 'endedAt' | 'endedBy' | 'until' | 'evidence'>, ev: Investigation['evidence'][number], person: (actor: string) => string,
): string {
  if (finalEvidence(inv)?.attachmentId === ev.attachmentId) {
    if (inv.status === 'ended' && inv.endedBy !== null) return ev.by === inv.endedBy ? `when ${person(inv.endedBy)} ended it` : `by the gateway after ${person(inv.endedBy)} ended it`;
    if (inv.status === 'expired') return 'by the gateway when it expired';
  }
  return `by ${person(ev.by)}`;
}
