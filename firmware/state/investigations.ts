// Investigations' record in state.db: one append-only table of facts per investigation (migration
// 18's triggers refuse any update or delete), folded by monitor/investigations/investigation-fold.ts.
// A fact that contradicts the record (a second start, an end after the end, evidence for an
// investigation that never started) is refused here, in the transaction that would write it.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import {
  foldInvestigation, listOrder, type EndedBody, type EvidenceBody, type FoldNames, type InvestigationEvent, type InvestigationEventKind, type StartedBody,
} from '../monitor/investigations/investigation-fold.ts';
import type { Investigation } from '../monitor/investigations/investigation-schema.ts';
import { atomically, InvalidInputError, isoInstant, NotFoundError } from './values.ts';

type Row = Record<string, SQLOutputValue>;

/** A fact the record refuses (HTTP 409, CLI exit 1). */
export class InvestigationStateError extends Error {
  override name = 'InvestigationStateError';
}

const toEvent = (r: Row): InvestigationEvent => ({
  id: Number(r.id), investigationId: Number(r.investigation_id), kind: String(r.kind) as InvestigationEventKind, at: String(r.at), by: String(r.by),
  body: JSON.parse(String(r.body)) as Record<string, unknown>,
});

type BodyOf = { started: StartedBody; ended: EndedBody; expired: Record<string, never>; evidence: EvidenceBody };

export class InvestigationRepository {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #events: StatementSync;
  readonly #all: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO investigation_events (investigation_id, kind, at, by, body) VALUES (?, ?, ?, ?, ?)');
    this.#events = db.prepare('SELECT * FROM investigation_events WHERE investigation_id = ? ORDER BY id');
    this.#all = db.prepare('SELECT * FROM investigation_events ORDER BY investigation_id, id');
  }

  /** Records one fact, checked against the investigation's record so far. */
  record<K extends InvestigationEventKind>(id: number, kind: K, body: BodyOf[K], by: string, at: Date): void {
    if (by.trim() === '' || by.length > 200) throw new InvalidInputError('who recorded it must be 1 to 200 characters');
    const when = isoInstant(at, 'time');
    atomically(this.#db, () => {
      const events = this.events(id);
      const started = events.some((e) => e.kind === 'started');
      const ended = events.find((e) => e.kind === 'ended' || e.kind === 'expired');
      if (kind === 'started' && started) throw new InvestigationStateError(`investigation ${id} has already started`);
      if (kind !== 'started' && !started) throw new NotFoundError(`there is no investigation ${id}`);
      if ((kind === 'ended' || kind === 'expired') && ended) throw new InvestigationStateError(`investigation ${id} has already ${ended.kind === 'ended' ? 'been ended' : 'expired'} (${ended.at})`);
      this.#insert.run(id, kind, when, by, JSON.stringify(body));
    });
  }

  events(id: number): InvestigationEvent[] {
    return this.#events.all(id).map(toEvent);
  }

  get(id: number, now: Date, names: FoldNames): Investigation {
    const view = foldInvestigation(this.events(id), now, names);
    if (view === undefined) throw new NotFoundError(`there is no investigation ${id}`);
    return view;
  }

  list(now: Date, names: FoldNames, filter: { incidentId?: number; status?: Investigation['status'] } = {}): Investigation[] {
    const byId = new Map<number, InvestigationEvent[]>();
    for (const e of this.#all.all().map(toEvent)) {
      let list = byId.get(e.investigationId);
      if (!list) byId.set(e.investigationId, list = []);
      list.push(e);
    }
    const out: Investigation[] = [];
    for (const events of byId.values()) {
      const view = foldInvestigation(events, now, names);
      if (view === undefined) continue;
      if (filter.incidentId !== undefined && view.incidentId !== filter.incidentId) continue;
      if (filter.status !== undefined && view.status !== filter.status) continue;
      out.push(view);
    }
    return out.sort(listOrder);
  }
}
