// When the anonymised governor report goes out and which days it covers (pure), and the service
// that sends it on that schedule: node-cron in the school's time zone, as the self-test runs.
// Monthly: on the 1st, the month before. Termly: on 1 January, 1 May and 1 September (after the
// autumn, spring and summer terms), the four months before: governors meet termly.
import type { GovernorReportSettings } from '../../config/reports-schema.ts';
import { CronJob } from '../../cron-job.ts';
import type { Logger } from '../../log.ts';
import { nextDay, schoolDay, schoolInstant } from './report-span.ts';

export const DEFAULT_SEND_AT = '07:00';
const TERM_MONTHS = [1, 5, 9];

type Schedule = GovernorReportSettings['schedule'];

/** The cron expression of a schedule at `hhmm` (undefined when off). */
export function cronOf(schedule: Schedule, hhmm = DEFAULT_SEND_AT): string | undefined {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  if (schedule === 'monthly') return `${m} ${h} 1 * *`;
  if (schedule === 'termly') return `${m} ${h} 1 ${TERM_MONTHS.join(',')} *`;
  return undefined;
}

const isSendDay = (schedule: Schedule, day: string): boolean =>
  day.endsWith('-01') && (schedule === 'monthly' || (schedule === 'termly' && TERM_MONTHS.includes(Number(day.slice(5, 7)))));

/** The next sending strictly after `now`, or undefined when the schedule is off. */
export function nextGovernorRun(settings: Pick<GovernorReportSettings, 'schedule' | 'at'>, now: Date, timezone: string): Date | undefined {
  if (settings.schedule === 'off') return undefined;
  let day = schoolDay(now, timezone);
  // At most a year and a day on: every schedule sends within four months.
  for (let i = 0; i < 370; i++, day = nextDay(day)) {
    if (!isSendDay(settings.schedule, day)) continue;
    const at = schoolInstant(day, settings.at ?? DEFAULT_SEND_AT, timezone);
    if (at.getTime() > now.getTime()) return at;
  }
  return undefined;
}

/** The days a sending on `sendDay` covers: the month (or four months) before it, both ends included. */
export function governorSpanFor(schedule: Schedule, sendDay: string): { from: string; to: string } {
  const months = schedule === 'termly' ? 4 : 1;
  const [y, mo] = sendDay.split('-').map(Number) as [number, number];
  const start = new Date(Date.UTC(y, mo - 1 - months, 1)).toISOString().slice(0, 10);
  return { from: start, to: nextDay(`${sendDay.slice(0, 7)}-01`, -1) };
}

export interface GovernorScheduleOptions {
  settings: () => GovernorReportSettings | undefined;
  timezone: () => string;
  /** Makes and sends the report for the span; records the sending itself. */
  send: (span: { from: string; to: string }, trigger: 'scheduled') => Promise<unknown>;
  now?: () => Date;
  logger: Logger;
}

/** Sends the report on its schedule; rebuilt on each configuration change (`restart`). */
export class GovernorReportSchedule extends CronJob {
  constructor(o: GovernorScheduleOptions) {
    super({
      name: 'governor-report',
      plan: () => {
        const settings = o.settings();
        const expression = settings ? cronOf(settings.schedule, settings.at) : undefined;
        if (!settings || expression === undefined) return undefined;
        return {
          expression,
          run: () => o.send(governorSpanFor(settings.schedule, schoolDay((o.now ?? (() => new Date()))(), o.timezone())), 'scheduled'),
        };
      },
      timezone: o.timezone,
      onError: (err) => o.logger.error({ err }, 'the scheduled governor report could not be sent'),
    });
  }
}
