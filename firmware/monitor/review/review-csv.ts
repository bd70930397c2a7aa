// One week's review as CSV, for a spreadsheet or the school's records: one row per item, the
// section first (alert, outcome, trend, repeated device, attempt, visitor, report, change,
// review due, sign-off), so the file sorts and filters by section. Pure, from the page's data.
import type { ReviewPage } from '../../admin/api/review-schema.ts';
import { csvCell } from '../../cli/format-data.ts';
import { OUTCOME_TEXT } from './review-schema.ts';

const HEADER = ['section', 'time', 'what', 'device', 'network', 'count', 'outcome', 'note', 'by'] as const;
type CsvRow = Record<(typeof HEADER)[number], string | number | null>;

const row = (r: Partial<CsvRow> & { section: string }): CsvRow => ({ time: null, what: null, device: null, network: null, count: null, outcome: null, note: null, by: null, ...r });

export function reviewCsv(page: ReviewPage): string {
  const rows: CsvRow[] = [];
  for (const a of page.alerts) {
    rows.push(row({ section: 'alert', time: a.firstAt, what: `${a.kind} (${a.severity}): ${a.subject}`, device: a.device, network: a.networkId, count: a.count }));
    for (const o of a.outcomes) {
      rows.push(row({
        section: o.latest ? 'outcome' : 'outcome (corrected)', time: o.at, what: `alert ${a.id}`,
        outcome: `${OUTCOME_TEXT[o.outcome]}${o.proposed ? ` (${o.proposed.action} ${o.proposed.name})` : ''}`, note: o.note, by: o.by,
      }));
    }
  }
  for (const t of page.trend) rows.push(row({ section: 'trend', time: t.week, what: `questions ${t.questions}, blocked ${t.blocked}, allowed ${t.allowed}`, count: t.alerts }));
  for (const d of page.summary.repeatedBlocks) {
    rows.push(row({ section: 'repeated device', what: d.categories.map((c) => `${c.category} ${c.count}`).join('; '), device: d.device, count: d.count, note: d.visitors?.join('; ') ?? null }));
  }
  for (const e of page.attempts) rows.push(row({ section: 'attempt', time: e.at, what: e.kind, device: e.mac, network: e.networkId, note: JSON.stringify(e.details) }));
  for (const v of page.visitors) rows.push(row({ section: 'visitor', time: v.from, what: v.who, device: v.device, network: v.networkId, note: `until ${v.until}` }));
  for (const r of page.reports) rows.push(row({ section: 'block-page report', time: r.at, what: `${r.kind}: ${r.name ?? '(a restricted entry)'}`, device: r.mac ?? r.address, network: r.networkId, note: r.comment }));
  for (const c of page.changes) rows.push(row({ section: 'filtering change', time: c.at, what: `${c.action}${c.subject ? ` ${c.subject}` : ''}`, by: c.actor }));
  for (const d of page.due) rows.push(row({ section: 'review due', time: d.at, what: d.reason, note: d.detail, outcome: d.closedBy ? `closed by the review of ${d.closedBy}` : 'open' }));
  if (page.signOff) {
    rows.push(row({ section: 'sign-off', time: page.signOff.at, what: `week of ${page.week.from}`, by: page.signOff.reviewedBy, outcome: page.signOff.onBehalfOf ? `on behalf of ${page.signOff.onBehalfOf}` : null, note: page.signOff.summary, count: page.signOff.alerts }));
  }
  return `${[HEADER.join(','), ...rows.map((r) => HEADER.map((h) => csvCell(r[h])).join(','))].join('\r\n')}\r\n`;
}
