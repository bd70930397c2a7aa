// Times on the visitors pages, in the school's time zone: "Mon 7 Dec, 09:14" on the queue, which
// holds this week's visitors; "Mon 7 Dec 2026, 09:14" on the records, which the school prints and
// files, where a date without its year would not say which December.
export function when(iso: string | null, timezone: string, options: { year?: boolean } = {}): string {
  if (iso === null) return '';
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone, weekday: 'short', day: 'numeric', month: 'short', ...(options.year === true ? { year: 'numeric' as const } : {}), hour: '2-digit', minute: '2-digit',
  }).format(new Date(iso));
}

export const STATE_WORDS: Readonly<Record<string, string>> = {
  pending: 'waiting for a decision', approved: 'approved', declined: 'declined', withdrawn: 'access withdrawn', lapsed: 'not answered in time',
};
