// Whether a schedule ("acceptable at certain times") is active at an instant, read on the wall
// clock of the site's IANA time zone, and when that next changes. School timetables are wall
// clock times: "12:00–13:00" means the same lunch hour in BST and GMT, so nothing here works in
// UTC except the instants themselves.
//
// A schedule is compiled once to a sorted list of minute ranges within the week (Monday 00:00 =
// minute 0). Windows never run past midnight (the configuration checker rejects from >= to); a
// window that does anyway is treated as empty rather than guessed at.
import type { Schedule, Term } from '../../config/schema.ts';

export type ScheduleLike = Pick<Schedule, 'windows' | 'termTimeOnly'>;
/** The school's terms (site.terms): a "term time only" schedule is active on their dates alone. */
export type Terms = readonly Pick<Term, 'start' | 'end'>[];

const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const MS_PER_MINUTE = 60_000;

const DAY_INDEX: Readonly<Record<string, number>> = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 };

/** Minute ranges [start, end) within the week, sorted and merged, so every range edge is a real change. */
type WeekRanges = readonly (readonly [number, number])[];

const compiled = new WeakMap<ScheduleLike, WeekRanges>();

function hhmm(text: string): number {
  return Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
}

function rangesOf(schedule: ScheduleLike): WeekRanges {
  const cached = compiled.get(schedule);
  if (cached) return cached;
  const raw: [number, number][] = [];
  for (const w of schedule.windows) {
    const from = hhmm(w.from);
    const to = hhmm(w.to);
    if (!(from < to)) continue;
    for (const day of w.days) {
      const d = DAY_INDEX[day];
      if (d !== undefined) raw.push([d * MINUTES_PER_DAY + from, d * MINUTES_PER_DAY + to]);
    }
  }
  raw.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of raw) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  compiled.set(schedule, merged);
  return merged;
}

/** The wall clock of a zone at an instant. */
export interface LocalTime {
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  /** Minutes since local midnight, 0..1439. */
  minuteOfDay: number;
  /** Minutes since local Monday 00:00, 0..10079. */
  minuteOfWeek: number;
  /** Local time minus UTC, in minutes (60 in BST, 0 in GMT). */
  offsetMinutes: number;
  /** The local date, YYYY-MM-DD: compared with term dates as text. */
  date: string;
}

// Formatters are costly to build and immutable once built: one per zone for the process.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for a zone the runtime does not know; call once when building, not per query. */
export function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone, hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

const toMs = (at: Date | number): number => (typeof at === 'number' ? at : at.getTime());

export function localTime(at: Date | number, zone: string): LocalTime {
  const ms = toMs(at);
  let year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  for (const part of formatterFor(zone).formatToParts(ms)) {
    switch (part.type) {
      case 'year': year = Number(part.value); break;
      case 'month': month = Number(part.value); break;
      case 'day': day = Number(part.value); break;
      // Some ICU versions print midnight as 24 even with h23.
      case 'hour': hour = Number(part.value) % 24; break;
      case 'minute': minute = Number(part.value); break;
      case 'second': second = Number(part.value); break;
      default: break;
    }
  }
  const localAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
  const minuteOfDay = hour * 60 + minute;
  return {
    weekday,
    minuteOfDay,
    minuteOfWeek: weekday * MINUTES_PER_DAY + minuteOfDay,
    offsetMinutes: Math.round((localAsUtc - Math.floor(ms / 1000) * 1000) / MS_PER_MINUTE),
    date: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
  };
}

function activeAtMinute(ranges: WeekRanges, minuteOfWeek: number): boolean {
  for (const [start, end] of ranges) {
    if (minuteOfWeek < start) return false;
    if (minuteOfWeek < end) return true;
  }
  return false;
}

/** Local minutes from `minuteOfWeek` to the next range edge (≥ 1), or Infinity for an empty schedule. */
function minutesToNextEdge(ranges: WeekRanges, minuteOfWeek: number): number {
  for (const [start, end] of ranges) {
    if (minuteOfWeek < start) return start - minuteOfWeek;
    if (minuteOfWeek < end) return end - minuteOfWeek;
  }
  const first = ranges[0];
  return first ? first[0] + MINUTES_PER_WEEK - minuteOfWeek : Infinity;
}

function inTerm(date: string, terms: Terms): boolean {
  return terms.some((t) => t.start <= date && date <= t.end);
}

/**
 * Whether `schedule` is active at `at` on the wall clock of `zone`: `from` inclusive, `to`
 * exclusive, and for a "term time only" schedule on a date inside one of `terms` (none: never).
 */
export function isActive(schedule: ScheduleLike, at: Date | number, zone: string, terms: Terms = []): boolean {
  const here = localTime(at, zone);
  if (schedule.termTimeOnly && !inTerm(here.date, terms)) return false;
  return activeAtMinute(rangesOf(schedule), here.minuteOfWeek);
}

/** The first instant after `t` that is local midnight in `zone` (a clock change at midnight moves it by the change). */
function nextLocalMidnight(t: number, zone: string): number {
  const here = localTime(t, zone);
  const candidate = Math.floor(t / MS_PER_MINUTE) * MS_PER_MINUTE + (MINUTES_PER_DAY - here.minuteOfDay) * MS_PER_MINUTE;
  const there = localTime(candidate, zone);
  return candidate - (there.offsetMinutes - here.offsetMinutes) * MS_PER_MINUTE;
}

/**
 * The first instant after `after` at which isActive changes, or undefined when it never does.
 * A term-time schedule can also change at a local midnight (a term starting or ending), so the
 * search steps over window edges and midnights alike: a summer holiday is some 130 steps, met
 * only when the engine's masks go stale, never per question.
 */
export function nextChange(schedule: ScheduleLike, after: Date | number, zone: string, terms: Terms = []): number | undefined {
  if (!schedule.termTimeOnly) return nextWeeklyChange(schedule, after, zone);
  const initial = isActive(schedule, after, zone, terms);
  let t = toMs(after);
  // A year of midnights and window edges: a term-time schedule with no term ahead never changes.
  for (let step = 0; step < 1200; step++) {
    const next = Math.min(nextWeeklyChange(schedule, t, zone) ?? Infinity, nextLocalMidnight(t, zone));
    if (!Number.isFinite(next)) return undefined;
    if (isActive(schedule, next, zone, terms) !== initial) return next;
    t = next;
  }
  return undefined;
}

/**
 * The first instant (ms since the epoch) after `after` at which isActive changes, or undefined
 * when it never does (a schedule with no usable window).
 *
 * Between clock changes local minutes advance with UTC minutes, so the next window edge is that
 * many minutes ahead. A clock change on the way moves the wall clock by an hour: the search
 * stops at the change itself (found by bisection over minutes), looks again from there, and so
 * handles an edge skipped in spring or met twice in autumn. Steps are at most a day so that no
 * two clock changes can hide between the ends of one step. Assumes whole-minute UTC offsets,
 * true of every zone since the 1970s.
 */
function nextWeeklyChange(schedule: ScheduleLike, after: Date | number, zone: string): number | undefined {
  const ranges = rangesOf(schedule);
  if (ranges.length === 0) return undefined;
  let t = toMs(after);
  const initial = activeAtMinute(ranges, localTime(t, zone).minuteOfWeek);
  // A week of day-long steps plus the clock changes met on the way, with room to spare.
  for (let step = 0; step < 32; step++) {
    const here = localTime(t, zone);
    const minutes = Math.min(minutesToNextEdge(ranges, here.minuteOfWeek), MINUTES_PER_DAY);
    const minuteStart = Math.floor(t / MS_PER_MINUTE) * MS_PER_MINUTE;
    let candidate = minuteStart + minutes * MS_PER_MINUTE;
    let there = localTime(candidate, zone);
    if (there.offsetMinutes !== here.offsetMinutes) {
      candidate = firstMinuteWithNewOffset(minuteStart, candidate, here.offsetMinutes, zone);
      there = localTime(candidate, zone);
    }
    if (activeAtMinute(ranges, there.minuteOfWeek) !== initial) return candidate;
    t = candidate;
  }
  return undefined;
}

/** Bisects (lo, hi] for the first whole minute whose offset differs from `offset` (lo has it, hi does not). */
function firstMinuteWithNewOffset(lo: number, hi: number, offset: number, zone: string): number {
  while (hi - lo > MS_PER_MINUTE) {
    const mid = lo + Math.floor((hi - lo) / (2 * MS_PER_MINUTE)) * MS_PER_MINUTE;
    if (localTime(mid, zone).offsetMinutes === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}
