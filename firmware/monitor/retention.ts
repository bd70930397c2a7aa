// Personal data kept no longer than the school's retention settings say: query events older than
// `retention.queryEventsDays` are deleted at start and then every hour (an hour's rows each time,
// deleted by the writer thread in chunks, so the SD card never sees one huge transaction and the
// DNS thread never waits for it).
import type { Retention } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { QueryLog } from './query-log.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface RetentionJob {
  /** Deletes what is past its time now; resolves to how many query events went. */
  runOnce(): Promise<number>;
  /** Resolves when no run is in progress (the one at start included). */
  whenIdle(): Promise<void>;
  stop(): void;
}

export function startRetention(options: { queryLog: QueryLog; retention: () => Retention; logger: Logger; now?: () => number }): RetentionJob {
  const now = options.now ?? Date.now;
  let stopped = false;
  let running: Promise<void> | undefined;
  const runOnce = async (): Promise<number> => {
    const cutoff = new Date(now() - options.retention().queryEventsDays * DAY_MS);
    const removed = await options.queryLog.purgeBefore(cutoff);
    if (removed > 0) options.logger.info({ removed, before: cutoff.toISOString() }, 'query events past their retention deleted');
    return removed;
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
