// How long a technician asks for (`--for 1d`, `3h`, `30m`, `1d12h`), in whole seconds. Pure.

const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;

/** A year: longer is a typo, and nft timeouts must stay finite. */
export const MAX_SUSPENSION_SECONDS = 366 * 86_400;

/** "1d", "3h", "30m", "45s" or a combination in that order ("1d12h"); throws with the reason. */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(trimmed);
  if (trimmed === '' || !match) {
    throw new Error(`"${text}" is not a duration: write a number and a unit, e.g. 1d, 3h, 30m, 45s or 1d12h`);
  }
  const [, d, h, m, s] = match;
  const seconds = Number(d ?? 0) * UNIT_SECONDS.d + Number(h ?? 0) * UNIT_SECONDS.h + Number(m ?? 0) * UNIT_SECONDS.m + Number(s ?? 0);
  if (seconds <= 0) throw new Error(`"${text}" is no time at all: a suspension needs a length`);
  if (seconds > MAX_SUSPENSION_SECONDS) throw new Error(`"${text}" is longer than a year (366d)`);
  return seconds;
}
