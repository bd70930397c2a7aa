// What the dashboard reads: questions and blocks hour by hour, the most blocked categories and
// devices, from the query log's hourly rollups (never raw rows: a week of a school's questions is
// millions of rows, its hourly rollups a few thousand), and the lists' freshness and a health
// summary from what the daemon already reports. Pure apart from the rollup reads it is handed.
import type { DashboardHour, DashboardSpan, DashboardView, HealthSummary, ListFreshness } from '../admin/api/dashboard-schema.ts';
import type { ChangeSummary } from '../control/changes/change-schema.ts';
import type { ListsView } from '../rules/lists-view.ts';
import type { DaemonStatus } from '../status.ts';
import type { QueryLog } from './query-log/query-log.ts';
import { BLOCKED_VERDICTS, dayStart } from './review/review-data.ts';
import { DayOf, HOUR_MS } from './query-log/rollups.ts';

/** Devices listed per network: the few a member of staff would look into. */
export const TOP_DEVICES_PER_NETWORK = 5;
export const TOP_CATEGORIES = 8;

// A rollup's device is the MAC, or the client's address while DHCP has not named it (the demo's
// loopback clients, a device with a static address): only a MAC has a row in the device table.
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export interface DashboardSource {
  queryLog: Pick<QueryLog, 'rollupTotals'>;
  timezone: string;
  now: Date;
  /** The device table's name for a MAC, when it has one (asked only for MACs). */
  deviceName: (device: string) => string | null;
}

/** The span's first hour and the hour after the current one (ms), in the school's time zone. */
export function spanHours(span: DashboardSpan, now: Date, timezone: string): { from: number; to: number } {
  const to = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;
  if (span === 'week') return { from: to - 168 * HOUR_MS, to };
  const dayOf = new DayOf(timezone).day;
  return { from: dayStart(dayOf(to - HOUR_MS), dayOf), to };
}

/** Every hour of [from, to) with its questions and blocks, zero where the rollups have none. */
export function hourSeries(from: number, to: number, totals: readonly { period?: string | number; verdict?: string | number; count: number }[]): DashboardHour[] {
  const byHour = new Map<number, { questions: number; blocked: number }>();
  for (let h = from; h < to; h += HOUR_MS) byHour.set(h, { questions: 0, blocked: 0 });
  for (const t of totals) {
    const slot = byHour.get(Number(t.period));
    if (slot === undefined) continue;
    slot.questions += t.count;
    if (BLOCKED_VERDICTS.includes(String(t.verdict))) slot.blocked += t.count;
  }
  return [...byHour].map(([hour, c]) => ({ hour: new Date(hour).toISOString(), ...c }));
}

/** The most blocked devices of each network, `perNetwork` of each, most first. */
export function topDevicesPerNetwork(rows: readonly { network?: string | number; device?: string | number; count: number }[], perNetwork: number): { network: string; device: string; count: number }[] {
  const taken = new Map<string, number>();
  const out: { network: string; device: string; count: number }[] = [];
  // Rows come largest first (rollupTotals orders by count), so the first of each network win.
  for (const r of [...rows].sort((a, b) => b.count - a.count)) {
    const network = String(r.network ?? '');
    const n = taken.get(network) ?? 0;
    if (n >= perNetwork || r.count <= 0) continue;
    taken.set(network, n + 1);
    out.push({ network, device: String(r.device ?? ''), count: r.count });
  }
  return out.sort((a, b) => a.network.localeCompare(b.network) || b.count - a.count || a.device.localeCompare(b.device));
}

/** The counts of the dashboard: hours, totals, top categories and (when asked) top devices. */
export async function dashboardCounts(source: DashboardSource, span: DashboardSpan, withDevices: boolean)
  : Promise<Pick<DashboardView, 'span' | 'timezone' | 'from' | 'to' | 'totals' | 'hours' | 'topCategories' | 'topDevices'>> {
  const { from, to } = spanHours(span, source.now, source.timezone);
  const range = { kind: 'hours' as const, from, to };
  const [byHour, categories, devices] = await Promise.all([
    source.queryLog.rollupTotals({ ...range, by: ['period', 'verdict'] }),
    source.queryLog.rollupTotals({ ...range, by: ['category'], verdicts: BLOCKED_VERDICTS, limit: TOP_CATEGORIES }),
    withDevices ? source.queryLog.rollupTotals({ ...range, by: ['network', 'device'], verdicts: BLOCKED_VERDICTS, limit: 500 }) : Promise.resolve(null),
  ]);
  const hours = hourSeries(from, to, byHour);
  return {
    span,
    timezone: source.timezone,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    totals: { questions: hours.reduce((s, h) => s + h.questions, 0), blocked: hours.reduce((s, h) => s + h.blocked, 0) },
    hours,
    topCategories: categories.filter((c) => c.count > 0).map((c) => ({ category: String(c.category), count: c.count })),
    topDevices: devices === null ? null : topDevicesPerNetwork(devices, TOP_DEVICES_PER_NETWORK).map((d) => ({ ...d, name: MAC.test(d.device) ? source.deviceName(d.device) : null })),
  };
}

/** Each list's last update and whether it failed (unreadable, or its feed's last download). */
export function listFreshness(view: ListsView): ListFreshness[] {
  return view.lists.map((l) => {
    const problem = l.error ?? (l.feed?.lastOutcome === 'failed' ? `the last download failed (the last good copy is in service): ${l.feed.lastError ?? 'no reason given'}` : null);
    return { id: l.id, name: l.name, category: l.category, source: l.source.kind, entries: l.entries, updatedAt: l.updatedAt, failed: problem !== null, problem };
  });
}

/** The health summary: the status's own attention list (monitor/attention.ts) and the figures beside it. */
export function healthSummary(status: DaemonStatus): HealthSummary {
  return {
    uptimeSeconds: status.uptimeSeconds,
    upstreamsFailing: status.dns.upstreams.filter((u) => u.failing).map((u) => u.name),
    queryLogWriteErrors: status.queryLog.writeErrors,
    firewallError: status.firewall?.error ?? null,
    problems: status.attention ?? [],
  };
}

/**
 * The dashboard's change-control line for an account: how many requests wait for its approval
 * (`waitingForYou`, worked out from the rules) and how many approved ones wait to be applied.
 * Null for an account that does neither.
 */
export function changeCounts(changes: readonly Pick<ChangeSummary, 'status' | 'kind'>[], waitingForYou: readonly number[], may: { approve: boolean; apply: boolean }): DashboardView['changes'] {
  if (!may.approve && !may.apply) return null;
  return {
    toApprove: may.approve ? waitingForYou.length : null,
    // An investigation is applied on approval (a failed one is retried by safeguarding staff): never the IT provider's to apply.
    toApply: may.apply ? changes.filter((c) => c.status === 'approved' && c.kind !== 'investigation').length : null,
  };
}
