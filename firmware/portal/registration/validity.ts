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

/** The site's calendar date at `now` (YYYY-MM-DD). */
export function localDate(now: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** 23:59 local on `date` (YYYY-MM-DD): a regular visitor's last day is included. */
export function endOfDate(date: string, timezone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  // Noon UTC is the same calendar day in every zone within ±11 hours: its local midnight follows.
  return new Date(endOfLocalDay(new Date(Date.UTC(y!, m! - 1, d!, 12)), timezone).getTime() - 60_000);
}

export interface SchoolTerm {
  name: string;
  start: string;
  end: string;
}

/**
 * When a regular visitor's access ends: the last day of the current term (in a holiday, of the
 * next one), or a date the sponsor gives. An error says why neither can be used.
 */
export function regularUntil(choice: { term: 'current' } | { date: string }, now: Date, timezone: string, terms: readonly SchoolTerm[]):
  { ok: true; until: Date; term: string | null } | { ok: false; error: string } {
  const today = localDate(now, timezone);
  if ('date' in choice) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(choice.date) || Number.isNaN(Date.parse(`${choice.date}T12:00:00Z`))) return { ok: false, error: 'give a date as YYYY-MM-DD' };
    if (choice.date < today) return { ok: false, error: 'that date has passed: choose today or later' };
    return { ok: true, until: endOfDate(choice.date, timezone), term: null };
  }
  const term = [...terms].sort((a, b) => a.start.localeCompare(b.start)).find((t) => t.end >= today);
  if (!term) return { ok: false, error: "the school's term dates (site.terms) have no term from today on: choose a date instead" };
  return { ok: true, until: endOfDate(term.end, timezone), term: term.name };
}
