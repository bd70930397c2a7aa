// What `schoolgate data` prints: a summary of an export or an erasure, and the CSV of an export's
// DNS questions (a spreadsheet is how a school reads them).
import type { EraseResult, SubjectExport } from '../monitor/subject/subject-schema.ts';
import { inert } from './format-alerts.ts';

/** How many records of each kind an export holds. */
export function formatExportSummary(doc: SubjectExport, where: string): string {
  const lines = [
    `Subject access export for ${doc.subject.kind === 'device' ? 'device' : 'address'} ${doc.subject.value}${doc.since ? ` since ${doc.since}` : ''}, written to ${where}:`,
    `  device record      ${doc.device ? `yes${doc.device.name ? ` ("${doc.device.name}")` : ''}` : 'none'}`,
    `  DHCP leases        ${doc.leases.length}`,
    `  network events     ${doc.networkEvents.length}`,
    `  DNS questions      ${doc.queryEvents.length}`,
    ...doc.guestVisits.map((v) => `  on guest           ${v.from} to ${v.until}: ${inert(v.visitor)}`),
    `  hourly counts      ${doc.hourlyRollups.length} rows`,
    `  daily counts       ${doc.dailyRollups.length} rows`,
    `  alerts             ${doc.alerts.length}`,
    `  audit log entries  ${doc.auditEntries.length}`,
    'The export is recorded in the audit log (who, which subject, how many records; not the content).',
  ];
  return `${lines.join('\n')}\n`;
}

export function formatErased(subject: string, result: EraseResult): string {
  const { erased } = result;
  const kinds = Object.entries(erased.networkEvents).map(([kind, n]) => `${kind} ${n}`).join(', ');
  return `${[
    `Erased the records of ${subject}:`,
    `  device record      ${erased.device ? 'deleted' : 'none was kept'}`,
    `  DHCP leases        ${erased.leases}`,
    `  network events     ${Object.values(erased.networkEvents).reduce((a, b) => a + b, 0)}${kinds ? ` (${kinds})` : ''}`,
    `  DNS questions      ${erased.queryEvents}`,
    `  hourly counts      ${erased.hourlyRollups} rows`,
    `  daily counts       ${erased.dailyRollups} rows`,
    `  alerts             ${erased.alerts}`,
    `Recorded in the audit log as entry ${result.auditSeq} (counts and reason only). A device still on the network is recorded again from now on.`,
  ].join('\n')}\n`;
}

/**
 * One cell: quoted when it holds a comma, quote or line break, and a leading = + - @ made inert
 * (a spreadsheet would run it as a formula: the names come from whoever asked the question).
 */
export function csvCell(value: string | number | boolean | undefined | null): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const CSV_COLUMNS = ['time', 'network', 'client', 'device', 'name', 'qtype', 'verdict', 'category', 'list', 'watch', 'visitor'] as const;

export function queryEventsCsv(events: SubjectExport['queryEvents']): string {
  const rows = events.map((e) => [
    new Date(e.at).toISOString(), e.network, e.client, e.device, e.name, e.qtype, e.verdict, e.category, e.list, e.watch ? 'yes' : '', e.visitor,
  ].map(csvCell).join(','));
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
