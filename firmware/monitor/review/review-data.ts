// What the weekly review reads: a school week's totals, its most blocked categories, the devices
// blocked again and again, and one device's week hour by hour. Rollups only, never raw rows: a
// week of a school's questions is millions of rows, its rollups thousands, and the rollups outlive
// the raw rows (retention). Read through the query log's writer (its ordered channel), so every
// question handed over before the read is in it.
import type { QueryLog } from '../query-log/query-log.ts';
import type { Total } from '../query-log/rollup-totals.ts';
import { DayOf, HOUR_MS } from '../query-log/rollups.ts';
import { guestsIn, type GuestSession } from '../../portal/vouchers/guest-identity.ts';
import type { DeviceWeek, ReviewWeek, ReviewWeekSpan } from './review-data-schema.ts';

const DAY_MS = 86_400_000;

/** The verdicts the review counts as a blocked attempt. */
export const BLOCKED_VERDICTS = ['blocked'];

/** Blocked questions in a week from which a device is listed as blocked again and again. */
export const DEFAULT_MIN_BLOCKED = 20;

export interface ReviewSource {
  queryLog: Pick<QueryLog, 'rollupTotals' | 'rollups'>;
  timezone: string;
  /** A device's voucher sessions (state.db), which name the visitor and sponsor behind a guest device. */
  guestSessions?: (mac: string) => GuestSession[];
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** { visitors } for a guest device in the week, {} for any other: the review names who, not only a MAC. */
function visitorsOf(source: ReviewSource, device: string, week: ReviewWeekSpan): { visitors?: string[] } {
  if (!source.guestSessions || !MAC.test(device)) return {};
  const visitors = guestsIn(source.guestSessions(device), week.fromMs, week.toMs);
  return visitors.length > 0 ? { visitors } : {};
}

const dayText = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The first instant of a school day: the first hour whose school day it is. Hours are whole in
 * every zone a school is in, so an hour's step finds it; it moves with the clock changes.
 */
export function dayStart(day: string, dayOf: (hour: number) => string): number {
  const noonUtc = Date.parse(`${day}T12:00:00Z`);
  if (Number.isNaN(noonUtc)) throw new RangeError(`"${day}" is not a day (YYYY-MM-DD)`);
  for (let hour = noonUtc - 26 * HOUR_MS; hour <= noonUtc + 14 * HOUR_MS; hour += HOUR_MS) {
    if (dayOf(hour) === day) return hour;
  }
  throw new RangeError(`no hour of ${day} found in this time zone`);
}

/** The school week (Monday to Sunday) that `day` falls in. */
export function weekOf(day: string, timezone: string): ReviewWeekSpan {
  const at = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`"${day}" is not a day (YYYY-MM-DD)`);
  // getUTCDay: Sunday is 0; calendar days are stepped in UTC whatever the school's clock does.
  const monday = at - ((new Date(at).getUTCDay() + 6) % 7) * DAY_MS;
  const from = dayText(monday);
  const to = dayText(monday + 7 * DAY_MS);
  const dayOf = new DayOf(timezone).day;
  return { timezone, from, to, fromMs: dayStart(from, dayOf), toMs: dayStart(to, dayOf) };
}

const text = (value: string | number | undefined): string => String(value ?? '');

/** A week's totals per day, network, category and verdict; its top blocked categories; devices blocked again and again. */
export async function reviewWeek(source: ReviewSource, day: string, options: { minBlocked?: number; topCategories?: number; maxDevices?: number } = {}): Promise<ReviewWeek> {
  const week = weekOf(day, source.timezone);
  const minBlocked = options.minBlocked ?? DEFAULT_MIN_BLOCKED;
  const span = { kind: 'days' as const, from: week.from, to: week.to };
  const [totals, top, devices] = await Promise.all([
    source.queryLog.rollupTotals({ ...span, by: ['period', 'network', 'category', 'verdict'] }),
    source.queryLog.rollupTotals({ ...span, by: ['category'], verdicts: BLOCKED_VERDICTS, limit: options.topCategories ?? 10 }),
    source.queryLog.rollupTotals({ ...span, by: ['device'], verdicts: BLOCKED_VERDICTS, minCount: minBlocked, limit: options.maxDevices ?? 100 }),
  ]);
  const categories = devices.length === 0
    ? []
    : await source.queryLog.rollupTotals({ ...span, by: ['device', 'category'], verdicts: BLOCKED_VERDICTS, devices: devices.map((d) => text(d.device)) });
  const byDevice = new Map<string, Total[]>();
  for (const row of categories) {
    const list = byDevice.get(text(row.device)) ?? [];
    list.push(row);
    byDevice.set(text(row.device), list);
  }
  return {
    week,
    totals: totals
      .map((t) => ({ day: text(t.period), network: text(t.network), category: text(t.category), verdict: text(t.verdict), count: t.count }))
      .sort((a, b) => a.day.localeCompare(b.day) || a.network.localeCompare(b.network) || a.category.localeCompare(b.category) || a.verdict.localeCompare(b.verdict)),
    topBlockedCategories: top.filter((t) => t.count > 0).map((t) => ({ category: text(t.category), count: t.count })),
    repeatedBlocks: devices.map((d) => ({
      device: text(d.device),
      count: d.count,
      categories: (byDevice.get(text(d.device)) ?? []).map((c) => ({ category: text(c.category), count: c.count })),
      ...visitorsOf(source, text(d.device), week),
    })),
    minBlocked,
  };
}

/** One device's week: hour by hour (168 seeks of the hourly rollups' key), and by category. */
export async function deviceWeek(source: ReviewSource, device: string, day: string): Promise<DeviceWeek> {
  const week = weekOf(day, source.timezone);
  const hours = await source.queryLog.rollups({ kind: 'hours', from: week.fromMs, to: week.toMs, devices: [device] });
  // Added up here from the same rows: a grouped read would scan every device's hours of the week.
  const categories = new Map<string, { category: string; verdict: string; count: number }>();
  for (const r of hours) {
    const key = `${r.category}\u0000${r.verdict}`;
    const seen = categories.get(key);
    if (seen) seen.count += r.count;
    else categories.set(key, { category: r.category, verdict: r.verdict, count: r.count });
  }
  return {
    device,
    week,
    hours: hours.map((r) => ({ hour: Number(r.period), network: r.network, category: r.category, verdict: r.verdict, count: r.count })),
    categories: [...categories.values()].sort((a, b) => b.count - a.count || a.category.localeCompare(b.category) || a.verdict.localeCompare(b.verdict)),
    ...visitorsOf(source, device, week),
  };
}
