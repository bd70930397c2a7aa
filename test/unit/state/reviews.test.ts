// The weekly review's store: append-only (the database itself refuses changes and deletions), a
// corrected outcome is a new row and the latest counts, a week is signed off once, review-due
// items close at the next sign-off, and the plain reads the governor summary uses.
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { ReviewStateError } from '../../../firmware/state/reviews.ts';
import { InvalidInputError } from '../../../firmware/state/values.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();

const ALERT = { id: 7, kind: 'dns.category', severity: 'high', subject: 'games.example' };
const at = (iso: string): Date => new Date(iso);

let state: StateDatabase;
beforeEach(() => {
  state = StateDatabase.open(':memory:');
});
afterEach(() => state.close());

describe('outcomes', () => {
  it('keeps every outcome of an alert and marks the latest as the one that counts', () => {
    const { reviews } = state;
    reviews.recordOutcome({ week: '2026-11-30', alert: ALERT, outcome: 'no-concern', note: 'a game at lunch', by: 'account:head', at: at('2026-12-07T10:00:00Z') });
    reviews.recordOutcome({ week: '2026-11-30', alert: ALERT, outcome: 'spoke-to-pupil', note: 'on reflection, spoke to them', by: 'account:dsl', at: at('2026-12-07T11:00:00Z') });
    const rows = reviews.outcomes('2026-11-30');
    expect(rows.map((r) => [r.outcome, r.latest, r.by])).toEqual([['no-concern', false, 'account:head'], ['spoke-to-pupil', true, 'account:dsl']]);
    expect(rows[0]!.alertSubject).toBe('games.example');
    expect(reviews.withoutOutcome([7, 8])).toEqual([8]);
  });

  it('needs a proposed list change for a false positive, and only then', () => {
    const { reviews } = state;
    const base = { week: '2026-11-30', alert: ALERT, note: 'a maths site', by: 'account:head', at: at('2026-12-07T10:00:00Z') };
    expect(() => reviews.recordOutcome({ ...base, outcome: 'false-positive' })).toThrow(/proposed list change/);
    expect(() => reviews.recordOutcome({ ...base, outcome: 'no-concern', proposed: { name: 'maths.example', action: 'allow' } })).toThrow(/only a false positive/);
    expect(() => reviews.recordOutcome({ ...base, outcome: 'false-positive', proposed: { name: 'not a name', action: 'allow' } })).toThrow(InvalidInputError);
    expect(() => reviews.recordOutcome({ ...base, outcome: 'no-concern', note: '   ' })).toThrow(/note/);
    const row = reviews.recordOutcome({ ...base, outcome: 'false-positive', proposed: { name: 'maths.example', action: 'allow' } });
    expect(row.proposed).toEqual({ name: 'maths.example', action: 'allow' });
    expect(reviews.outcomes('2026-11-30')).toHaveLength(1);
  });
});

describe('append-only', () => {
  it('refuses to change or delete any review record, whoever holds the file', () => {
    const dir = tempDir();
    const file = `${dir}/state.db`;
    const opened = StateDatabase.open(file);
    opened.reviews.recordOutcome({ week: '2026-11-30', alert: ALERT, outcome: 'no-concern', note: 'fine', by: 'account:head', at: at('2026-12-07T10:00:00Z') });
    opened.reviews.signOff({ week: '2026-11-30', reviewedBy: 'account:head', onBehalfOf: null, summary: '', alerts: 1, at: at('2026-12-07T12:00:00Z') });
    opened.reviews.addDue('filtering-change', 'policy pupils edited', at('2026-12-01T09:00:00Z'));
    opened.close();
    const raw = new DatabaseSync(file);
    try {
      for (const sql of [
        "UPDATE review_outcomes SET outcome = 'spoke-to-pupil'", 'DELETE FROM review_outcomes',
        "UPDATE review_signoffs SET reviewed_by = 'x'", 'DELETE FROM review_signoffs',
        "UPDATE review_due SET detail = 'x'", 'DELETE FROM review_due',
      ]) expect(() => raw.exec(sql), sql).toThrow(/append-only/);
    } finally {
      raw.close();
    }
  });
});

describe('sign-off', () => {
  it('signs a week off once, with who reviewed and on whose behalf', () => {
    const { reviews } = state;
    const signed = reviews.signOff({ week: '2026-11-30', reviewedBy: 'account:osl', onBehalfOf: 'head', summary: 'quiet week', alerts: 3, at: at('2026-12-07T12:00:00Z') });
    expect(signed).toEqual({ week: '2026-11-30', reviewedBy: 'account:osl', onBehalfOf: 'head', summary: 'quiet week', alerts: 3, at: '2026-12-07T12:00:00.000Z' });
    expect(() => reviews.signOff({ week: '2026-11-30', reviewedBy: 'account:head', onBehalfOf: null, summary: '', alerts: 3, at: at('2026-12-07T13:00:00Z') }))
      .toThrow(ReviewStateError);
    expect(reviews.signOffOf('2026-11-30')?.reviewedBy).toBe('account:osl');
  });

  it('gives the governor summary the last sign-off and the streak of weeks in a row', () => {
    const { reviews } = state;
    for (const week of ['2026-11-02', '2026-11-16', '2026-11-23', '2026-11-30']) {
      reviews.signOff({ week, reviewedBy: 'account:head', onBehalfOf: null, summary: '', alerts: 0, at: at(`${week}T12:00:00Z`) });
    }
    expect(reviews.lastSignOff()?.week).toBe('2026-11-30');
    expect(reviews.streak('2026-11-30')).toBe(3);
    expect(reviews.streak('2026-12-07')).toBe(0);
    expect(reviews.signOffs({ from: '2026-11-16' }).map((s) => s.week)).toEqual(['2026-11-30', '2026-11-23', '2026-11-16']);
  });
});

describe('review-due items', () => {
  it('stay open until the next sign-off, which closes them', () => {
    const { reviews } = state;
    reviews.addDue('firmware-update', 'firmware 1.0.0 → 1.1.0', at('2026-12-01T09:00:00Z'));
    reviews.addDue('new-network', 'network "Pupil tablets" added', at('2026-12-02T09:00:00Z'));
    expect(reviews.due().map((d) => d.reason)).toEqual(['new-network', 'firmware-update']);
    reviews.signOff({ week: '2026-11-30', reviewedBy: 'account:head', onBehalfOf: null, summary: '', alerts: 0, at: at('2026-12-07T12:00:00Z') });
    reviews.addDue('incident', 'incident 4 opened', at('2026-12-08T09:00:00Z'));
    expect(reviews.due().map((d) => d.reason)).toEqual(['incident']);
    expect(reviews.due({ all: true }).map((d) => [d.reason, d.closedBy])).toEqual([['incident', null], ['new-network', '2026-11-30'], ['firmware-update', '2026-11-30']]);
    expect(() => reviews.addDue('filtering-change', ' ', at('2026-12-08T09:00:00Z'))).toThrow(/detail/);
  });

  it('tells a start the version of the start before', () => {
    const { reviews } = state;
    expect(reviews.recordStart('1.0.0', at('2026-12-01T07:00:00Z'))).toBeUndefined();
    expect(reviews.recordStart('1.1.0', at('2026-12-02T07:00:00Z'))).toBe('1.0.0');
    expect(reviews.firstStart()).toBe('2026-12-01T07:00:00.000Z');
  });
});
