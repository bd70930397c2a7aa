// Words and times the review's pages share.
import type { DueReason } from '../../../../firmware/monitor/review/review-schema.ts';
import { who as person } from '../people.ts';

export const DUE_TEXT: Readonly<Record<DueReason, string>> = {
  'filtering-change': 'Filtering changed',
  'firmware-update': 'Firmware updated',
  'new-network': 'Network added',
  'byod-enabled': 'Guest network switched on',
  incident: 'Incident',
};

/**
 * A person a sign-off names: "Alex Head (a.head)", the name as colleagues know them and the username
 * the record and the audit log keep (the pages' one way of naming an actor).
 */
export { person };

/** "Signed off by … on behalf of …" in words. */
export function signedBy(s: { reviewedBy: string; reviewedByName: string | null; onBehalfOf: string | null; onBehalfOfName: string | null }): string {
  return `${person(s.reviewedBy, s.reviewedByName)}${s.onBehalfOf ? ` on behalf of ${person(s.onBehalfOf, s.onBehalfOfName)}` : ''}`;
}

export function when(iso: string, tz: string): string {
  return new Date(iso).toLocaleString('en-GB', { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' });
}

export function longWeek(week: string): string {
  return new Date(`${week}T12:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'long', year: 'numeric' });
}
