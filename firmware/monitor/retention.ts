// Personal data kept no longer than the school's retention settings say, each kind for its own
// time, deleted at start and then every hour (an hour's rows each time, deleted by the writer
// thread in chunks, so the SD card never sees one huge transaction and the DNS thread never waits):
// - query events (every name a device looked up): `retention.queryEventsDays`, 30 by default;
// - hourly rollups (a device's counts hour by hour): `retention.hourlyRollupsDays`, 90 by default;
// - daily rollups (a device's counts per day): `retention.rollupsDays`, 400 by default;
// - network events (state.db: tethering, bypass attempts, a school device on guest, each naming a
//   device's MAC): `retention.networkEventsDays`, 90 by default.
// - acknowledged alerts (state.db): `retention.alertsDays` after their last occurrence, 400 by
//   default (DEFAULT_ALERTS_DAYS); an open alert is kept until someone acknowledges it.
// An investigated device's questions in its investigation's window are kept past their time
// until the investigation's evidence is saved (the entry leaves the configuration then): a
// window near the retention's length, or a daemon off at the expiry, would otherwise lose the
// first days of the evidence.
// Each kind says less about a child than the one before, so it may be kept longer: the hours show
// when a device was in use (late at night, in a given lesson), the days only how much.
import type { Retention } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { KeepWindow } from './query-log/query-log-schema.ts';
import type { QueryLog } from './query-log/query-log.ts';
import { DayOf, hourOf } from './query-log/rollups.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Hourly rollups, by default, for about a school term (13 weeks): long enough to trace by the hour a
 * concern raised after a half-term holiday, or the weeks before an incident; after that the daily
 * rollups serve the annual review.
 */
export const DEFAULT_HOURLY_ROLLUPS_DAYS = 90;

/**
 * Network events, by default, for a term too: they name a device and what it did (tethering, a
 * bypass attempt), which the weekly review and an alert's follow-up need for weeks, not years;
 * what a concern needs longer belongs in an incident (kept by its own rules), not here.
 */
export const DEFAULT_NETWORK_EVENTS_DAYS = 90;

/**
 * Acknowledged alerts, by default, for a school year and the annual review after it: alerts and
 * their outcomes are what the governors' annual review of filtering and monitoring looks at, and
 * what is left of a concern once its raw lookups (30 days) are gone. Fewer records than the
 * rollups, but each names a device and what it looked up, so no longer than that.
 */
export const DEFAULT_ALERTS_DAYS = 400;

/** What is older than this is deleted: events and hours before instants, days before a school day. */
export interface RetentionCutoffs {
  eventsBefore: Date;
  hoursBefore: Date;
  /** The first school day kept ("YYYY-MM-DD"). */
  daysBefore: string;
  networkEventsBefore: Date;
  /** Acknowledged alerts whose last occurrence is before this go. */
  alertsBefore: Date;
}

/** The cutoffs at `now`: whole hours, and whole days of the school's calendar, are kept or deleted together. */
export function retentionCutoffs(retention: Retention, now: number, dayOf: (hour: number) => string): RetentionCutoffs {
  return {
    eventsBefore: new Date(now - retention.queryEventsDays * DAY_MS),
    hoursBefore: new Date(hourOf(now - (retention.hourlyRollupsDays ?? DEFAULT_HOURLY_ROLLUPS_DAYS) * DAY_MS)),
    daysBefore: dayOf(hourOf(now - retention.rollupsDays * DAY_MS)),
    networkEventsBefore: new Date(now - (retention.networkEventsDays ?? DEFAULT_NETWORK_EVENTS_DAYS) * DAY_MS),
    alertsBefore: new Date(now - (retention.alertsDays ?? DEFAULT_ALERTS_DAYS) * DAY_MS),
  };
}

/** What one run deleted. */
export interface RetentionRun {
  events: number;
  hourlyRollups: number;
  dailyRollups: number;
  networkEvents: number;
  alerts: number;
  /** Vouchers that ended, with their devices, and the visitors no voucher names; only with `visitors`. */
  visitorRecords?: { vouchers: number; visitors: number };
}

export interface RetentionJob {
  /** Deletes what is past its time now. */
  runOnce(): Promise<RetentionRun>;
  /** Resolves when no run is in progress (the one at start included). */
  whenIdle(): Promise<void>;
  stop(): void;
}

export function startRetention(options: {
  queryLog: QueryLog;
  /** state.db's network events (StateDatabase.networkEvents). */
  networkEvents: { purgeBefore(before: Date): number };
  /** state.db's alerts (StateDatabase.alerts); without it alerts are not purged. */
  alerts?: { purgeAcknowledgedBefore(before: Date): number };
  /** state.db's vouchers and visitors (StateDatabase.vouchers), kept retention.visitorRecordsDays. */
  visitors?: { purgeBefore(before: Date): { vouchers: number; visitors: number } };
  retention: () => Retention;
  /** The investigations whose windows' questions stay (config.investigations); none without it. */
  keep?: () => KeepWindow[];
  /** The school's time zone (the days of the daily rollups). */
  timezone: () => string;
  logger: Logger;
  now?: () => number;
}): RetentionJob {
  const now = options.now ?? Date.now;
  let stopped = false;
  let running: Promise<void> | undefined;
  let days: { zone: string; dayOf: DayOf } | undefined;
  const runOnce = async (): Promise<RetentionRun> => {
    const zone = options.timezone();
    if (days?.zone !== zone) days = { zone, dayOf: new DayOf(zone) };
    const cutoffs = retentionCutoffs(options.retention(), now(), days.dayOf.day);
    const events = await options.queryLog.purgeBefore(cutoffs.eventsBefore, options.keep?.() ?? []);
    const rollups = await options.queryLog.purgeRollups(cutoffs.hoursBefore, cutoffs.daysBefore);
    const networkEvents = options.networkEvents.purgeBefore(cutoffs.networkEventsBefore);
    const alerts = options.alerts?.purgeAcknowledgedBefore(cutoffs.alertsBefore) ?? 0;
    const visitorsBefore = new Date(now() - options.retention().visitorRecordsDays * DAY_MS);
    const visitorRecords = options.visitors?.purgeBefore(visitorsBefore);
    const run: RetentionRun = { events, hourlyRollups: rollups.hours, dailyRollups: rollups.days, networkEvents, alerts, ...(visitorRecords ? { visitorRecords } : {}) };
    const visitorCount = visitorRecords ? visitorRecords.vouchers + visitorRecords.visitors : 0;
    if (run.events + run.hourlyRollups + run.dailyRollups + run.networkEvents + run.alerts + visitorCount > 0) {
      options.logger.info({
        ...run, eventsBefore: cutoffs.eventsBefore.toISOString(), hoursBefore: cutoffs.hoursBefore.toISOString(), daysBefore: cutoffs.daysBefore,
        networkEventsBefore: cutoffs.networkEventsBefore.toISOString(), alertsBefore: cutoffs.alertsBefore.toISOString(),
        ...(visitorRecords ? { visitorsBefore: visitorsBefore.toISOString() } : {}),
      }, 'records past their retention deleted');
    }
    return run;
  };
  const guarded = (): void => {
    // A run that outlasts the hour is not joined by another.
    if (running !== undefined) return;
    running = runOnce().then(
      () => undefined,
      (error: unknown) => {
        // At shutdown the query log closes under a run: that is not a failure worth a line.
        if (!stopped) options.logger.error({ err: error }, 'retention run failed; it will be tried again in an hour');
      },
    ).finally(() => {
      running = undefined;
    });
  };
  guarded();
  const timer = setInterval(guarded, HOUR_MS);
  timer.unref();
  return {
    runOnce,
    whenIdle: () => running ?? Promise.resolve(),
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
