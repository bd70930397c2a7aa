// When an approved visitor's access ends (pure): the end of the school's day in its own time
// zone, or a number of hours from now.
import type { Validity } from './schema.ts';

/** Midnight at the end of `now`'s day in `timezone`, as an instant (DST-safe: the offset is read at that midnight). */
export function endOfLocalDay(now: Date, timezone: string): Date {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: timezone, year: 'numeric', month: 'numeric', day: 'numeric' })
    .formatToParts(now).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
  const guess = Date.UTC(parts.year!, parts.month! - 1, parts.day! + 1);
  return new Date(guess - offsetMs(new Date(guess), timezone));
}

/** How far `timezone`'s wall clock is ahead of UTC at `at`. */
function offsetMs(at: Date, timezone: string): number {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    .formatToParts(at).filter((x) => x.type !== 'literal').map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(at.getTime() / 1000) * 1000;
}

/** Seconds of access a validity gives from `now` (at least a minute: the voucher's own floor). */
export function validitySeconds(validity: Validity, now: Date, timezone: string): number {
  // 23:59 rather than midnight: "until 23:59" reads as today, "until 00:00" as tomorrow.
  const end = 'hours' in validity ? now.getTime() + validity.hours * 3_600_000 : endOfLocalDay(now, timezone).getTime() - 60_000;
  return Math.max(60, Math.floor((end - now.getTime()) / 1000));
}
