// Times on the visitors pages, in the school's time zone: "Mon 7 Dec, 09:14".
export function when(iso: string | null, timezone: string): string {
  if (iso === null) return '';
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export const STATE_WORDS: Readonly<Record<string, string>> = {
  pending: 'waiting for a decision', approved: 'approved', declined: 'declined', withdrawn: 'access withdrawn', lapsed: 'not answered in time',
};
