// When the weekly review is reminded and when it is overdue, from a clock and the school's time
// zone. Pure: the notifier (review-notifier.ts) asks it what is due at each of its runs, so a test
// gives it any instant and any zone. Weeks are Monday to Sunday and named by their Monday; the
// reminder and the deadline of a week fall in the week after it.
import { REVIEW_DEFAULTS, WEEKDAYS, type ReviewSettings } from '../../config/review-schema.ts';

const DAY_MS = 86_400_000;

// Made once per zone: constructing an Intl formatter costs far more than formatting with one,
// and the list of weeks asks for a hundred instants.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: 'day' | 'parts', timezone: string): Intl.DateTimeFormat {
  const key = `${kind}\u0000${timezone}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = kind === 'day'
      ? new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' })
      : new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(key, f);
  }
  return f;
}

/** The calendar day (YYYY-MM-DD) an instant falls on in a time zone. */
export function dayIn(at: number, timezone: string): string {
  return formatter('day', timezone).format(at);
}

const addDays = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The Monday of the week a calendar day is in. */
export function mondayOf(day: string): string {
  const at = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`"${day}" is not a day (YYYY-MM-DD)`);
  return addDays(day, -((new Date(at).getUTCDay() + 6) % 7));
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
function offsetAt(at: number, timezone: string): number {
  const parts = Object.fromEntries(formatter('parts', timezone).formatToParts(at).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(at / 1000) * 1000;
}

/**
 * The instant the school's clocks show `time` on `day`. In the hour the clocks skip (spring) the
 * time after the skip; in the hour they repeat (autumn) the first of the two.
 */
export function zonedInstant(day: string, time: string, timezone: string): number {
  const wall = Date.parse(`${day}T${time}:00Z`);
  if (Number.isNaN(wall)) throw new RangeError(`"${day} ${time}" is not a day and a time`);
  // The zone's offsets half a day either side are the two a clock change can be between.
  const before = wall - offsetAt(wall - 12 * 3_600_000, timezone);
  const after = wall - offsetAt(wall + 12 * 3_600_000, timezone);
  const candidates = [before, after].filter((c) => c + offsetAt(c, timezone) === wall);
  return candidates.length > 0 ? Math.min(...candidates) : before;
}

const settingsOf = (settings: ReviewSettings | undefined): Required<ReviewSettings> => ({ ...REVIEW_DEFAULTS, ...settings });

/** The reminder to review `week`: its configured day and time in the week after. */
export function reminderOf(week: string, timezone: string, settings?: ReviewSettings): number {
  const s = settingsOf(settings);
  return zonedInstant(addDays(week, 7 + WEEKDAYS.indexOf(s.reminderDay)), s.reminderTime, timezone);
}

/** The deadline by which `week` must be signed off: its configured day and time in the week after. */
export function deadlineOf(week: string, timezone: string, settings?: ReviewSettings): number {
  const s = settingsOf(settings);
  return zonedInstant(addDays(week, 7 + WEEKDAYS.indexOf(s.deadlineDay)), s.deadlineTime, timezone);
}

/** The last whole week before the one `now` is in: the week a review is due for. */
export function weekToReview(now: number, timezone: string): string {
  return addDays(mondayOf(dayIn(now, timezone)), -7);
}

export interface ReviewNotice {
  week: string;
  kind: 'reminder' | 'overdue';
  /** When it fell due. */
  dueAt: number;
}

/**
 * The reminders and overdue alerts due at `now` for the weeks from `firstWeek` (the week the
 * gateway first ran: nothing before it can be reviewed) up to the last whole week: a reminder once
 * its time has come, an overdue alert once the deadline has passed; none for a week signed off,
 * and none already sent (`sent`). A week is looked at for `lookBackWeeks` (default 8) after it.
 */
export function noticesDue(o: {
  now: number; timezone: string; settings?: ReviewSettings | undefined; firstWeek: string;
  signedOff: (week: string) => boolean; sent: (week: string, kind: ReviewNotice['kind']) => boolean; lookBackWeeks?: number;
}): ReviewNotice[] {
  const last = weekToReview(o.now, o.timezone);
  const due: ReviewNotice[] = [];
  for (let back = (o.lookBackWeeks ?? 8) - 1; back >= 0; back--) {
    const week = addDays(last, -7 * back);
    if (week < mondayOf(o.firstWeek) || o.signedOff(week)) continue;
    const reminder = reminderOf(week, o.timezone, o.settings);
    const deadline = deadlineOf(week, o.timezone, o.settings);
    // A reminder after the deadline would only repeat the overdue alert.
    if (o.now >= reminder && o.now < deadline && !o.sent(week, 'reminder')) due.push({ week, kind: 'reminder', dueAt: reminder });
    if (o.now >= deadline && !o.sent(week, 'overdue')) due.push({ week, kind: 'overdue', dueAt: deadline });
  }
  return due;
}
