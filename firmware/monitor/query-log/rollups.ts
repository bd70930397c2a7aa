// Rollups: how many questions each device asked, per hour and per day, by network, category and
// verdict. The weekly review and a teacher's live class view read these instead of the raw rows,
// so reading a week costs its few thousand rollup rows, not its millions of events, and the counts
// outlive the raw events (which are kept for far less time: data minimisation).
//
// Pure counting, no I/O: the writer thread (query-log-writer.ts) adds each row it inserts, and
// writes the counts with a mark of the newest row they cover, so the two can never disagree.
// Loaded by the writer thread: no TypeBox here.

export const HOUR_MS = 3_600_000;

/** The start (ms) of the UTC hour `at` falls in. Hours are the same in every UK time zone offset. */
export function hourOf(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

/**
 * The school's calendar day ("YYYY-MM-DD") an hour belongs to, in its time zone: a review of
 * Monday is Monday at the school, not Monday in UTC (an hour off all summer in the UK).
 */
export class DayOf {
  readonly #format: Intl.DateTimeFormat;
  readonly #cache = new Map<number, string>();

  constructor(timezone: string) {
    // en-CA formats dates as YYYY-MM-DD, which sorts and compares as text.
    this.#format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /** The day of the hour starting at `hour` (ms, from hourOf). */
  readonly day = (hour: number): string => {
    let day = this.#cache.get(hour);
    if (day === undefined) {
      // Events arrive in time order, so the cache holds a few hours; past events only add a few.
      if (this.#cache.size > 10_000) this.#cache.clear();
      day = this.#format.format(hour);
      this.#cache.set(hour, day);
    }
    return day;
  };
}

/** One rollup row; `network` and `category` are '' when the question had none. */
export interface RollupRow {
  /** Start of the hour (ms since the epoch) for hourly rows, or the school's day "YYYY-MM-DD" for daily ones. */
  period: number | string;
  network: string;
  /** The device's MAC, or the client address when DHCP has not named a device. */
  device: string;
  category: string;
  verdict: string;
  count: number;
}

const SEP = '\u0000';

/** Counts by (hour, network, device, category, verdict), ready to be added to the rollup tables. */
export class RollupCounts {
  readonly #counts = new Map<string, number>();

  get size(): number {
    return this.#counts.size;
  }

  add(at: number, network: string | null, device: string, category: string | null, verdict: string): void {
    const key = `${hourOf(at)}${SEP}${network ?? ''}${SEP}${device}${SEP}${category ?? ''}${SEP}${verdict}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  /** Adds these counts to `into` (a batch's counts to its transaction's, once the batch is stored). */
  mergeInto(into: RollupCounts): void {
    for (const [key, n] of this.#counts) into.#counts.set(key, (into.#counts.get(key) ?? 0) + n);
  }

  clear(): void {
    this.#counts.clear();
  }

  /** The hourly rows, and the daily rows they add up to in the school's days. */
  rows(dayOf: (hour: number) => string): { hours: RollupRow[]; days: RollupRow[] } {
    const hours: RollupRow[] = [];
    const days = new Map<string, RollupRow>();
    for (const [key, count] of this.#counts) {
      const [hour, network, device, category, verdict] = key.split(SEP) as [string, string, string, string, string];
      hours.push({ period: Number(hour), network, device, category, verdict, count });
      const day = dayOf(Number(hour));
      const dayKey = `${day}${SEP}${network}${SEP}${device}${SEP}${category}${SEP}${verdict}`;
      const row = days.get(dayKey);
      if (row) row.count += count;
      else days.set(dayKey, { period: day, network, device, category, verdict, count });
    }
    return { hours, days: [...days.values()] };
  }
}

/** Periods a read enumerates at most (a device's year of days, its month of hours); past it, a range. */
export const MAX_PERIODS = 1000;

/**
 * The periods in [from, to): hour starts, or "YYYY-MM-DD" days. A device's rows are found by
 * seeking each (period, device) in the key, which is how a week of one device costs 168 seeks
 * instead of a scan of every device's week. Undefined when there are more than MAX_PERIODS.
 */
export function periodsBetween(from: number, to: number): number[] | undefined;
export function periodsBetween(from: string, to: string): string[] | undefined;
export function periodsBetween(from: number | string, to: number | string): (number | string)[] | undefined {
  const out: (number | string)[] = [];
  if (typeof from === 'number' && typeof to === 'number') {
    for (let hour = Math.ceil(from / HOUR_MS) * HOUR_MS; hour < to; hour += HOUR_MS) {
      if (out.length === MAX_PERIODS) return undefined;
      out.push(hour);
    }
    return out;
  }
  const start = Date.parse(`${String(from)}T00:00:00Z`);
  const end = Date.parse(`${String(to)}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) throw new RangeError(`days are YYYY-MM-DD: "${String(from)}", "${String(to)}"`);
  // Calendar days step by 24 h in UTC whatever the school's clock changes do.
  for (let day = start; day < end; day += 86_400_000) {
    if (out.length === MAX_PERIODS) return undefined;
    out.push(new Date(day).toISOString().slice(0, 10));
  }
  return out;
}
