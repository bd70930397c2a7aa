// `schoolgate investigations` on a terminal: each investigation, its device, policy and window,
// who approved and ended it, and each saving of its evidence with the CSV's hash. Names people
// gave (a device's) are printed JSON-quoted, so a control code in one cannot disturb the terminal.
import { INVESTIGATION_STATUS_LABELS, type Investigation, type InvestigationListView } from '../monitor/investigations/investigation-schema.ts';
import { SENIOR_APPROVERS } from '../control/changes/change-rules.ts';
import { table } from './table.ts';

const when = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

const device = (i: Investigation): string => (i.deviceName ? `${i.device} ${JSON.stringify(i.deviceName)}` : i.device);

export function formatInvestigationList(view: InvestigationListView): string {
  if (view.investigations.length === 0) return `No investigations. One is asked for as a change request from an incident, and approved by ${SENIOR_APPROVERS}.\n`;
  const rows = table([
    ['id', 'incident', 'device', 'policy', 'from', 'until', 'status', 'evidence'],
    ...view.investigations.map((i) => [
      String(i.id), String(i.incidentId), device(i), i.policy, when(i.from), when(i.until), INVESTIGATION_STATUS_LABELS[i.status].toLowerCase(),
      i.evidence.length === 0 ? '-' : `${i.evidence.length} saved (last: ${i.evidence.at(-1)!.lookups} lookups)`,
    ]),
  ]);
  const live = view.investigations.some((i) => i.status === 'in-force')
    ? '\n\nEnd one early: schoolgate investigations end ID; save its evidence so far: schoolgate investigations save-evidence ID' : '';
  return `${rows}${live}\n`;
}

export function formatInvestigation(i: Investigation): string {
  const lines = [
    `Investigation ${i.id} (incident ${i.incidentId}): ${INVESTIGATION_STATUS_LABELS[i.status].toLowerCase()}`,
    `  device     ${device(i)}`,
    `  policy     ${i.policy} ${JSON.stringify(i.policyName)} (illegal-content lists still block)`,
    `  from       ${when(i.from)}`,
    `  until      ${when(i.until)}`,
    `  asked by   ${i.requestedBy}`,
    `  approved   ${i.approvedBy.join(', ')}`,
  ];
  if (i.endedAt !== null) lines.push(`  ended      ${when(i.endedAt)} by ${i.endedBy ?? 'system'}`);
  lines.push(i.evidence.length === 0 ? '  evidence   none saved yet' : '  evidence');
  for (const e of i.evidence) lines.push(`    ${when(e.at)}  incident attachment ${e.attachmentId}  ${e.lookups} lookups up to ${when(e.upTo)}  SHA-256 ${e.sha256}`);
  return `${lines.join('\n')}\n`;
}
