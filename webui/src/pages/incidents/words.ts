// The incident log's words on the pages, kept here because the UI imports only types from the
// firmware (a Record over the outcome type, so a new outcome fails the type check until named).
import type { IncidentOutcome, IncidentSummary } from '../../../../firmware/admin/api/incidents-schema.ts';

export const OUTCOMES: Record<IncidentOutcome, string> = {
  'no-substance': 'No substance',
  'internal-action': 'Internal action',
  'trust-or-la': 'Referred to the trust or local authority',
  police: 'Referred to the police',
};

export const SOURCES: Record<IncidentSummary['source'], string> = { alert: 'from an alert', report: 'from a block-page report', hand: 'by hand' };

export function when(iso: string, tz: string): string {
  return new Date(iso).toLocaleString('en-GB', { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' });
}

export { who } from '../people.ts';

/** The value of a query parameter of the page's address. */
export function param(search: string, name: string): string | null {
  return new URLSearchParams(search).get(name);
}
