// What the reports read from the parts of Schoolgate other modules own: the weekly review, the
// incident log and the annual review pack. Each is optional: a gateway without it says "not
// recorded yet" in that section rather than a zero that would read as "nothing happened".
// Counts and codes only cross these interfaces, so nothing naming a pupil can reach a report.
import type { ReportsSettings } from '../../config/reports-schema.ts';
import type { LastReview, OutcomeCount } from './report-schema.ts';

export interface ReviewSummarySource {
  /** The newest signed-off weekly review, or null when none has been. */
  lastSignedOff(): LastReview | null;
  /** Consecutive school weeks up to the last one due at `now`, each signed off. */
  streakWeeks(now: Date): number;
  /** Weeks due in [from, to) and how many of them were signed off, and of those after their deadline. */
  signedOffBetween(from: Date, to: Date): { weeks: number; signedOff: number; signedOffLate: number };
  /** The review outcomes given to alerts raised in [from, to), by outcome code. */
  alertOutcomesBetween?(from: Date, to: Date): OutcomeCount[];
}

export interface IncidentSummarySource {
  openIncidents(): number;
  /** Open actions, "refer to technical support" tasks included. */
  openActions(): number;
  /** Incidents opened in [from, to), by outcome code (no-substance, internal-action, trust-la, police, open). */
  countsByOutcome(from: Date, to: Date): OutcomeCount[];
}

export interface AnnualReviewSource {
  /** The next annual review's day (YYYY-MM-DD), or null when none is planned. */
  nextReviewDate(now: Date): string | null;
}

export interface ReportSources {
  reviews?: ReviewSummarySource;
  incidents?: IncidentSummarySource;
  annual?: AnnualReviewSource;
}

/** What the reports read of the configuration: the school, its networks' names, the reports section. */
export interface ReportConfigView {
  site: { name: string; timezone: string };
  networks: readonly { id: string; name: string }[];
  reports?: ReportsSettings | undefined;
}
