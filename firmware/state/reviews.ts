// The weekly review's records in state.db (migration 14): an outcome per alert, a sign-off per
// school week, review-due items, and the notices sent about a week. Append-only (the tables'
// triggers refuse any change or deletion): a corrected outcome is a new row, and the latest row
// of an alert is the one that counts. The rules about when a week may be signed off are the
// caller's (monitor/review/review-methods.ts); the store refuses a second sign-off of a week.
// Plain read methods (history, streak, open due items) are for the governor summary and the
// annual pack, which read the review without changing it.
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import {
  DueReason, ProposedChange, Week, type DueItem, type Outcome, type OutcomeRecord, type SignOff,
} from '../monitor/review/review-schema.ts';
import { checkValue, InvalidInputError, isoInstant } from './values.ts';

export class ReviewStateError extends Error {
  override name = 'ReviewStateError';
}

export interface NewOutcome {
  week: string;
  alert: { id: number; kind: string; severity: string; subject: string };
  outcome: Outcome;
  note: string;
  proposed?: ProposedChange | null;
  by: string;
  at: Date;
}

export interface NewSignOff {
  week: string;
  reviewedBy: string;
  onBehalfOf: string | null;
  summary: string;
  alerts: number;
  at: Date;
}

type Row = Record<string, SQLOutputValue>;

const str = (v: SQLOutputValue | undefined): string => String(v);
const OUTCOME_COLUMNS = 'id, week, alert_id, alert_kind, alert_severity, alert_subject, outcome, note, proposed_name, proposed_action, by, at';

export class ReviewRepository {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Records an outcome for an alert; an earlier one for the same alert stays, this one counts. */
  recordOutcome(o: NewOutcome): OutcomeRecord {
    checkValue(Week, o.week, 'week');
    const note = o.note.trim();
    if (note === '' || note.length > 2000) throw new InvalidInputError('the note must say what was done (1 to 2000 characters)');
    const proposed = o.proposed ?? null;
    if (o.outcome === 'false-positive' && proposed === null) throw new InvalidInputError('a false positive needs the proposed list change: the name, and allow or block');
    if (o.outcome !== 'false-positive' && proposed !== null) throw new InvalidInputError('only a false positive proposes a list change');
    if (proposed !== null) checkValue(ProposedChange, proposed, 'proposed list change');
    const row = this.#db.prepare(`INSERT INTO review_outcomes (week, alert_id, alert_kind, alert_severity, alert_subject, outcome, note, proposed_name, proposed_action, by, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${OUTCOME_COLUMNS}`)
      .get(o.week, o.alert.id, o.alert.kind, o.alert.severity, o.alert.subject, o.outcome, note, proposed?.name ?? null, proposed?.action ?? null, o.by, isoInstant(o.at, 'outcome time'));
    return toOutcome(row!, true);
  }

  /** Every outcome recorded in a week's review, oldest first; `latest` marks the one that counts per alert. */
  outcomes(week: string): OutcomeRecord[] {
    checkValue(Week, week, 'week');
    const rows = this.#db.prepare(`SELECT ${OUTCOME_COLUMNS}, id = (SELECT max(id) FROM review_outcomes l WHERE l.alert_id = o.alert_id) AS latest
      FROM review_outcomes o WHERE week = ? ORDER BY id`).all(week);
    return rows.map((r) => toOutcome(r, Number(r.latest) === 1));
  }

  /** Every outcome of one alert, oldest first. */
  outcomesOf(alertId: number): OutcomeRecord[] {
    const rows = this.#db.prepare(`SELECT ${OUTCOME_COLUMNS} FROM review_outcomes WHERE alert_id = ? ORDER BY id`).all(alertId);
    return rows.map((r, i) => toOutcome(r, i === rows.length - 1));
  }

  /** Of these alerts, how many have no outcome yet. */
  withoutOutcome(alertIds: readonly number[]): number[] {
    if (alertIds.length === 0) return [];
    const has = new Set(this.#db.prepare(`SELECT DISTINCT alert_id FROM review_outcomes WHERE alert_id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(alertIds)).map((r) => Number(r.alert_id)));
    return alertIds.filter((id) => !has.has(id));
  }

  /** Signs a week off; a week is signed off once (ReviewStateError for a second). */
  signOff(s: NewSignOff): SignOff {
    checkValue(Week, s.week, 'week');
    if (s.summary.length > 4000) throw new InvalidInputError('the summary must be at most 4000 characters');
    const before = this.signOffOf(s.week);
    if (before) throw new ReviewStateError(`the week of ${s.week} was already signed off by ${before.reviewedBy}${before.onBehalfOf ? ` on behalf of ${before.onBehalfOf}` : ''} at ${before.at}`);
    this.#db.prepare('INSERT INTO review_signoffs (week, reviewed_by, on_behalf_of, at, summary, alerts) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.week, s.reviewedBy, s.onBehalfOf, isoInstant(s.at, 'sign-off time'), s.summary.trim(), s.alerts);
    return this.signOffOf(s.week)!;
  }

  signOffOf(week: string): SignOff | undefined {
    const row = this.#db.prepare('SELECT * FROM review_signoffs WHERE week = ?').get(week);
    return row === undefined ? undefined : toSignOff(row);
  }

  /** Sign-offs of the weeks from `from` (a Monday, included) to `to` (excluded), newest week first. */
  signOffs(range: { from?: string; to?: string } = {}): SignOff[] {
    return this.#db.prepare('SELECT * FROM review_signoffs WHERE week >= ? AND week < ? ORDER BY week DESC')
      .all(range.from ?? '0000-00-00', range.to ?? '9999-99-99').map(toSignOff);
  }

  /** The last week signed off, for the governor summary. */
  lastSignOff(): SignOff | undefined {
    const row = this.#db.prepare('SELECT * FROM review_signoffs ORDER BY week DESC LIMIT 1').get();
    return row === undefined ? undefined : toSignOff(row);
  }

  /**
   * The weekly sign-off streak: how many weeks in a row, going back from `lastWeek` (a Monday),
   * are signed off. The governor summary shows it; a week not signed off ends it.
   */
  streak(lastWeek: string): number {
    checkValue(Week, lastWeek, 'week');
    const weeks = new Set(this.#db.prepare('SELECT week FROM review_signoffs WHERE week <= ? ORDER BY week DESC').all(lastWeek).map((r) => str(r.week)));
    let n = 0;
    for (let at = Date.parse(`${lastWeek}T00:00:00Z`); weeks.has(new Date(at).toISOString().slice(0, 10)); at -= 7 * 86_400_000) n++;
    return n;
  }

  /** Records why a review is due; the next sign-off closes it. */
  addDue(reason: DueReason, detail: string, at: Date): DueItem {
    checkValue(DueReason, reason, 'review-due reason');
    const text = detail.replace(/\s+/g, ' ').trim().slice(0, 500);
    if (text === '') throw new InvalidInputError('a review-due item needs its detail');
    const row = this.#db.prepare('INSERT INTO review_due (reason, detail, at) VALUES (?, ?, ?) RETURNING id').get(reason, text, isoInstant(at, 'review-due time'));
    return this.due({ all: true }).find((d) => d.id === Number(row!.id))!;
  }

  /**
   * Review-due items, newest first: open ones (raised after the last sign-off) by default, every
   * one with `all`. An item is closed by the first review signed off after it was raised.
   */
  due(options: { all?: boolean; limit?: number } = {}): DueItem[] {
    const limit = Math.max(1, Math.min(options.limit ?? 500, 10_000));
    const rows = this.#db.prepare(`SELECT d.id, d.reason, d.detail, d.at,
        (SELECT s.week FROM review_signoffs s WHERE s.at > d.at ORDER BY s.at LIMIT 1) AS closed_by
      FROM review_due d ${options.all ? '' : 'WHERE NOT EXISTS (SELECT 1 FROM review_signoffs s WHERE s.at > d.at)'} ORDER BY d.id DESC LIMIT ${limit}`).all();
    return rows.map((r) => ({ id: Number(r.id), reason: str(r.reason) as DueReason, detail: str(r.detail), at: str(r.at), closedBy: r.closed_by === null ? null : str(r.closed_by) }));
  }

  /** Records that a notice went out about a week; false if one of that kind already had (one of each per week, across restarts). */
  markNotice(week: string, kind: 'reminder' | 'overdue', at: Date, alertId: number | null = null): boolean {
    const changed = this.#db.prepare('INSERT OR IGNORE INTO review_notices (week, kind, at, alert_id) VALUES (?, ?, ?, ?)').run(week, kind, isoInstant(at, 'notice time'), alertId).changes;
    return Number(changed) === 1;
  }

  noticeOf(week: string, kind: 'reminder' | 'overdue'): { at: string; alertId: number | null } | undefined {
    const row = this.#db.prepare('SELECT at, alert_id FROM review_notices WHERE week = ? AND kind = ?').get(week, kind);
    return row === undefined ? undefined : { at: str(row.at), alertId: row.alert_id === null ? null : Number(row.alert_id) };
  }

  /** Records the version this start runs; returns the version of the start before, if any. */
  recordStart(version: string, at: Date): string | undefined {
    const last = this.#db.prepare('SELECT version FROM firmware_starts ORDER BY id DESC LIMIT 1').get();
    this.#db.prepare('INSERT INTO firmware_starts (version, at) VALUES (?, ?)').run(version, isoInstant(at, 'start time'));
    return last === undefined ? undefined : str(last.version);
  }

  /** When the gateway first started with the weekly review in it: no week before it is due. */
  firstStart(): string | undefined {
    const row = this.#db.prepare('SELECT min(at) AS at FROM firmware_starts').get();
    return row?.at === null || row === undefined ? undefined : str(row.at);
  }

  /** How many alerts each week range holds (by first occurrence), for the trend chart. */
  alertCounts(ranges: readonly { from: string; to: string }[]): number[] {
    const count = this.#db.prepare('SELECT count(*) AS n FROM alerts WHERE first_at >= ? AND first_at < ?');
    return ranges.map((r) => Number(count.get(r.from, r.to)?.n));
  }

  /** The ids of the alerts first seen in [from, to) (ISO instants): the week's alerts to review. */
  alertIdsIn(from: string, to: string): number[] {
    return this.#db.prepare('SELECT id FROM alerts WHERE first_at >= ? AND first_at < ? ORDER BY first_at, id').all(from, to).map((r) => Number(r.id));
  }
}

function toOutcome(r: Row, latest: boolean): OutcomeRecord {
  return {
    id: Number(r.id), week: str(r.week), alertId: Number(r.alert_id), alertKind: str(r.alert_kind), alertSeverity: str(r.alert_severity),
    alertSubject: str(r.alert_subject), outcome: str(r.outcome) as Outcome, note: str(r.note),
    proposed: r.proposed_name === null ? null : { name: str(r.proposed_name), action: str(r.proposed_action) as 'allow' | 'block' },
    by: str(r.by), at: str(r.at), latest,
  };
}

function toSignOff(r: Row): SignOff {
  return {
    week: str(r.week), reviewedBy: str(r.reviewed_by), onBehalfOf: r.on_behalf_of === null ? null : str(r.on_behalf_of),
    at: str(r.at), summary: str(r.summary), alerts: Number(r.alerts),
  };
}
