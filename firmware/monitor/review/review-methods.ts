// The control methods behind `schoolgate review` and the review page (called in-process as
// account:USERNAME): the list of weeks, one week's page, an outcome for an alert, the sign-off,
// the review-due items. Outcomes and sign-offs are audited in the same transaction as they are
// stored. The rules: an outcome needs a note, and a false positive the list change it proposes;
// a week is signed off once it is over and every alert first seen in it has an outcome; "on
// behalf of" names an account in use holding headteacher or dsl, who stays accountable. An
// outcome acknowledges its alert if it was still open, so the alerts page agrees with the review.
import type { AuditLog } from '../../control/audit.ts';
import { actorOf } from '../../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../../control/server.ts';
import {
  DueParams, OutcomeParams, ReviewListParams, ReviewWeekParams, SignOffParams,
  type DueView, type OnBehalfChoices, type ReviewList, type ReviewPage,
} from '../../admin/api/review-schema.ts';
import type { AccountRow } from '../../state/accounts.ts';
import type { AlertRepository } from '../../state/alerts.ts';
import { ReviewStateError, type ReviewRepository } from '../../state/reviews.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import { OUTCOME_TEXT, type OutcomeRecord, type SignOff } from './review-schema.ts';
import { reviewList, reviewPage, type ReviewPageSources } from './review-page.ts';
import { dayIn, mondayOf } from './review-schedule.ts';
import { weekOf } from './review-data.ts';

export interface ReviewMethodDeps {
  page: () => ReviewPageSources;
  reviews: Pick<ReviewRepository, 'recordOutcome' | 'signOff' | 'alertIdsIn' | 'withoutOutcome' | 'due'>;
  alerts: Pick<AlertRepository, 'get' | 'acknowledge'>;
  accounts: () => readonly AccountRow[];
  audit: Pick<AuditLog, 'append'>;
  transaction: <T>(fn: () => T) => T;
  timezone: () => string;
  now: () => Date;
}

/** Who a delegate may sign on behalf of: accounts in use holding headteacher or dsl. */
export function onBehalfChoices(accounts: readonly AccountRow[]): OnBehalfChoices {
  return {
    accounts: accounts.filter((a) => !a.disabled && !a.breakGlass && (a.roles.includes('headteacher') || a.roles.includes('dsl')))
      .map((a) => ({ username: a.username, displayName: a.displayName })),
  };
}

export function recordOutcome(deps: ReviewMethodDeps, params: OutcomeParams, actor: string): OutcomeRecord {
  let alert;
  try {
    alert = deps.alerts.get(params.alert);
  } catch (error) {
    if (error instanceof NotFoundError) throw new ControlFailure('unknown-alert', `there is no alert ${params.alert} (an alert past retention keeps the outcomes it had)`);
    throw error;
  }
  const week = mondayOf(dayIn(Date.parse(alert.firstAt), deps.timezone()));
  try {
    return deps.transaction(() => {
      const row = deps.reviews.recordOutcome({
        week, alert: { id: alert.id, kind: alert.kind, severity: alert.severity, subject: alert.subject },
        outcome: params.outcome, note: params.note, proposed: params.proposed ?? null, by: actor, at: deps.now(),
      });
      deps.audit.append({ actor, action: 'review.outcome', subject: `alert ${alert.id}`, details: { week, outcome: row.outcome, note: row.note, proposed: row.proposed } });
      // An alert given an outcome has been dealt with: it leaves the open alerts (the dashboard's
      // count, the alerts page), and retention may purge it in time; its outcome keeps what it was.
      if (alert.status === 'open') deps.alerts.acknowledge(alert.id, actor, `${OUTCOME_TEXT[row.outcome]} (weekly review): ${row.note}`.slice(0, 2000), deps.now());
      return row;
    });
  } catch (error) {
    if (error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
    throw error;
  }
}

export function signOffWeek(deps: ReviewMethodDeps, params: SignOffParams, actor: string, account: string | undefined): SignOff {
  const span = weekOf(params.week, deps.timezone());
  const now = deps.now();
  if (now.getTime() < span.toMs) throw new ControlFailure('week-not-over', `the week of ${span.from} is not over yet: it can be signed off from ${span.to}`);
  const ids = deps.reviews.alertIdsIn(new Date(span.fromMs).toISOString(), new Date(span.toMs).toISOString());
  const missing = deps.reviews.withoutOutcome(ids);
  if (missing.length > 0) {
    throw new ControlFailure('outcomes-missing', `${missing.length} of the week's ${ids.length} alert${ids.length === 1 ? '' : 's'} ${missing.length === 1 ? 'has' : 'have'} no outcome yet (alert${missing.length === 1 ? '' : 's'} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}): record one for each before signing off`);
  }
  let onBehalfOf: string | null = null;
  if (params.onBehalfOf !== undefined) {
    const target = onBehalfChoices(deps.accounts()).accounts.find((a) => a.username === params.onBehalfOf);
    if (target === undefined) throw new ControlFailure('invalid-input', `"${params.onBehalfOf}" is not an account in use holding headteacher or dsl: a review is signed on behalf of the head or the DSL`);
    if (target.username === account) throw new ControlFailure('invalid-input', 'you sign for yourself: leave "on behalf of" empty');
    onBehalfOf = target.username;
  }
  try {
    return deps.transaction(() => {
      const signed = deps.reviews.signOff({ week: span.from, reviewedBy: actor, onBehalfOf, summary: params.summary ?? '', alerts: ids.length, at: now });
      deps.audit.append({ actor, action: 'review.sign-off', subject: `week ${span.from}`, details: { onBehalfOf, alerts: ids.length, summary: signed.summary } });
      return signed;
    });
  } catch (error) {
    if (error instanceof ReviewStateError) throw new ControlFailure('already-signed-off', error.message);
    if (error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
    throw error;
  }
}

/** The page's sources, with the accounts' display names for the people its sign-offs name. */
function pageSources(deps: ReviewMethodDeps): ReviewPageSources {
  const names = new Map(deps.accounts().map((a) => [a.username, a.displayName]));
  return { displayName: (username) => names.get(username), ...deps.page() };
}

export function registerReviewMethods(control: Pick<ControlServer, 'register'>, deps: ReviewMethodDeps): void {
  control.register<ReviewListParams>('review.list', {
    params: ReviewListParams,
    handle: (params): ReviewList => ({ ...reviewList(pageSources(deps), params.weeks), due: deps.reviews.due() }),
  });
  control.register<ReviewWeekParams>('review.week', {
    params: ReviewWeekParams,
    handle: async (params): Promise<ReviewPage> => {
      try {
        return await reviewPage(pageSources(deps), params.week);
      } catch (error) {
        if (error instanceof RangeError) throw new ControlFailure('invalid-input', error.message);
        throw error;
      }
    },
  });
  control.register<OutcomeParams>('review.outcome', { params: OutcomeParams, handle: (params, caller) => recordOutcome(deps, params, actorOf(caller)) });
  control.register<SignOffParams>('review.sign-off', { params: SignOffParams, handle: (params, caller) => signOffWeek(deps, params, actorOf(caller), caller.account) });
  control.register<DueParams>('review.due', { params: DueParams, handle: (params): DueView => ({ due: deps.reviews.due({ all: params.all === true }) }) });
  control.register('review.on-behalf', { handle: (): OnBehalfChoices => onBehalfChoices(deps.accounts()) });
}
