// `--since` as a person types it, made into the instant the daemon compares with.

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * "7d", "24h", "30m", "2w" (that long before `now`), a date "2026-12-01" (its midnight, UTC) or
 * a date and time with its zone ("2026-12-01T08:00:00Z", "…+01:00"). Undefined for anything else.
 */
export function parseSince(text: string, now: Date): string | undefined {
  const relative = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNITS[relative[2]!]!).toISOString();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  // A time without a zone would be read in this machine's zone: ask for one instead of guessing.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(date)) return undefined;
  const at = Date.parse(date);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}
