// `schoolgate changes` on a terminal: the requests as a table, one request with its words, every
// edit and its timeline, and the exceptions in force. Typed text is printed with control codes
// replaced (JSON-quoted in table cells), so nothing a person typed can disturb the terminal.
import { headScope } from '../control/changes/change-rules.ts';
import { STATUS_LABELS, type ChangeListView, type ChangeRequest, type ExceptionListView } from '../control/changes/change-schema.ts';
import { table } from './table.ts';

const when = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
// eslint-disable-next-line no-control-regex
const inert = (text: string): string => text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');

const STEP_WORDS: Readonly<Record<ChangeRequest['steps'][number]['kind'], string>> = {
  approved: 'approved', declined: 'declined', withdrawn: 'withdrawn', applied: 'applied here', 'sent-upstream': 'sent to the filtering provider', 'apply-failed': 'could not be applied',
};

function duration(seconds: number): string {
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 2 * 86_400) return `${Math.round(seconds / 360) / 10} h`;
  return `${Math.round(seconds / 8640) / 10} days`;
}

export function formatChangeList(view: ChangeListView): string {
  const warn = view.approvers < 2 ? `\nOnly ${view.approvers} account${view.approvers === 1 ? '' : 's'} may approve: a request needs two approvers other than the person who asked.\n` : '';
  if (view.changes.length === 0) return `No change requests.\n${warn}`;
  return `${table([
    ['#', 'status', 'asked', 'by', 'approvals', 'head needed', 'what'],
    ...view.changes.map((c) => [String(c.id), STATUS_LABELS[c.status], when(c.requestedAt), c.requestedBy, `${c.approvals}/2`, c.needsHead ? 'yes' : '-', JSON.stringify(c.title)]),
  ])}\n${warn}`;
}

export function formatChange(c: ChangeRequest): string {
  const out = [
    `Change request ${c.id}: ${STATUS_LABELS[c.status]}`,
    `  Asked by:         ${c.requestedBy}, ${when(c.requestedAt)}${c.fromAlert === null ? '' : ` (from alert ${c.fromAlert})`}`,
    '  What it changes:',
    ...c.summary.map((line) => `    - ${inert(line)}`),
  ];
  if (c.proposal.kind === 'config') {
    out.push(`  Edits (${c.proposal.action}, ${inert(c.proposal.subject)}):`);
    for (const e of c.proposal.edits) out.push(`    ${inert(e.path)}: ${JSON.stringify(e.before) ?? '(not set)'} → ${JSON.stringify(e.after) ?? '(removed)'}`);
  }
  out.push(`  Why:              ${inert(c.rationale)}`, `  Benefit and risk: ${inert(c.riskNote)}`);
  out.push(`  Approvals:        ${c.approvals.length} of 2${c.needsHead ? ` (${headScope(c.proposal).replace(/the approvers$/, 'them')})` : ''}`);
  if (c.decidedAt !== null) out.push(`  Decided:          ${when(c.decidedAt)}${c.decisionSeconds === null ? '' : `, ${duration(c.decisionSeconds)} after it was asked`}`);
  if (c.steps.length > 0) {
    out.push('', 'Timeline:');
    out.push(table([['#', 'when', 'by', 'step', 'note / reference'], ...c.steps.map((s) => [
      String(s.id), when(s.at), s.by, STEP_WORDS[s.kind], JSON.stringify([s.reference, s.note].filter((x) => x !== null).join(' · ')),
    ])]));
  }
  const next = c.status === 'awaiting-approval' ? 'Approvals are given in the web UI (Change requests) by two approvers other than the person who asked.'
    : c.status === 'approved' ? `Apply it with: schoolgate changes apply ${c.id}   or record it as sent upstream: schoolgate changes sent-upstream ${c.id} --reference REF`
      : undefined;
  if (next) out.push('', next);
  return `${out.join('\n')}\n`;
}

export function formatExceptions(view: ExceptionListView): string {
  if (view.exceptions.length === 0) return 'No exceptions in the configuration.\n';
  return `${table([
    ['id', 'action', 'name', 'where', 'until', 'asked by', 'request', 'why'],
    ...view.exceptions.map((e) => [
      e.id, e.action, e.domain, e.where, e.expires === null ? 'no end date' : `${when(e.expires)}${e.expired ? ' (EXPIRED)' : ''}`, JSON.stringify(e.requestedBy),
      e.changeRequest === null ? '-' : String(e.changeRequest), JSON.stringify(e.reason),
    ]),
  ])}\n`;
}
