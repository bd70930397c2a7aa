// The incident log in state.db: an incident row (how it was opened, unique per alert) and its
// timeline, append-only (migration 15's triggers refuse any update or delete). Every entry's body
// is checked against its kind's schema and against the timeline so far (monitor/incidents/
// incident-fold.ts) before it is written, in one transaction, so bad input changes nothing.
// The read methods at the end are what the governors' reports and the annual pack count.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import {
  anonymise, foldIncident, IncidentStateError, listOrder, openTasksOf, refusal, summaryOf, type IncidentHeader,
} from '../monitor/incidents/incident-fold.ts';
import {
  BODY_OF, INCIDENT_OUTCOMES, type AnonymisedIncident, type EntryBodies, type EntryKind, type Incident, type IncidentEntry, type IncidentOutcome,
  type IncidentStatus, type IncidentSummary, type IncidentTask,
} from '../monitor/incidents/incident-schema.ts';
import { atomically, checkValue, InvalidInputError, isoInstant, NotFoundError } from './values.ts';

export { IncidentStateError };

type Row = Record<string, SQLOutputValue>;

export interface NewIncident {
  source: IncidentHeader['source'];
  alertId?: number;
  reportId?: number;
  opened: EntryBodies['opened'];
}

export interface IncidentRange {
  /** Incidents that happened at or after this instant… */
  from: Date;
  /** …and before this one. */
  to: Date;
}

const toHeader = (r: Row): IncidentHeader => ({
  id: Number(r.id), openedAt: String(r.opened_at), openedBy: String(r.opened_by), source: String(r.source) as IncidentHeader['source'],
  alertId: r.alert_id === null ? null : Number(r.alert_id), reportId: r.report_id === null ? null : Number(r.report_id),
});

const toEntry = (r: Row): IncidentEntry => ({
  id: Number(r.id), incidentId: Number(r.incident_id), at: String(r.at), by: String(r.by), kind: String(r.kind) as EntryKind,
  body: JSON.parse(String(r.body)) as Record<string, unknown>, correctedBy: [],
});

function checkBy(by: string): void {
  if (by.trim() === '' || by.length > 200) throw new InvalidInputError('who recorded it must be 1 to 200 characters');
}

export class IncidentRepository {
  readonly #db: DatabaseSync;
  readonly #insertIncident: StatementSync;
  readonly #insertEntry: StatementSync;
  readonly #header: StatementSync;
  readonly #entries: StatementSync;
  readonly #byAlert: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insertIncident = db.prepare('INSERT INTO incidents (opened_at, opened_by, source, alert_id, report_id) VALUES (?, ?, ?, ?, ?) RETURNING id');
    this.#insertEntry = db.prepare('INSERT INTO incident_entries (incident_id, at, by, kind, body) VALUES (?, ?, ?, ?, ?) RETURNING id');
    this.#header = db.prepare('SELECT * FROM incidents WHERE id = ?');
    this.#entries = db.prepare('SELECT * FROM incident_entries WHERE incident_id = ? ORDER BY id');
    this.#byAlert = db.prepare('SELECT id FROM incidents WHERE alert_id = ?');
  }

  /**
   * Opens an incident with its first entry. An alert already linked to an incident opens nothing:
   * that incident is returned with created false (one incident per alert).
   */
  open(incident: NewIncident, by: string, at: Date): { incident: Incident; created: boolean } {
    checkBy(by);
    checkValue(BODY_OF.opened, incident.opened, 'incident');
    if (incident.source === 'alert' && incident.alertId === undefined) throw new InvalidInputError('an incident opened from an alert names the alert');
    if (incident.source === 'report' && incident.reportId === undefined) throw new InvalidInputError('an incident opened from a report names the report');
    const when = isoInstant(at, 'opening time');
    return atomically(this.#db, () => {
      if (incident.alertId !== undefined) {
        const existing = this.#byAlert.get(incident.alertId);
        if (existing !== undefined) return { incident: this.get(Number(existing.id)), created: false };
      }
      const row = this.#insertIncident.get(when, by, incident.source, incident.alertId ?? null, incident.reportId ?? null);
      const id = Number(row?.id);
      this.#insertEntry.run(id, when, by, 'opened', JSON.stringify(incident.opened));
      return { incident: this.get(id), created: true };
    });
  }

  /**
   * Appends one entry to an incident's timeline: checked against its kind's shape and against the
   * incident as it stands (IncidentStateError when the log's rules refuse it). Returns the incident.
   */
  append<K extends Exclude<EntryKind, 'opened'>>(id: number, kind: K, entry: EntryBodies[K], by: string, at: Date): Incident {
    checkBy(by);
    const schema = BODY_OF[kind] as (typeof BODY_OF)[EntryKind] | undefined;
    if (schema === undefined) throw new InvalidInputError(`"${kind}" is not a kind of incident entry`);
    checkValue(schema, entry, `incident ${kind}`);
    const when = isoInstant(at, 'entry time');
    return atomically(this.#db, () => {
      const incident = this.get(id);
      const refused = refusal(incident, kind, entry);
      if (refused !== undefined) throw new IncidentStateError(refused);
      this.#insertEntry.run(id, when, by, kind, JSON.stringify(entry));
      return this.get(id);
    });
  }

  get(id: number): Incident {
    const header = this.#header.get(id);
    if (header === undefined) throw new NotFoundError(`there is no incident ${id}`);
    return foldIncident(toHeader(header), this.#entries.all(id).map(toEntry));
  }

  /** The incident an alert opened, if any. */
  byAlert(alertId: number): Incident | undefined {
    const row = this.#byAlert.get(alertId);
    return row === undefined ? undefined : this.get(Number(row.id));
  }

  /** Every incident folded, oldest first: a school's log is hundreds, not millions. */
  #all(): Incident[] {
    const entries = new Map<number, IncidentEntry[]>();
    for (const row of this.#db.prepare('SELECT * FROM incident_entries ORDER BY id').all()) {
      const entry = toEntry(row);
      entries.set(entry.incidentId, [...(entries.get(entry.incidentId) ?? []), entry]);
    }
    return this.#db.prepare('SELECT * FROM incidents ORDER BY id').all().map(toHeader).map((h) => foldIncident(h, entries.get(h.id) ?? []));
  }

  /** The list's lines: open ones first, then newest first; only one status when asked. */
  list(filter: { status?: IncidentStatus; limit?: number } = {}): IncidentSummary[] {
    const limit = Math.max(1, Math.min(filter.limit ?? 1000, 10_000));
    return this.#all().map(summaryOf).filter((s) => filter.status === undefined || s.status === filter.status).sort(listOrder).slice(0, limit);
  }

  /** Incidents not yet signed off, oldest first. */
  openIncidents(): Incident[] {
    return this.#all().filter((i) => i.status === 'open');
  }

  /** Incidents that happened in [from, to), oldest first. */
  inRange(range: IncidentRange): Incident[] {
    const from = isoInstant(range.from, 'range start');
    const to = isoInstant(range.to, 'range end');
    return this.#all().filter((i) => i.occurredAt >= from && i.occurredAt < to);
  }

  /** How the incidents that happened in the range ended; 'none' counts those with no outcome yet. */
  countsByOutcome(range: IncidentRange): Record<IncidentOutcome | 'none', number> {
    const counts = Object.fromEntries([...INCIDENT_OUTCOMES, 'none'].map((o) => [o, 0])) as Record<IncidentOutcome | 'none', number>;
    for (const incident of this.inRange(range)) counts[incident.outcome?.outcome ?? 'none']++;
    return counts;
  }

  /** The range's incidents with no name, device, account or typed text (governors, the annual pack). */
  anonymised(range: IncidentRange): AnonymisedIncident[] {
    return this.inRange(range).map(anonymise);
  }

  /** Tasks for the IT provider not yet marked done, oldest first. */
  openTasks(): IncidentTask[] {
    return this.openIncidents().flatMap(openTasksOf);
  }

  count(): number {
    return Number(this.#db.prepare('SELECT count(*) AS n FROM incidents').get()?.n);
  }
}
