// What the governors' reports and the annual pack read from the other records: the incident log,
// the annual review and the weekly reviews. Each owner keeps its own store; these adapters give the
// readers counts, codes and dates only, so nothing that names a pupil, a person or a device can
// cross into a report (the readers' interfaces are shaped that way on purpose).
import type { Config } from '../config/schema.ts';
import type { StateDatabase } from '../state/database.ts';
import type { IncidentHistorySource, ReviewHistorySource, ReviewRecord } from './annual/pack-types.ts';
import type { AnnualReviewSource, IncidentSummarySource, ReportSources, ReviewSummarySource } from './reports/sources.ts';
import { OUTCOME_TEXT } from './review/outcome-text.ts';
import { dayIn, deadlineOf, mondayOf, weekToReview } from './review/review-schedule.ts';

const WEEK_MS = 7 * 86_400_000;
const addWeeks = (week: string, n: number): string => new Date(Date.parse(`${week}T00:00:00Z`) + n * WEEK_MS).toISOString().slice(0, 10);
type Reviews = Pick<StateDatabase['reviews'], 'lastSignOff' | 'streak' | 'signOffOf' | 'signOffs' | 'alertIdsIn' | 'outcomesOf' | 'outcomes' | 'firstStart'>;
type SchoolClock = () => Pick<Config, 'site' | 'review'>;

/**
 * The school weeks to account for between two instants: Mondays from the week `from` is in to
 * before `to`, none before the week the gateway first ran and none still under way at `now`.
 */
function weeksBetween(reviews: Reviews, timezone: string, from: Date, to: Date, now: Date): string[] {
  const started = reviews.firstStart();
  const first = [mondayOf(dayIn(from.getTime(), timezone)), started ? mondayOf(dayIn(Date.parse(started), timezone)) : '0000-01-03'].sort()[1]!;
  const lastDue = weekToReview(now.getTime(), timezone);
  const end = mondayOf(dayIn(to.getTime() - 1, timezone));
  const weeks: string[] = [];
  for (let week = first; week <= end && week <= lastDue; week = addWeeks(week, 1)) weeks.push(week);
  return weeks;
}

export function reviewSummarySource(reviews: Reviews, config: SchoolClock, now: () => Date = () => new Date()): ReviewSummarySource {
  return {
    lastSignedOff: () => {
      const last = reviews.lastSignOff();
      return last ? { week: last.week, signedOffAt: last.at, by: last.reviewedBy, onBehalfOf: last.onBehalfOf } : null;
    },
    streakWeeks: (at) => reviews.streak(weekToReview(at.getTime(), config().site.timezone)),
    signedOffBetween: (from, to) => {
      const { site, review } = config();
      // A week counts once its deadline has fallen in the span: before it, not signing off is not late.
      const due = weeksBetween(reviews, site.timezone, new Date(from.getTime() - 2 * WEEK_MS), to, now())
        .filter((week) => { const deadline = deadlineOf(week, site.timezone, review); return deadline >= from.getTime() && deadline < to.getTime(); });
      let signedOff = 0;
      let signedOffLate = 0;
      for (const week of due) {
        const signOff = reviews.signOffOf(week);
        if (!signOff) continue;
        signedOff++;
        if (Date.parse(signOff.at) > deadlineOf(week, site.timezone, review)) signedOffLate++;
      }
      return { weeks: due.length, signedOff, signedOffLate };
    },
    alertOutcomesBetween: (from, to) => {
      const counts = new Map<string, number>();
      for (const id of reviews.alertIdsIn(from.toISOString(), to.toISOString())) {
        const outcome = reviews.outcomesOf(id).at(-1)?.outcome ?? 'no-outcome-yet';
        counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      }
      return [...counts].map(([outcome, count]) => ({ outcome, count }));
    },
  };
}

export function reviewHistorySource(reviews: Reviews, config: SchoolClock, now: () => Date = () => new Date()): ReviewHistorySource {
  return {
    // Every week due in the span, signed off or not: a gap in the record is what governors must see.
    reviews: (from, to) => weeksBetween(reviews, config().site.timezone, from, to, now()).map((week): ReviewRecord => {
      const signOff = reviews.signOffOf(week);
      const outcomes: Record<string, number> = {};
      for (const o of reviews.outcomes(week)) if (o.latest) outcomes[OUTCOME_TEXT[o.outcome]] = (outcomes[OUTCOME_TEXT[o.outcome]] ?? 0) + 1;
      return { week, signedOffBy: signOff?.reviewedBy ?? null, onBehalfOf: signOff?.onBehalfOf ?? null, signedAt: signOff?.at ?? null, outcomes };
    }),
  };
}

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
export function reportSources(state: StateDatabase, config: SchoolClock): ReportSources {
  return {
    reviews: reviewSummarySource(state.reviews, config), incidents: incidentSummarySource(state.incidents), annual: annualReviewSource(state.annualReviews),
  };
}

/** What the data-processing statement says of exports, as the reports and the incident log make them. */
export const EXPORT_PROTECTION: readonly string[] = [
  'Record exports (one device, one visitor or a span of days) and incident exports leave sealed: the content\'s SHA-256, the audit log\'s newest entry and whether its chain verified, who exported and when; with a passphrase the content is encrypted (AES-256-GCM, scrypt key). Each export is recorded in the audit log with the content\'s hash.',
  'The governors\' report, on demand or monthly/termly by e-mail to the accounts that may read anonymised reports, holds counts only: no pupil, device or visitor is named.',
];
