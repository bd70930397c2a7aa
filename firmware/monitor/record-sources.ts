// What the governors' reports and the annual pack read from the other records: the incident log,
// the annual review and the weekly reviews. Each owner keeps its own store; these adapters give the
// readers counts, codes and dates only, so nothing that names a pupil, a person or a device can
// cross into a report (the readers' interfaces are shaped that way on purpose).
import type { StateDatabase } from '../state/database.ts';
import type { IncidentHistorySource } from './annual/pack-types.ts';
import type { AnnualReviewSource, IncidentSummarySource, ReportSources } from './reports/sources.ts';

type Incidents = Pick<StateDatabase['incidents'], 'openIncidents' | 'countsByOutcome' | 'anonymised'>;

export function incidentSummarySource(incidents: Incidents): IncidentSummarySource {
  return {
    openIncidents: () => incidents.openIncidents().length,
    // The actions tracked until done are the IT provider's tasks; the others are done when recorded.
    openActions: () => incidents.openIncidents().reduce((sum, incident) => sum + incident.openTasks, 0),
    countsByOutcome: (from, to) => Object.entries(incidents.countsByOutcome({ from, to }))
      .filter(([, count]) => count > 0)
      .map(([outcome, count]) => ({ outcome: outcome === 'none' ? 'open' : outcome, count })),
  };
}

export function incidentHistorySource(incidents: Incidents): IncidentHistorySource {
  return {
    anonymised: (from, to) => incidents.anonymised({ from, to }).map((incident) => ({
      openedAt: incident.openedAt,
      // What kind of concern, never what was looked up: the catalogue's category, else the alert's kind, else how it was opened.
      category: incident.category ?? incident.alertKind ?? `opened ${incident.source === 'hand' ? 'by hand' : `from a ${incident.source}`}`,
      outcome: incident.outcome,
      closedAt: incident.signedOffAt,
    })),
  };
}

export function annualReviewSource(annual: Pick<StateDatabase['annualReviews'], 'nextReview'>): AnnualReviewSource {
  return { nextReviewDate: () => annual.nextReview()?.nextReview ?? null };
}

/** Every source the governors' reports read, from state.db. */
export function reportSources(state: StateDatabase): ReportSources {
  return { incidents: incidentSummarySource(state.incidents), annual: annualReviewSource(state.annualReviews) };
}

/** What the data-processing statement says of exports, as the reports and the incident log make them. */
export const EXPORT_PROTECTION: readonly string[] = [
  'Record exports (one device, one visitor or a span of days) and incident exports leave sealed: the content\'s SHA-256, the audit log\'s newest entry and whether its chain verified, who exported and when; with a passphrase the content is encrypted (AES-256-GCM, scrypt key). Each export is recorded in the audit log with the content\'s hash.',
  'The governors\' report, on demand or monthly/termly by e-mail to the accounts that may read anonymised reports, holds counts only: no pupil, device or visitor is named.',
];
