// Personal data kept no longer than the school's retention settings say: query events older than
// `retention.queryEventsDays` are deleted at start and then every hour (small deletes, so the SD
// card never sees one huge transaction).
import type { Retention } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { QueryLog } from './query-log.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface RetentionJob {
  runOnce(): number;
  stop(): void;
}

export function startRetention(options: { queryLog: QueryLog; retention: () => Retention; logger: Logger; now?: () => number }): RetentionJob {
  const now = options.now ?? Date.now;
  const runOnce = (): number => {
    const cutoff = new Date(now() - options.retention().queryEventsDays * DAY_MS);
    const removed = options.queryLog.purgeBefore(cutoff);
    if (removed > 0) options.logger.info({ removed, before: cutoff.toISOString() }, 'query events past their retention deleted');
    return removed;
  };
  const guarded = (): void => {
    try {
      runOnce();
    } catch (error) {
      options.logger.error({ err: error }, 'retention run failed; it will be tried again in an hour');
    }
  };
  guarded();
  const timer = setInterval(guarded, HOUR_MS);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
