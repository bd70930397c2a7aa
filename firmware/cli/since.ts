// `--since` as a person types it, made into the instant the daemon compares with.

import { durationSeconds } from './duration.ts';

/**
 * "7d", "24h", "30m", "2w", "1d12h" (that long before `now`), a date "2026-12-01" (its midnight, UTC) or
 * a date and time with its zone ("2026-12-01T08:00:00Z", "…+01:00"). Undefined for anything else.
 */
export function parseSince(text: string, now: Date): string | undefined {
  const back = durationSeconds(text);
  if (back !== undefined) {
    const at = now.getTime() - back * 1000;
    // Further back than a Date can hold is no instant at all.
    return Number.isFinite(new Date(at).getTime()) ? new Date(at).toISOString() : undefined;
  }
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  // A time without a zone would be read in this machine's zone: ask for one instead of guessing.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(date)) return undefined;
  const at = Date.parse(date);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}
