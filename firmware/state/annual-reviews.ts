// The annual review in state.db: a school year's review, its participants and their sign-offs.
// Append-only (triggers refuse UPDATE and DELETE): a correction is a new participant or a new
// sign-off beside the old one, so what governors signed stays on record.
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import {
  AddParticipantParams, OpenReviewParams, SignOffParams, type AnnualReview, type Participant, type SignOff,
} from '../monitor/annual/annual-schema.ts';
import { atomically, checkDay, checkValue, InvalidInputError, isoInstant, NotFoundError } from './values.ts';

type Row = Record<string, SQLOutputValue>;

/** "2026-27" → its default first and last day (1 September to 31 August), checked. */
export function schoolYearDays(year: string): { starts: string; ends: string } {
  const m = /^(\d{4})-(\d{2})$/.exec(year);
  const first = m ? Number(m[1]) : NaN;
  if (!m || (first + 1) % 100 !== Number(m[2])) throw new InvalidInputError(`a school year is written like 2026-27 (two years in a row), not "${year}"`);
  return { starts: `${first}-09-01`, ends: `${first + 1}-08-31` };
}

const addYear = (day: string): string => `${Number(day.slice(0, 4)) + 1}${day.slice(4)}`.replace(/-02-29$/, '-02-28');

export class AnnualReviewRepository {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Opens the review of a school year; a year is opened once. */
  open(params: OpenReviewParams, by: string, at: Date): AnnualReview {
    checkValue(OpenReviewParams, params, 'annual review');
    const defaults = schoolYearDays(params.year);
    const today = isoInstant(at, 'time').slice(0, 10);
    const starts = params.starts ?? defaults.starts;
    const ends = params.ends ?? defaults.ends;
    const nextReview = params.nextReview ?? addYear(today);
    checkDay(starts, 'the first day');
    checkDay(ends, 'the last day');
    checkDay(nextReview, 'the next review date');
    if (ends <= starts) throw new InvalidInputError(`the review's last day (${ends}) must be after its first (${starts})`);
    if (nextReview <= today) throw new InvalidInputError(`the next annual review (${nextReview}) must be after today (${today})`);
    if (this.#row(params.year)) throw new InvalidInputError(`the review of ${params.year} is already open; add participants and sign-offs to it`);
    this.#db.prepare('INSERT INTO annual_reviews (year, starts, ends, next_review, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
      .run(params.year, starts, ends, nextReview, isoInstant(at, 'time'), by);
    return this.get(params.year)!;
  }

  addParticipant(params: AddParticipantParams, by: string, at: Date): Participant {
    const cleaned = { ...params, name: params.name.trim(), ...(params.roleTitle === undefined || params.roleTitle.trim() === '' ? { roleTitle: undefined } : { roleTitle: params.roleTitle.trim() }) };
    if (cleaned.roleTitle === undefined) delete cleaned.roleTitle;
    checkValue(AddParticipantParams, cleaned, 'participant');
    if (cleaned.name === '') throw new InvalidInputError('a participant needs a name');
    const review = this.#need(cleaned.year);
    const row = this.#db.prepare('INSERT INTO annual_participants (review_id, name, role, role_title, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id')
      .get(Number(review.id), cleaned.name, cleaned.role, cleaned.roleTitle ?? null, isoInstant(at, 'time'), by);
    return this.get(cleaned.year)!.participants.find((p) => p.id === Number(row?.id))!;
  }

  signOff(params: SignOffParams, by: string, at: Date): SignOff {
    checkValue(SignOffParams, params, 'sign-off');
    checkDay(params.signedOn, 'the day signed');
    const today = isoInstant(at, 'time').slice(0, 10);
    if (params.signedOn > today) throw new InvalidInputError(`a sign-off cannot be dated ${params.signedOn}, after today`);
    return atomically(this.#db, () => {
      const review = this.#need(params.year);
      const participant = this.#db.prepare('SELECT id FROM annual_participants WHERE id = ? AND review_id = ?').get(params.participant, Number(review.id));
      if (!participant) throw new NotFoundError(`participant ${params.participant} is not part of the ${params.year} review`);
      const row = this.#db.prepare('INSERT INTO annual_signoffs (participant_id, signed_on, comment, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?) RETURNING *')
        .get(params.participant, params.signedOn, params.comment.trim(), isoInstant(at, 'time'), by);
      return toSignOff(row!);
    });
  }

  get(year: string): AnnualReview | undefined {
    const row = this.#row(year);
    return row ? this.#review(row) : undefined;
  }

  /** Every review, newest year first. */
  list(): AnnualReview[] {
    return this.#db.prepare('SELECT * FROM annual_reviews ORDER BY year DESC').all().map((r) => this.#review(r));
  }

  /** The next annual review date the latest review set, for the governors' summary. */
  nextReview(): { year: string; nextReview: string } | null {
    const row = this.#db.prepare('SELECT year, next_review FROM annual_reviews ORDER BY year DESC LIMIT 1').get();
    return row ? { year: String(row.year), nextReview: String(row.next_review) } : null;
  }

  #row(year: string): Row | undefined {
    return this.#db.prepare('SELECT * FROM annual_reviews WHERE year = ?').get(year);
  }

  #need(year: string): Row {
    const row = this.#row(year);
    if (!row) throw new NotFoundError(`no annual review of ${year} is open yet: open it first`);
    return row;
  }

  #review(row: Row): AnnualReview {
    const id = Number(row.id);
    const signOffs = this.#db.prepare(`SELECT s.* FROM annual_signoffs s JOIN annual_participants p ON p.id = s.participant_id WHERE p.review_id = ? ORDER BY s.id`).all(id);
    const participants = this.#db.prepare('SELECT * FROM annual_participants WHERE review_id = ? ORDER BY id').all(id).map((p): Participant => ({
      id: Number(p.id), name: String(p.name), role: String(p.role) as Participant['role'],
      ...(p.role_title === null ? {} : { roleTitle: String(p.role_title) }),
      addedAt: String(p.added_at), addedBy: String(p.added_by),
      signOffs: signOffs.filter((s) => Number(s.participant_id) === Number(p.id)).map(toSignOff),
    }));
    return {
      id, year: String(row.year), starts: String(row.starts), ends: String(row.ends), nextReview: String(row.next_review),
      createdAt: String(row.created_at), createdBy: String(row.created_by), participants,
    };
  }
}

function toSignOff(row: Row): SignOff {
  return { id: Number(row.id), signedOn: String(row.signed_on), comment: String(row.comment), recordedAt: String(row.recorded_at), recordedBy: String(row.recorded_by) };
}
