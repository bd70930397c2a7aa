// Exports of the records kept about one device, one visitor or everyone in a span of days: the
// alerts, network events, voucher sessions, block-page reports and the query log's totals, as CSV
// or JSON, sealed (export-seal.ts) with the audit chain's head and recorded in the audit log with
// the content's hash, so the file and the log vouch for each other. For the DSL answering the
// police, the local authority or the filtering provider; the governors get the anonymised report.
import { csvCell } from '../../cli/format-data.ts';
import type { AuditLog } from '../../control/audit.ts';
import { guestLabel, type GuestSession } from '../../portal/vouchers/guest-identity.ts';
import type { StateDatabase } from '../../state/database.ts';
import { normaliseMac } from '../../state/mac.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import type { Alert } from '../alerts/alert-schema.ts';
import type { QueryLog } from '../query-log/query-log.ts';
import { readSealHeader, sealExport, type AuditHeadAtExport } from './export-seal.ts';
import type { RecordsExportParams, SealedFile } from './report-schema.ts';
import type { ReportConfigView } from './sources.ts';
import { resolveSpan, schoolDay, type ResolvedSpan } from './report-span.ts';

export interface RecordsExportDeps {
  config: () => ReportConfigView;
  state: Pick<StateDatabase, 'alerts' | 'networkEvents' | 'siteReports' | 'vouchers' | 'devices' | 'audit'>;
  queryLog: Pick<QueryLog, 'rollupTotals'>;
  now: () => Date;
}

/** One line of the CSV: every kind of record in the same columns, `record` saying which. */
export interface ExportRow {
  record: 'alert' | 'network-event' | 'voucher-session' | 'site-report' | 'daily-total' | 'hourly-total';
  at: string;
  until: string;
  network: string;
  device: string;
  kind: string;
  detail: string;
  count: number;
}

export const EXPORT_COLUMNS = ['record', 'at', 'until', 'network', 'device', 'kind', 'detail', 'count'] as const;

const overlaps = (fromIso: string, untilIso: string, fromMs: number, toMs: number): boolean => Date.parse(fromIso) < toMs && Date.parse(untilIso) >= fromMs;
const within = (iso: string, fromMs: number, toMs: number): boolean => {
  const at = Date.parse(iso);
  return at >= fromMs && at < toMs;
};

/** The audit log's head now and whether its chain verifies: what the seal records. */
export function auditHeadNow(audit: Pick<AuditLog, 'verify' | 'count' | 'list'>): AuditHeadAtExport {
  const verdict = audit.verify();
  if (verdict.ok) return { seq: verdict.entries, hash: verdict.head, verified: true };
  // A broken chain is recorded as such; the newest row still names where the log stands.
  const count = audit.count();
  const last = count === 0 ? undefined : audit.list({ after: Math.max(0, count - 1), limit: 1 })[0];
  return { seq: last?.seq ?? count, hash: last?.hash ?? '0'.repeat(64), verified: false, brokenAt: verdict.brokenAt };
}

interface Gathered {
  alerts: Alert[];
  networkEvents: ReturnType<StateDatabase['networkEvents']['list']>;
  voucherSessions: (GuestSession & { visitorLabel: string })[];
  siteReports: ReturnType<StateDatabase['siteReports']['reports']>;
  totals: { kind: 'daily-total' | 'hourly-total'; period: string; until: string; network: string; device: string; category: string; verdict: string; count: number }[];
}

const labelled = (s: GuestSession): GuestSession & { visitorLabel: string } => ({ ...s, visitorLabel: guestLabel(s) });

async function gatherDevice(deps: RecordsExportDeps, mac: string, span: ResolvedSpan): Promise<Gathered> {
  const { state } = deps;
  const totals = await deps.queryLog.rollupTotals({ kind: 'days', from: span.from, to: span.toExcluded, by: ['period', 'network', 'category', 'verdict'], devices: [mac] });
  return {
    alerts: state.alerts.about(mac).filter((a) => overlaps(a.firstAt, a.lastAt, span.fromMs, span.toMs)),
    networkEvents: state.networkEvents.naming(mac).filter((e) => within(e.at, span.fromMs, span.toMs)),
    voucherSessions: state.vouchers.guestSessions(mac).filter((s) => overlaps(s.from, s.until, span.fromMs, span.toMs)).map(labelled),
    siteReports: state.siteReports.reports(100_000).filter((r) => r.mac === mac && within(r.at, span.fromMs, span.toMs)).reverse(),
    totals: totals.map((t) => ({
      kind: 'daily-total' as const, period: String(t.period), until: '', network: String(t.network), device: mac, category: String(t.category), verdict: String(t.verdict), count: t.count,
    })).sort((a, b) => a.period.localeCompare(b.period) || a.network.localeCompare(b.network) || a.category.localeCompare(b.category)),
  };
}

/** A visitor's records: each device they signed in, only while they had it signed in. */
async function gatherVisitor(deps: RecordsExportDeps, name: string, span: ResolvedSpan): Promise<Gathered> {
  const { state } = deps;
  const sessions = state.vouchers.sessionsOfVisitor(name).filter((s) => overlaps(s.from, s.until, span.fromMs, span.toMs));
  if (sessions.length === 0) throw new NotFoundError(`no visitor named ${JSON.stringify(name.trim())} signed a device in between ${span.from} and ${span.to}`);
  const out: Gathered = { alerts: [], networkEvents: [], voucherSessions: sessions.map(labelled), siteReports: [], totals: [] };
  const reports = state.siteReports.reports(100_000);
  for (const s of sessions) {
    const from = Math.max(Date.parse(s.from), span.fromMs);
    const to = Math.min(Date.parse(s.until) + 1, span.toMs);
    out.alerts.push(...state.alerts.about(s.mac).filter((a) => overlaps(a.firstAt, a.lastAt, from, to) && !out.alerts.some((b) => b.id === a.id)));
    out.networkEvents.push(...state.networkEvents.naming(s.mac).filter((e) => within(e.at, from, to)));
    out.siteReports.push(...reports.filter((r) => r.mac === s.mac && within(r.at, from, to)).reverse());
    // Hourly totals: a guest device's MAC may be someone else's on another day; the session's hours are the visitor's.
    const hourFrom = Math.floor(from / 3_600_000) * 3_600_000;
    const totals = await deps.queryLog.rollupTotals({ kind: 'hours', from: hourFrom, to, by: ['period', 'network', 'category', 'verdict'], devices: [s.mac] });
    out.totals.push(...totals.map((t) => ({
      kind: 'hourly-total' as const, period: new Date(Number(t.period)).toISOString(), until: new Date(Number(t.period) + 3_600_000).toISOString(),
      network: String(t.network), device: s.mac, category: String(t.category), verdict: String(t.verdict), count: t.count,
    })).sort((a, b) => a.period.localeCompare(b.period) || a.category.localeCompare(b.category)));
  }
  return out;
}

async function gatherRange(deps: RecordsExportDeps, span: ResolvedSpan): Promise<Gathered> {
  const { state } = deps;
  const since = new Date(span.fromMs);
  const totals = await deps.queryLog.rollupTotals({ kind: 'days', from: span.from, to: span.toExcluded, by: ['period', 'network', 'category', 'verdict'] });
  return {
    alerts: state.alerts.list({ all: true, since, limit: 10_000 }).filter((a) => Date.parse(a.firstAt) < span.toMs).reverse(),
    networkEvents: state.networkEvents.list({ since, limit: 100_000 }).filter((e) => Date.parse(e.at) < span.toMs).reverse(),
    voucherSessions: state.vouchers.sessionsBetween(since, new Date(span.toMs)).map(labelled),
    siteReports: state.siteReports.reports(100_000).filter((r) => within(r.at, span.fromMs, span.toMs)).reverse(),
    totals: totals.map((t) => ({
      kind: 'daily-total' as const, period: String(t.period), until: '', network: String(t.network), device: '', category: String(t.category), verdict: String(t.verdict), count: t.count,
    })).sort((a, b) => a.period.localeCompare(b.period) || a.network.localeCompare(b.network) || a.category.localeCompare(b.category)),
  };
}

export function exportRows(g: Gathered): ExportRow[] {
  return [
    ...g.alerts.map((a): ExportRow => ({
      record: 'alert', at: a.firstAt, until: a.lastAt, network: a.networkId ?? '', device: a.mac ?? a.address ?? '', kind: `${a.kind} (${a.severity})`,
      detail: [a.subject, a.reason, a.status === 'acknowledged' ? `acknowledged by ${a.acknowledgedBy ?? '?'}: ${a.note ?? ''}` : 'open'].join(' — '), count: a.count,
    })),
    ...g.networkEvents.map((e): ExportRow => ({
      record: 'network-event', at: e.at, until: '', network: e.networkId ?? '', device: e.mac ?? '', kind: e.kind, detail: JSON.stringify(e.details), count: 1,
    })),
    ...g.voucherSessions.map((s): ExportRow => ({
      record: 'voucher-session', at: s.from, until: s.until, network: s.networkId ?? '', device: s.mac, kind: 'guest sign-in', detail: s.visitorLabel, count: 1,
    })),
    ...g.siteReports.map((r): ExportRow => ({
      record: 'site-report', at: r.at, until: '', network: r.networkId, device: r.mac ?? r.address, kind: r.kind,
      detail: `${r.name ?? '(restricted list)'}${r.category ? ` [${r.category}]` : ''}${r.comment ? `: ${r.comment}` : ''} (${r.status})`, count: 1,
    })),
    ...g.totals.map((t): ExportRow => ({
      record: t.kind, at: t.period, until: t.until, network: t.network, device: t.device, kind: t.verdict, detail: t.category === '' ? '(no category)' : t.category, count: t.count,
    })),
  ];
}

export function rowsCsv(rows: readonly ExportRow[]): string {
  return `${[EXPORT_COLUMNS.join(','), ...rows.map((r) => EXPORT_COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\r\n')}\r\n`;
}

const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'x';

/** Gathers, renders, seals and records one export. The passphrase is used and forgotten. */
export async function exportRecords(deps: RecordsExportDeps, params: RecordsExportParams, actor: string): Promise<SealedFile> {
  const { site } = deps.config();
  const now = deps.now();
  const subject = params.subject;
  if (subject.kind === 'range' && (params.from === undefined || params.to === undefined)) {
    throw new InvalidInputError('an export of a date range needs both "from" and "to" (YYYY-MM-DD)');
  }
  // A device's or visitor's records are kept for the retention period at most: by default, all of them.
  const span = resolveSpan({ from: params.from ?? (subject.kind === 'range' ? undefined : '2000-01-01'), to: params.to ?? schoolDay(now, site.timezone) },
    now, site.timezone, { maxDays: 20_000 });
  let gathered: Gathered;
  let name: string;
  let key: string | null;
  if (subject.kind === 'device') {
    const mac = normaliseMac(subject.mac);
    gathered = await gatherDevice(deps, mac, span);
    name = `device-${mac.replaceAll(':', '-')}`;
    key = mac;
  } else if (subject.kind === 'visitor') {
    gathered = await gatherVisitor(deps, subject.name, span);
    name = `visitor-${slug(subject.name)}`;
    key = subject.name.trim();
  } else {
    gathered = await gatherRange(deps, span);
    name = 'records';
    key = null;
  }
  const rows = exportRows(gathered);
  const format = params.format ?? 'csv';
  const device = subject.kind === 'device' ? deps.state.devices.get(key!) ?? null : null;
  const body = format === 'csv'
    ? Buffer.from(rowsCsv(rows), 'utf8')
    : Buffer.from(`${JSON.stringify({
      site: site.name, subject, span: { from: span.from, to: span.to, timezone: span.timezone }, exportedAt: now.toISOString(), exportedBy: actor,
      ...(subject.kind === 'device' ? { device } : {}), ...gathered,
    }, null, 2)}\n`, 'utf8');
  const fileName = `${name}-${span.from}-to-${span.to}.${format}`;
  const auditHead = auditHeadNow(deps.state.audit);
  const sealed = sealExport({ fileName, mediaType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json', body },
    { auditHead, actor, at: now, passphrase: params.passphrase });
  const { contentSha256 } = readSealHeader(sealed.body).header;
  deps.state.audit.append({
    actor, action: 'report.export', subject: key ?? undefined,
    details: {
      kind: subject.kind, from: span.from, to: span.to, format, encrypted: params.passphrase !== undefined, fileName, contentSha256, sealedAtSeq: auditHead.seq,
      alerts: gathered.alerts.length, networkEvents: gathered.networkEvents.length, voucherSessions: gathered.voucherSessions.length,
      siteReports: gathered.siteReports.length, totals: gathered.totals.length,
    },
  });
  return { fileName: sealed.fileName, mediaType: sealed.mediaType, bodyBase64: sealed.body.toString('base64'), contentSha256, records: rows.length, encrypted: params.passphrase !== undefined };
}
