// The incident log's rules, pure: an incident's timeline folded into the paper log's fields, the
// shorter shapes (list line, IT task, anonymised) read from that, and what a new entry may be
// given the timeline so far. The store (state/incidents.ts) runs the check inside the transaction
// that appends, so two people acting at once cannot both close the same task or sign off twice.
import type {
  AnonymisedIncident, EntryBodies, EntryKind, Incident, IncidentAction, IncidentEntry, IncidentSource, IncidentSummary, IncidentTask, LinkedAlert,
} from './incident-schema.ts';

export interface IncidentHeader {
  id: number;
  openedAt: string;
  openedBy: string;
  source: IncidentSource;
  alertId: number | null;
  reportId: number | null;
}

export class IncidentStateError extends Error {
  override name = 'IncidentStateError';
}

const body = <K extends EntryKind>(entry: IncidentEntry, _kind: K): EntryBodies[K] => entry.body as EntryBodies[K];

/** The paper log's view of one incident. Entries arrive oldest first; the first is 'opened'. */
export function foldIncident(header: IncidentHeader, entries: readonly IncidentEntry[]): Incident {
  const first = entries[0];
  if (first === undefined || first.kind !== 'opened') throw new Error(`incident ${header.id} has no opening entry`);
  const opened = body(first, 'opened');
  const correctedBy = new Map<number, number[]>();
  for (const entry of entries) {
    if (entry.kind !== 'correction') continue;
    const target = body(entry, 'correction').corrects;
    correctedBy.set(target, [...(correctedBy.get(target) ?? []), entry.id]);
  }
  const timeline = entries.map((entry) => ({ ...entry, correctedBy: correctedBy.get(entry.id) ?? [] }));
  const actions: IncidentAction[] = [];
  const incident: Incident = {
    ...header,
    status: 'open',
    occurredAt: opened.occurredAt,
    what: opened.what,
    people: opened.people,
    reportedBy: opened.reportedBy,
    alert: opened.alert ?? null,
    report: opened.report ?? null,
    notes: [],
    actions,
    attachments: [],
    outcome: null,
    signOff: null,
    openTasks: 0,
    timeline,
  };
  for (const entry of entries) {
    const meta = { entry: entry.id, at: entry.at, by: entry.by };
    switch (entry.kind) {
      case 'note': incident.notes.push({ ...meta, text: body(entry, 'note').text }); break;
      case 'action': {
        const action = body(entry, 'action');
        actions.push({ entry: entry.id, ...action, recordedBy: entry.by, task: action.itProvider ? { status: 'open', doneAt: null, doneBy: null, note: null } : null });
        break;
      }
      case 'task-done': {
        const done = body(entry, 'task-done');
        const action = actions.find((a) => a.entry === done.action);
        if (action?.task) action.task = { status: 'done', doneAt: entry.at, doneBy: entry.by, note: done.note };
        break;
      }
      case 'attachment': incident.attachments.push({ ...meta, ...body(entry, 'attachment') }); break;
      // A later outcome replaces an earlier one in the log's field; both stay on the timeline.
      case 'outcome': incident.outcome = { ...meta, ...body(entry, 'outcome') }; break;
      case 'sign-off': incident.signOff = { ...meta, note: body(entry, 'sign-off').note }; incident.status = 'closed'; break;
      default: break;
    }
  }
  incident.openTasks = actions.filter((a) => a.task?.status === 'open').length;
  return incident;
}

/** Why `kind` cannot be appended to this incident now, or undefined when it can. */
export function refusal<K extends EntryKind>(incident: Incident, kind: K, entry: EntryBodies[K]): string | undefined {
  if (kind === 'opened') return 'an incident is opened once';
  if (kind === 'correction') {
    const target = (entry as EntryBodies['correction']).corrects;
    const found = incident.timeline.find((e) => e.id === target);
    if (!found) return `incident ${incident.id} has no entry ${target} to correct`;
    return undefined;
  }
  // A signed-off incident is the school's record as signed: a mistake in it is corrected, not added to.
  if (incident.status === 'closed') return `incident ${incident.id} was signed off by ${incident.signOff?.by} at ${incident.signOff?.at}; only a correction can be added now`;
  if (kind === 'task-done') {
    const action = incident.actions.find((a) => a.entry === (entry as EntryBodies['task-done']).action);
    if (!action) return `incident ${incident.id} has no action ${(entry as EntryBodies['task-done']).action}`;
    if (!action.task) return `action ${action.entry} is not a task for the IT provider`;
    if (action.task.status === 'done') return `action ${action.entry} was already marked done by ${action.task.doneBy} at ${action.task.doneAt}`;
  }
  if (kind === 'sign-off') {
    if (!incident.outcome) return 'record the outcome before signing off';
    if (incident.openTasks > 0) return `${incident.openTasks} task${incident.openTasks === 1 ? '' : 's'} for the IT provider still open: they are marked done before sign-off`;
  }
  return undefined;
}

export function summaryOf(incident: Incident): IncidentSummary {
  return {
    id: incident.id, openedAt: incident.openedAt, occurredAt: incident.occurredAt, source: incident.source, alertId: incident.alertId, status: incident.status,
    what: incident.what.split('\n', 1)[0]!.slice(0, 200), reportedBy: incident.reportedBy, outcome: incident.outcome?.outcome ?? null,
    openTasks: incident.openTasks, signedOffAt: incident.signOff?.at ?? null,
  };
}

export function openTasksOf(incident: Incident): IncidentTask[] {
  return incident.actions.filter((a) => a.task?.status === 'open')
    .map((a) => ({ incidentId: incident.id, action: a.entry, what: a.what, by: a.by, at: a.at, recordedBy: a.recordedBy }));
}

export function anonymise(incident: Incident): AnonymisedIncident {
  return {
    id: incident.id, occurredAt: incident.occurredAt, openedAt: incident.openedAt, source: incident.source,
    alertKind: incident.alert?.kind ?? null, category: incident.alert?.category ?? incident.report?.category ?? null,
    status: incident.status, outcome: incident.outcome?.outcome ?? null,
    actions: incident.actions.length, itTasks: incident.actions.filter((a) => a.task !== null).length, openTasks: incident.openTasks,
    signedOffAt: incident.signOff?.at ?? null,
  };
}

/** The list's order: open incidents first, then newest first. */
export function listOrder(a: IncidentSummary, b: IncidentSummary): number {
  if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
  return b.openedAt.localeCompare(a.openedAt) || b.id - a.id;
}

/** Whether an alert opens an incident by itself: restricted lists and the upstream provider's blocks. */
export function opensIncident(alert: { kind: string; severity: string }): boolean {
  return alert.kind === 'dns.restricted' && alert.severity === 'critical';
}

/** The alert's facts an incident keeps, whatever retention later does to the alert. */
export function linkedAlert(alert: {
  id: number; kind: string; severity: string; firstAt: string; lastAt: string; count: number; networkId: string | null; mac: string | null;
  address: string | null; deviceName: string | null; subject: string; reason: string; category: string | null;
}): LinkedAlert {
  return {
    id: alert.id, kind: alert.kind, severity: alert.severity, firstAt: alert.firstAt, lastAt: alert.lastAt, count: alert.count,
    networkId: alert.networkId, device: alert.deviceName ?? alert.mac ?? alert.address, mac: alert.mac,
    subject: alert.subject, reason: alert.reason, category: alert.category,
  };
}
