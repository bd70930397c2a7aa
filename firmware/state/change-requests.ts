// Change requests in state.db: the request row (what, why, by whom, its words) and its steps,
// append-only (migration 17's triggers refuse any update or delete). Every request is checked
// against the schema before it is written, and every step against the request as it stands
// (control/changes/change-rules.ts) inside the transaction that appends it, so two approvers
// clicking at once cannot both give the second approval, and bad input changes nothing.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import { foldChange, listOrder, summaryOf, type ChangeHeader, type StoredStep } from '../control/changes/change-fold.ts';
import { ChangeStateError, stepRefusal, type NewStep } from '../control/changes/change-rules.ts';
import {
  ChangeRequestFields, NOTE_MAX, REFERENCE_MAX, type ChangeRequest, type ChangeStatus, type ChangeSummary, type Proposal, type StepKind,
} from '../control/changes/change-schema.ts';
import { atomically, checkValue, InvalidInputError, isoInstant, NotFoundError } from './values.ts';

type Row = Record<string, SQLOutputValue>;

export interface NewChangeRequest {
  fields: ChangeRequestFields;
  /** The title and summary lines (change-words.ts), from the configuration now. */
  title: string;
  summary: string[];
  needsHead: boolean;
  requestedByHead: boolean;
}

/** A request with what the rules need besides its folded view. */
export interface StoredChange {
  change: ChangeRequest;
  header: ChangeHeader;
}

function toHeader(r: Row): ChangeHeader {
  const words = JSON.parse(String(r.summary)) as { title: string; lines: string[] };
  return {
    id: Number(r.id), proposal: JSON.parse(String(r.proposal)) as Proposal, summary: words.lines, title: words.title,
    rationale: String(r.rationale), riskNote: String(r.risk_note), fromAlert: r.from_alert === null ? null : Number(r.from_alert),
    requestedBy: String(r.requested_by), requestedAt: String(r.requested_at), needsHead: Number(r.needs_head) === 1, requestedByHead: Number(r.requested_by_head) === 1,
  };
}

const toStep = (r: Row): StoredStep & { requestId: number } => ({
  id: Number(r.id), requestId: Number(r.request_id), kind: String(r.kind) as StepKind, by: String(r.by), at: String(r.at),
  note: r.note === null ? null : String(r.note), reference: r.reference === null ? null : String(r.reference), head: Number(r.head) === 1,
});

function checkBy(by: string): void {
  if (by.trim() === '' || by.length > 200) throw new InvalidInputError('who took the step must be 1 to 200 characters');
}

const optional = (text: string | undefined): string | null => {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? null : trimmed;
};

export class ChangeRequestRepository {
  readonly #db: DatabaseSync;
  readonly #insertRequest: StatementSync;
  readonly #insertStep: StatementSync;
  readonly #header: StatementSync;
  readonly #steps: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insertRequest = db.prepare(`INSERT INTO change_requests (proposal, summary, rationale, risk_note, from_alert, requested_by, requested_at, needs_head, requested_by_head)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`);
    this.#insertStep = db.prepare('INSERT INTO change_steps (request_id, kind, by, at, note, reference, head) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#header = db.prepare('SELECT * FROM change_requests WHERE id = ?');
    this.#steps = db.prepare('SELECT * FROM change_steps WHERE request_id = ? ORDER BY id');
  }

  /** Records a new request (awaiting approval); returns it. */
  create(request: NewChangeRequest, by: string, at: Date): ChangeRequest {
    checkBy(by);
    checkValue(ChangeRequestFields, request.fields, 'change request');
    const f = request.fields;
    const rationale = f.rationale.trim();
    const riskNote = f.riskNote.trim();
    if (rationale.length < 10) throw new InvalidInputError('say why, in at least 10 characters: the educational reason is part of the record');
    if (riskNote.length < 10) throw new InvalidInputError('say what the risk is and why it is acceptable, in at least 10 characters');
    const when = isoInstant(at, 'request time');
    return atomically(this.#db, () => {
      const row = this.#insertRequest.get(JSON.stringify(f.proposal), JSON.stringify({ title: request.title, lines: request.summary }), rationale, riskNote,
        f.fromAlert ?? null, by, when, request.needsHead ? 1 : 0, request.requestedByHead ? 1 : 0);
      return this.get(Number(row?.id));
    });
  }

  /**
   * Appends one step, checked against the request as it stands (ChangeStateError when the rules
   * refuse it). Returns the request.
   */
  append(id: number, step: NewStep, at: Date): ChangeRequest {
    checkBy(step.by);
    const note = optional(step.note);
    const reference = optional(step.reference);
    if (note !== null && note.length > NOTE_MAX) throw new InvalidInputError(`a note may be at most ${NOTE_MAX} characters`);
    if (reference !== null && reference.length > REFERENCE_MAX) throw new InvalidInputError(`a reference may be at most ${REFERENCE_MAX} characters`);
    const when = isoInstant(at, 'step time');
    return atomically(this.#db, () => {
      const { change, header } = this.stored(id);
      const refused = stepRefusal(change, { ...step, note: note ?? undefined, reference: reference ?? undefined }, header.requestedByHead);
      if (refused !== undefined) throw new ChangeStateError(refused);
      this.#insertStep.run(id, step.kind, step.by, when, note, reference, step.kind === 'approved' && step.head ? 1 : 0);
      return this.get(id);
    });
  }

  get(id: number): ChangeRequest {
    return this.stored(id).change;
  }

  /** The request and its header (its title, whether the requester was the head). */
  stored(id: number): StoredChange {
    const row = this.#header.get(id);
    if (row === undefined) throw new NotFoundError(`there is no change request ${id}`);
    const header = toHeader(row);
    return { header, change: foldChange(header, this.#steps.all(id).map(toStep)) };
  }

  /** Every request folded, oldest first: a school makes dozens a year, not thousands. */
  all(): StoredChange[] {
    const steps = new Map<number, StoredStep[]>();
    for (const row of this.#db.prepare('SELECT * FROM change_steps ORDER BY id').all()) {
      const { requestId, ...step } = toStep(row);
      steps.set(requestId, [...(steps.get(requestId) ?? []), step]);
    }
    return this.#db.prepare('SELECT * FROM change_requests ORDER BY id').all().map(toHeader).map((header) => ({ header, change: foldChange(header, steps.get(header.id) ?? []) }));
  }

  /** The list's lines in its order; only one status, or one requester's, when asked. */
  list(filter: { status?: ChangeStatus; requestedBy?: string } = {}): ChangeSummary[] {
    return this.all()
      .filter(({ change }) => (filter.status === undefined || change.status === filter.status) && (filter.requestedBy === undefined || change.requestedBy === filter.requestedBy))
      .map(({ change, header }) => summaryOf(change, header.title))
      .sort(listOrder);
  }

  count(): number {
    return Number(this.#db.prepare('SELECT count(*) AS n FROM change_requests').get()?.n);
  }
}
