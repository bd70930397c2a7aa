// One week's review page, from what the gateway already keeps: the week's alerts with every
// outcome recorded for them, the rollups' week and the 8 before it, bypass/tethering/P2P
// attempts, visitors and their sponsors, block-page reports, filtering changes from the audit
// log, and the review-due items. Reads only; the sources are handed in (state.db's repositories,
// the query log), so the CLI, the admin API and the benchmark build exactly the same page.
import type { NamedSignOff, ReviewAlert, ReviewListItem, ReviewPage, WeekTrend } from '../../admin/api/review-schema.ts';
import type { ReviewSettings } from '../../config/review-schema.ts';
import type { AuditLog } from '../../control/audit.ts';
import { guestLabel } from '../../portal/vouchers/guest-identity.ts';
import type { AlertRepository } from '../../state/alerts.ts';
import type { NetworkEventRepository } from '../../state/network-events.ts';
import type { ReviewRepository } from '../../state/reviews.ts';
import type { SiteReportRepository } from '../../state/site-reports.ts';
import type { VoucherRepository } from '../../state/vouchers.ts';
import type { AuditEntry } from '../../control/audit-chain.ts';
import type { QueryLog } from '../query-log/query-log.ts';
import { BLOCKED_VERDICTS, reviewWeek, weekOf } from './review-data.ts';
import type { SignOff } from './review-schema.ts';
import { dayIn, deadlineOf, mondayOf, weekToReview } from './review-schedule.ts';

/** The weeks of trend beside the reviewed one. */
export const TREND_WEEKS = 8;

export interface ReviewPageSources {
  reviews: Pick<ReviewRepository, 'outcomes' | 'signOffOf' | 'signOffs' | 'due' | 'alertIdsIn' | 'alertCounts' | 'withoutOutcome' | 'streak' | 'firstStart'>;
  alerts: Pick<AlertRepository, 'get'>;
  queryLog: Pick<QueryLog, 'rollupTotals' | 'rollups'>;
  networkEvents: Pick<NetworkEventRepository, 'between'>;
  siteReports: Pick<SiteReportRepository, 'reportsIn'>;
  vouchers: Pick<VoucherRepository, 'sessionsIn' | 'guestSessions'>;
  audit: Pick<AuditLog, 'list'>;
  timezone: string;
  settings?: ReviewSettings | undefined;
  now: () => Date;
  /** An account's display name by its username (absent, or an unknown username: no name). */
  displayName?: (username: string) => string | undefined;
}

/**
 * The sign-off with the people it names by name as well: the record keeps usernames (they do not
 * change), the headteacher reading the list knows people by their names.
 */
export function namedSignOff(signOff: SignOff, displayName: ReviewPageSources['displayName']): NamedSignOff {
  const name = (username: string | null): string | null => (username === null ? null : displayName?.(username) ?? null);
  const account = signOff.reviewedBy.startsWith('account:') ? signOff.reviewedBy.slice('account:'.length) : null;
  return { ...signOff, reviewedByName: name(account), onBehalfOfName: name(signOff.onBehalfOf) };
}

/** Audit actions that change what is filtered: the review lists them for the week. */
export function isFilteringChange(action: string): boolean {
  return /^(policy|schedules|groups|upstreams|network|lists|exceptions|aup|change|class)\./.test(action) || action === 'config.reload' || action === 'device.group';
}

const DAY_MS = 86_400_000;
const addDays = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const iso = (ms: number): string => new Date(ms).toISOString();

function filteringChanges(audit: ReviewPageSources['audit'], from: string, to: string): AuditEntry[] {
  const found: AuditEntry[] = [];
  // The audit log lists by sequence from a start time; a page of 1000 at a time until past the week.
  for (let after = 0; ;) {
    const page = audit.list({ since: from, after, limit: 1000 });
    for (const entry of page) if (entry.at < to && isFilteringChange(entry.action)) found.push(entry);
    if (page.length < 1000 || page[page.length - 1]!.at >= to) return found;
    after = page[page.length - 1]!.seq;
  }
}

async function trendOf(sources: ReviewPageSources, week: string): Promise<WeekTrend[]> {
  const first = addDays(week, -7 * TREND_WEEKS);
  const weeks = Array.from({ length: TREND_WEEKS + 1 }, (_, i) => addDays(first, 7 * i));
  const totals = await sources.queryLog.rollupTotals({ kind: 'days', from: first, to: addDays(week, 7), by: ['period', 'verdict'] });
  const spans = weeks.map((w) => weekOf(w, sources.timezone));
  const alerts = sources.reviews.alertCounts(spans.map((s) => ({ from: iso(s.fromMs), to: iso(s.toMs) })));
  const rows = weeks.map((w, i) => ({ week: w, questions: 0, blocked: 0, allowed: 0, alerts: alerts[i]! }));
  for (const t of totals) {
    const index = Math.floor((Date.parse(`${String(t.period)}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / (7 * DAY_MS));
    const row = rows[index];
    if (row === undefined) continue;
    row.questions += t.count;
    if (BLOCKED_VERDICTS.includes(String(t.verdict))) row.blocked += t.count;
    else row.allowed += t.count;
  }
  return rows;
}

function alertsOf(sources: ReviewPageSources, week: string, from: string, to: string): ReviewAlert[] {
  const outcomes = sources.reviews.outcomes(week);
  const byAlert = Map.groupBy(outcomes, (o) => o.alertId);
  const ids = sources.reviews.alertIdsIn(from, to);
  const shown = new Set(ids);
  const items: ReviewAlert[] = ids.map((id) => {
    const a = sources.alerts.get(id);
    return {
      id, kind: a.kind, severity: a.severity, subject: a.subject, reason: a.reason, firstAt: a.firstAt, lastAt: a.lastAt, count: a.count,
      networkId: a.networkId, device: a.deviceName ?? a.mac ?? a.address, outcomes: byAlert.get(id) ?? [], removed: false,
    };
  });
  // Alerts past retention: their outcomes still say what they were about.
  for (const [id, rows] of byAlert) {
    if (shown.has(id)) continue;
    const last = rows[rows.length - 1]!;
    items.push({
      id, kind: last.alertKind, severity: last.alertSeverity, subject: last.alertSubject, reason: '', firstAt: null, lastAt: null, count: 0,
      networkId: null, device: null, outcomes: rows, removed: true,
    });
  }
  return items;
}

/** The page of the week `day` falls in (default: the last whole week). */
export async function reviewPage(sources: ReviewPageSources, day?: string): Promise<ReviewPage> {
  const now = sources.now().getTime();
  const span = weekOf(day ?? weekToReview(now, sources.timezone), sources.timezone);
  const from = iso(span.fromMs);
  const to = iso(span.toMs);
  const [summary, trend] = await Promise.all([
    reviewWeek({ queryLog: sources.queryLog, timezone: sources.timezone, guestSessions: (mac) => sources.vouchers.guestSessions(mac) }, span.from),
    trendOf(sources, span.from),
  ]);
  const alerts = alertsOf(sources, span.from, from, to);
  const stored = sources.reviews.signOffOf(span.from);
  const signOff = stored ? namedSignOff(stored, sources.displayName) : null;
  const deadline = deadlineOf(span.from, sources.timezone, sources.settings);
  return {
    week: span,
    status: signOff ? 'signed-off' : 'open',
    signOff,
    deadline: iso(deadline),
    overdue: signOff === null && now >= deadline,
    ended: now >= span.toMs,
    alerts,
    withoutOutcome: alerts.filter((a) => !a.removed && a.outcomes.length === 0).length,
    summary,
    trend,
    attempts: sources.networkEvents.between(from, to, ['net.bypass', 'net.tethering', 'net.p2p']),
    visitors: sources.vouchers.sessionsIn(from, to).map((s) => ({ device: s.mac, networkId: s.networkId, from: s.from, until: s.until, who: guestLabel(s) })),
    reports: sources.siteReports.reportsIn(from, to),
    changes: filteringChanges(sources.audit, from, to),
    due: sources.reviews.due({ all: true, limit: 200 }).filter((d) => d.closedBy === null || d.closedBy === span.from),
  };
}

/**
 * The weeks to list, newest first: the last whole week and up to `weeks - 1` before it, none
 * before the week the gateway first ran (nothing was monitored then, so nothing is overdue).
 */
export function reviewList(sources: Pick<ReviewPageSources, 'reviews' | 'timezone' | 'settings' | 'now' | 'displayName'>, weeks = 12): { weeks: ReviewListItem[]; streak: number } {
  const now = sources.now().getTime();
  const last = weekToReview(now, sources.timezone);
  const started = sources.reviews.firstStart();
  const firstWeek = started === undefined ? '0000-01-03' : mondayOf(dayIn(Date.parse(started), sources.timezone));
  const signed = new Map(sources.reviews.signOffs({ from: addDays(last, -7 * (weeks - 1)) }).map((s) => [s.week, namedSignOff(s, sources.displayName)]));
  const items: ReviewListItem[] = [];
  for (let i = 0; i < weeks; i++) {
    const week = addDays(last, -7 * i);
    if (week < firstWeek && i > 0) break;
    const span = weekOf(week, sources.timezone);
    const ids = sources.reviews.alertIdsIn(iso(span.fromMs), iso(span.toMs));
    const signOff = signed.get(week) ?? null;
    const deadline = deadlineOf(week, sources.timezone, sources.settings);
    items.push({
      week, status: signOff ? 'signed-off' : 'open', signOff, deadline: iso(deadline), overdue: signOff === null && now >= deadline,
      alerts: ids.length, withoutOutcome: sources.reviews.withoutOutcome(ids).length,
    });
  }
  return { weeks: items, streak: sources.reviews.streak(last) };
}
