// School years as schools write them ("2026-27" runs from September 2026), pure.

/** The school year a day falls in: September onwards starts the next one. */
export function schoolYearOf(day: string): string {
  const year = Number(day.slice(0, 4));
  const first = Number(day.slice(5, 7)) >= 9 ? year : year - 1;
  return `${first}-${String((first + 1) % 100).padStart(2, '0')}`;
}

/** The years to choose from: every review's, this one and the one before, newest first. */
export function yearChoices(today: string, reviewed: readonly string[]): string[] {
  const current = schoolYearOf(today);
  const first = Number(current.slice(0, 4));
  const previous = `${first - 1}-${String(first % 100).padStart(2, '0')}`;
  return [...new Set([current, previous, ...reviewed])].sort().reverse();
}

/** The same day a year later (29 February becomes the 28th). */
export function aYearAfter(day: string): string {
  const next = `${Number(day.slice(0, 4)) + 1}${day.slice(4)}`;
  return next.endsWith('-02-29') ? next.replace(/-29$/, '-28') : next;
}

/** Today in the school's time zone, YYYY-MM-DD. */
export function todayIn(timezone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
