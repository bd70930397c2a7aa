// The weekly review's wiring, called with one line each from the daemon: at start, the firmware
// version is compared with the last start's; every configuration applied (a page's save, a
// reload of the file, setup) is compared with the one before for review triggers; the reminder
// and overdue notifier runs once at start and then on its schedule; and the control methods get their sources.
import type { ConfigStore } from '../../config/store.ts';
import type { Logger } from '../../log.ts';
import type { StateDatabase } from '../../state/database.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { QueryLog } from '../query-log/query-log.ts';
import type { DueItem, DueReason } from './review-schema.ts';
import type { ReviewMethodDeps } from './review-methods.ts';
import { ReviewNotifier, type NoticeSent, type ReviewMailer } from './review-notifier.ts';
import { configTriggers, firmwareTrigger } from './review-triggers.ts';

export interface WeeklyReview {
  /** Records why a review is due (an incident calls this); the next sign-off closes it. */
  reviewDue: (reason: DueReason, detail: string) => DueItem;
  notifier: ReviewNotifier;
  /** The check run at start: a gateway that was off over a deadline says so at once, not at the next tick. */
  started: Promise<NoticeSent[]>;
}

/**
 * Records a "review due" item (DfE standard 2) with its reason. The incident log is started before
 * the review's schedule (the alert service needs it first), so it takes this on its own.
 */
export function reviewDueRecorder(reviews: Pick<StateDatabase['reviews'], 'addDue'>, logger: Logger, now: () => Date): (reason: DueReason, detail: string) => DueItem {
  return (reason, detail) => {
    const item = reviews.addDue(reason, detail, now());
    logger.info({ reason, detail: item.detail }, 'a review is due');
    return item;
  };
}

export function startWeeklyReview(o: {
  config: ConfigStore; state: StateDatabase; alerts: Pick<AlertService, 'raise'>; mailer: ReviewMailer | null; version: string;
  logger: Logger; stops: { push(stop: () => unknown): void }; now?: () => Date;
}): WeeklyReview {
  const now = o.now ?? (() => new Date());
  const logger = o.logger.child({ component: 'review' });
  const { reviews } = o.state;
  const reviewDue = reviewDueRecorder(reviews, logger, now);
  const firmware = firmwareTrigger(reviews.recordStart(o.version, now()), o.version);
  if (firmware) reviewDue(firmware.reason, firmware.detail);
  const unsubscribe = o.config.onChange((current, previous) => {
    for (const trigger of configTriggers(previous, current)) reviewDue(trigger.reason, trigger.detail);
  });
  o.stops.push(unsubscribe);
  const notifier = new ReviewNotifier({
    reviews, accounts: () => o.state.accounts.list(), config: () => o.config.current, raise: (candidate) => o.alerts.raise(candidate),
    mailer: o.mailer, now, logger,
  });
  notifier.start();
  o.stops.push(() => notifier.stop());
  const started = notifier.run().catch((err: Error) => {
    logger.error({ err }, 'the weekly review reminder check at start failed; it runs again in five minutes');
    return [];
  });
  return { reviewDue, notifier, started };
}

/** What the review's control methods read and write. */
export function reviewMethodDeps(o: { config: ConfigStore; state: StateDatabase; queryLog: QueryLog; now?: () => Date }): ReviewMethodDeps {
  const now = o.now ?? (() => new Date());
  const { state } = o;
  return {
    page: () => ({
      reviews: state.reviews, alerts: state.alerts, queryLog: o.queryLog, networkEvents: state.networkEvents, siteReports: state.siteReports,
      vouchers: state.vouchers, audit: state.audit, timezone: o.config.current.site.timezone, settings: o.config.current.review, now,
    }),
    reviews: state.reviews, alerts: state.alerts, accounts: () => state.accounts.list(), audit: state.audit,
    transaction: (fn) => state.transaction(fn), timezone: () => o.config.current.site.timezone, now,
  };
}
