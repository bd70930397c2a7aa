// `schoolgate incidents` on a terminal: the log as a table, one incident laid out like the paper
// log with its timeline, the IT provider's open tasks. Typed text is printed JSON-quoted where it
// sits in a table cell, so a line break or a control code in it cannot disturb the terminal.
import { entryText } from '../monitor/incidents/incident-export.ts';
import { OUTCOME_LABELS, type Incident, type IncidentSummary, type IncidentTask } from '../monitor/incidents/incident-schema.ts';
import { table } from './table.ts';

const when = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
// eslint-disable-next-line no-control-regex
const inert = (text: string): string => text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');

export function formatIncidentList(incidents: readonly IncidentSummary[]): string {
  if (incidents.length === 0) return 'No incidents recorded.\n';
  return `${table([
    ['#', 'status', 'happened', 'source', 'outcome', 'IT tasks open', 'reported by', 'what happened'],
    ...incidents.map((i) => [String(i.id), i.status, when(i.occurredAt), i.source, i.outcome ?? '-', String(i.openTasks), JSON.stringify(i.reportedBy), JSON.stringify(i.what)]),
  ])}\n`;
}

export function formatIncident(i: Incident): string {
  const out = [
    `Incident ${i.id} (${i.status === 'closed' ? 'closed: signed off' : 'open'})`,
    `  Date and time:    ${when(i.occurredAt)}`,
    `  What happened:    ${inert(i.what)}`,
    `  People involved:  ${i.people ? inert(i.people) : '(none named)'}`,
    `  Reported by:      ${inert(i.reportedBy)}`,
    `  Opened:           ${when(i.openedAt)} by ${i.openedBy} (${i.source === 'hand' ? 'by hand' : `from ${i.source}`})`,
  ];
  if (i.alert) out.push(`  Linked alert:     ${i.alert.id}, ${i.alert.severity} ${i.alert.kind}, device ${i.alert.device ?? '-'}, network ${i.alert.networkId ?? '-'}`);
  if (i.report) out.push(`  Linked report:    ${i.report.id}, ${JSON.stringify(i.report.name ?? '(restricted list)')} ${i.report.kind}`);
  out.push(`  Outcome:          ${i.outcome ? `${OUTCOME_LABELS[i.outcome.outcome]}${i.outcome.note ? ` (${inert(i.outcome.note)})` : ''}` : '(not yet recorded)'}`);
  out.push(`  Sign-off:         ${i.signOff ? `${i.signOff.by}, ${when(i.signOff.at)}` : '(not signed off)'}`);
  if (i.actions.length > 0) {
    out.push('', 'Actions:');
    out.push(table([['#', 'when', 'by whom', 'IT provider', 'what'], ...i.actions.map((a) => [
      String(a.entry), when(a.at), JSON.stringify(a.by), a.task === null ? '-' : a.task.status === 'done' ? `done by ${a.task.doneBy}` : 'OPEN', JSON.stringify(a.what),
    ])]));
  }
  if (i.attachments.length > 0) {
    out.push('', 'Attachments:');
    out.push(table([['#', 'file', 'bytes', 'sha256', 'description'], ...i.attachments.map((a) => [String(a.entry), JSON.stringify(a.fileName), String(a.bytes), a.sha256, JSON.stringify(a.description)])]));
  }
  out.push('', 'Timeline (every entry, oldest first; a correction is a later entry):');
  out.push(table([['#', 'when', 'who', 'entry'], ...i.timeline.map((e) => [
    String(e.id), when(e.at), e.by, `${JSON.stringify(entryText(i, e))}${e.correctedBy.length ? ` (corrected by ${e.correctedBy.join(', ')})` : ''}`,
  ])]));
  return `${out.join('\n')}\n`;
}

export function formatTasks(tasks: readonly IncidentTask[]): string {
  if (tasks.length === 0) return 'No open tasks for the IT provider.\n';
  return `${table([['incident', 'action', 'since', 'for', 'what'], ...tasks.map((t) => [String(t.incidentId), String(t.action), when(t.at), JSON.stringify(t.by), JSON.stringify(t.what)])])}\n`;
}
