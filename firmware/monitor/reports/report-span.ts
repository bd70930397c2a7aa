// The days a report covers, in the school's calendar: both ends included, turned into the
// instants the stores are asked with. Pure: the clock and the time zone are arguments.
import { InvalidInputError } from '../../state/values.ts';
import { DayOf } from '../query-log/rollups.ts';
import { dayStart } from '../review/review-data.ts';
import type { ReportSpan } from './report-schema.ts';

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The calendar day after `day` (YYYY-MM-DD), stepped in UTC whatever the school's clock does. */
export function nextDay(day: string, days = 1): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The school's day that `at` falls in. */
export function schoolDay(at: Date, timezone: string): string {
  return new DayOf(timezone).day(at.getTime());
}

export interface ResolvedSpan extends ReportSpan {
  /** The first instant of `from`, ms. */
  fromMs: number;
  /** The first instant after `to`, ms. */
  toMs: number;
  /** The day after `to`: rollup queries take `to` excluded. */
  toExcluded: string;
}

/**
 * The span asked for: `from` and `to` given, or by default the `defaultDays` days up to
 * yesterday. Refused: a malformed day, `to` before `from`, a span over `maxDays`.
 */
export function resolveSpan(asked: { from?: string | undefined; to?: string | undefined }, now: Date, timezone: string,
  options: { defaultDays?: number; maxDays?: number } = {}): ResolvedSpan {
  const today = schoolDay(now, timezone);
  const to = asked.to ?? nextDay(today, -1);
  const from = asked.from ?? nextDay(to, -((options.defaultDays ?? 30) - 1));
  for (const [name, day] of [['from', from], ['to', to]] as const) {
    if (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
      throw new InvalidInputError(`"${name}" must be a day as YYYY-MM-DD, not ${JSON.stringify(day)}`);
    }
  }
  if (to < from) throw new InvalidInputError(`the span ends (${to}) before it starts (${from})`);
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
  const maxDays = options.maxDays ?? 800;
  if (days > maxDays) throw new InvalidInputError(`a span of ${days} days is more than ${maxDays}: ask for a shorter one`);
  const dayOf = new DayOf(timezone).day;
  const toExcluded = nextDay(to);
  return { from, to, timezone, fromMs: dayStart(from, dayOf), toMs: dayStart(toExcluded, dayOf), toExcluded };
}

/** The instant of `hhmm` on `day` at the school (the first such instant on a day the clocks change). */
export function schoolInstant(day: string, hhmm: string, timezone: string): Date {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const dayOf = new DayOf(timezone).day;
  const start = dayStart(day, dayOf);
  const format = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const wanted = h * 60 + m;
  let at = start + wanted * 60_000;
  // Midnight to `hhmm` is not `hhmm` of clock time on a day the clocks change in between: correct by what the clock says.
  for (let i = 0; i < 2; i++) {
    const [lh, lm] = format.format(at).split(':').map(Number) as [number, number];
    const diff = wanted - (lh * 60 + lm);
    if (diff === 0) break;
    at += diff * 60_000;
  }
  return new Date(at);
}
