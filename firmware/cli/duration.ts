// A length of time as a technician types it — "2w", "1d", "3h", "30m", "45s", or units combined
// largest first ("1d12h") — in whole seconds. The one reader behind `--for` (how long a
// suspension lasts) and `--since` (how far back to list). Pure.
import { MAX_SUSPENSION_SECONDS } from '../net/suspensions.ts';

const UNIT_SECONDS = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 } as const;

/** Whole seconds, or undefined when `text` is not a length of time. */
export function durationSeconds(text: string): number | undefined {
  const match = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim().toLowerCase());
  if (!match || match.slice(1).every((part) => part === undefined)) return undefined;
  const [, w, d, h, m, s] = match;
  return Number(w ?? 0) * UNIT_SECONDS.w + Number(d ?? 0) * UNIT_SECONDS.d + Number(h ?? 0) * UNIT_SECONDS.h
    + Number(m ?? 0) * UNIT_SECONDS.m + Number(s ?? 0) * UNIT_SECONDS.s;
}

/** A suspension's length: "1d", "3h", "30m", "45s" or a combination ("1d12h"), within its bounds; throws with the reason. */
export function parseDuration(text: string): number {
  const seconds = durationSeconds(text);
  if (seconds === undefined) {
    throw new Error(`"${text}" is not a duration: write a number and a unit, e.g. 1d, 3h, 30m, 45s or 1d12h`);
  }
  if (seconds <= 0) throw new Error(`"${text}" is no time at all: a suspension needs a length`);
  if (seconds > MAX_SUSPENSION_SECONDS) throw new Error(`"${text}" is longer than a year (366d)`);
  return seconds;
}
