// When each feed is fetched: one node-cron task per feed, in the site's time zone (a list
// refreshed "at 03:17" should stay at 03:17 across the clock change). A bad expression is a
// problem for that feed alone: it is reported, and every other feed is still scheduled.
import cron, { type ScheduledTask } from 'node-cron';

export interface ScheduleRequest {
  list: string;
  expression: string;
}

export interface ScheduleProblem {
  list: string;
  error: string;
}

/** Whether `zone` is an IANA time zone this Node knows. */
export function timeZoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return undefined;
  } catch {
    return `"${zone}" is not a time zone this gateway knows (e.g. Europe/London)`;
  }
}

/**
 * Why `expression` cannot schedule a feed, or undefined when it can. Five fields (minute hour
 * day month weekday); a sixth, leading seconds field is accepted only as one fixed second, since a
 * feed fetched every second would be an attack on its server. The configuration validator may
 * call this too, to refuse the expression before it is saved.
 */
export function scheduleProblem(expression: string): string | undefined {
  const detail = cron.validateDetailed(expression);
  if (!detail.valid) {
    const reasons = detail.errors.map((e) => e.message).join('; ') || 'not a cron expression';
    return `schedule "${expression}" is not a cron expression (${reasons}); expected five fields, e.g. "17 3 * * *"`;
  }
  const fields = expression.trim().split(/\s+/);
  if (fields.length === 6 && !/^[0-5]?[0-9]$/.test(fields[0]!)) {
    return `schedule "${expression}" runs more than once a minute; give the seconds field one value, or use five fields`;
  }
  return undefined;
}

/**
 * The running tasks. Feeds that share a cron expression share one task, so the lists are rebuilt
 * once for all of them rather than once each at the same minute.
 */
export class FeedSchedule {
  readonly #tasks: ScheduledTask[] = [];
  readonly #taskOf = new Map<string, ScheduledTask>();
  readonly #problems = new Map<string, string>();

  /**
   * Replaces every task with one per distinct expression. `run` is called with the ids of the lists
   * whose time has come; a run still going when the next is due is skipped rather than stacked.
   */
  replace(requests: readonly ScheduleRequest[], timezone: string, run: (lists: string[]) => Promise<unknown>): ScheduleProblem[] {
    this.clear();
    const zoneProblem = timeZoneProblem(timezone);
    const groups = new Map<string, string[]>();
    for (const { list, expression } of requests) {
      const problem = zoneProblem ?? scheduleProblem(expression);
      if (problem) {
        this.#problems.set(list, problem);
        continue;
      }
      const key = expression.trim().split(/\s+/).join(' ');
      const group = groups.get(key) ?? [];
      if (group.length === 0) groups.set(key, group);
      group.push(list);
    }
    for (const [expression, lists] of groups) {
      const task = cron.schedule(expression, () => run([...lists]), { timezone, name: `feeds:${lists.join(',')}`.slice(0, 200), noOverlap: true });
      this.#tasks.push(task);
      for (const list of lists) this.#taskOf.set(list, task);
    }
    return [...this.#problems].map(([list, error]) => ({ list, error }));
  }

  nextRun(list: string): Date | null {
    return this.#taskOf.get(list)?.getNextRun() ?? null;
  }

  problem(list: string): string | undefined {
    return this.#problems.get(list);
  }

  clear(): void {
    for (const task of this.#tasks) void task.destroy();
    this.#tasks.length = 0;
    this.#taskOf.clear();
    this.#problems.clear();
  }
}
