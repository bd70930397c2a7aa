// The annual review in state.db: a school year opened once, participants and sign-offs appended
// (never changed or removed, even by SQL), external tests recorded in full; bad input refused with
// nothing stored.
import { describe, expect, it } from 'vitest';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { InvalidInputError, NotFoundError } from '../../../firmware/state/values.ts';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();
const AT = new Date('2027-07-10T10:00:00Z');

describe('annual reviews', () => {
  it('opens a school year with its default days, adds participants and sign-offs, and sets the next review', () => {
    const state = StateDatabase.open(':memory:');
    const review = state.annualReviews.open({ year: '2026-27' }, 'account:jo.head', AT);
    expect(review).toMatchObject({ year: '2026-27', starts: '2026-09-01', ends: '2027-08-31', nextReview: '2028-07-10', participants: [] });
    const p = state.annualReviews.addParticipant({ year: '2026-27', name: '  Sam Lee ', role: 'dsl', roleTitle: '' }, 'account:jo.head', AT);
    expect(p).toMatchObject({ name: 'Sam Lee', role: 'dsl', signOffs: [] });
    expect(p).not.toHaveProperty('roleTitle');
    state.annualReviews.signOff({ year: '2026-27', participant: p.id, signedOn: '2027-07-09', comment: 'Agreed' }, 'account:sam.dsl', AT);
    state.annualReviews.signOff({ year: '2026-27', participant: p.id, signedOn: '2027-07-10', comment: 'Agreed, with the note on P2P' }, 'account:sam.dsl', AT);
    expect(state.annualReviews.get('2026-27')?.participants[0]?.signOffs.map((s) => s.comment)).toEqual(['Agreed', 'Agreed, with the note on P2P']);
    expect(state.annualReviews.nextReview()).toEqual({ year: '2026-27', nextReview: '2028-07-10' });
    state.close();
  });

  it('refuses a bad year, a second opening, a sign-off dated tomorrow or for another year\'s participant, storing nothing', () => {
    const state = StateDatabase.open(':memory:');
    expect(() => state.annualReviews.open({ year: '2026-28' }, 'x', AT)).toThrow(/two years in a row/);
    expect(() => state.annualReviews.open({ year: '2026-27', nextReview: '2027-07-01' }, 'x', AT)).toThrow(/must be after today/);
    expect(() => state.annualReviews.open({ year: '2026-27', starts: '2027-02-30' }, 'x', AT)).toThrow(InvalidInputError);
    expect(state.annualReviews.list()).toEqual([]);
    state.annualReviews.open({ year: '2026-27' }, 'x', AT);
    state.annualReviews.open({ year: '2025-26', nextReview: '2027-12-01' }, 'x', AT);
    expect(() => state.annualReviews.open({ year: '2026-27' }, 'x', AT)).toThrow(/already open/);
    expect(() => state.annualReviews.addParticipant({ year: '2024-25', name: 'A', role: 'dsl' }, 'x', AT)).toThrow(NotFoundError);
    const p = state.annualReviews.addParticipant({ year: '2025-26', name: 'A', role: 'governor' }, 'x', AT);
    expect(() => state.annualReviews.signOff({ year: '2026-27', participant: p.id, signedOn: '2027-07-10', comment: '' }, 'x', AT)).toThrow(/not part of the 2026-27 review/);
    expect(() => state.annualReviews.signOff({ year: '2025-26', participant: p.id, signedOn: '2027-07-11', comment: '' }, 'x', AT)).toThrow(/after today/);
    expect(state.annualReviews.get('2025-26')?.participants[0]?.signOffs).toEqual([]);
    expect(state.annualReviews.list().map((r) => r.year)).toEqual(['2026-27', '2025-26']);
    state.close();
  });

  it('cannot be changed or deleted behind the gateway\'s back', () => {
    const file = join(tempDir(), 'state.db');
    const state = StateDatabase.open(file);
    const p = state.annualReviews.addParticipant((state.annualReviews.open({ year: '2026-27' }, 'x', AT), { year: '2026-27', name: 'A', role: 'dsl' }), 'x', AT);
    state.annualReviews.signOff({ year: '2026-27', participant: p.id, signedOn: '2027-07-10', comment: 'ok' }, 'x', AT);
    state.selftest.addExternal({ network: 'pupil', testedOn: '2027-07-01', tester: 'T', tool: 'SWGfL Test Filtering', result: 'pass', note: 'n' }, 'x', AT);
    state.close();
    const db = new DatabaseSync(file);
    for (const sql of ["UPDATE annual_reviews SET next_review = '2030-01-01'", 'DELETE FROM annual_reviews', "UPDATE annual_participants SET name = 'B'", 'DELETE FROM annual_participants',
      "UPDATE annual_signoffs SET comment = 'no'", 'DELETE FROM annual_signoffs', "UPDATE selftest_external SET result = 'fail'", 'DELETE FROM selftest_external']) {
      expect(() => db.exec(sql), sql).toThrow(/append-only/);
    }
    db.close();
  });
});

describe('external filter tests in full', () => {
  it('records the day, tester, tool, per-category results and reference, and lists them by the day run', () => {
    const state = StateDatabase.open(':memory:');
    const e = state.selftest.addExternal({ network: 'pupil', testedOn: '2027-03-02', tester: ' Alex Tech, ICT Ltd ', tool: 'SWGfL Test Filtering', result: 'fail',
      categories: { 'child-abuse': 'pass', adult: 'fail' }, note: 'Adult content reached the pupil network', reference: ' ' }, 'account:jo.head', AT);
    expect(e).toMatchObject({ testedOn: '2027-03-02', tester: 'Alex Tech, ICT Ltd', result: 'fail', categories: { 'child-abuse': 'pass', adult: 'fail' }, recordedBy: 'account:jo.head' });
    expect(e).not.toHaveProperty('reference');
    state.selftest.recordExternal({ at: AT, network: 'staff', result: 'pass', note: 'older style', recordedBy: 'ssh:alex' });
    expect(state.selftest.external().map((x) => x.network)).toEqual(['staff', 'pupil']);
    expect(state.selftest.externalBetween(new Date('2027-03-01T00:00:00Z'), new Date('2027-03-03T00:00:00Z')).map((x) => x.id)).toEqual([e.id]);
    state.close();
  });

  it('refuses a date that does not exist, a future test, an unknown result or a bad category, storing nothing', () => {
    const state = StateDatabase.open(':memory:');
    const base = { network: 'pupil', testedOn: '2027-03-02', tester: 'T', tool: 'SWGfL', result: 'pass' as const, note: 'n' };
    expect(() => state.selftest.addExternal({ ...base, testedOn: '2027-02-29' }, 'x', AT)).toThrow(/real date/);
    expect(() => state.selftest.addExternal({ ...base, testedOn: '2027-07-11' }, 'x', AT)).toThrow(/after today/);
    expect(() => state.selftest.addExternal({ ...base, result: 'maybe' as never }, 'x', AT)).toThrow(InvalidInputError);
    expect(() => state.selftest.addExternal({ ...base, categories: { 'Bad Name': 'pass' } }, 'x', AT)).toThrow(InvalidInputError);
    expect(() => state.selftest.addExternal({ ...base, tester: '   ' }, 'x', AT)).toThrow(InvalidInputError);
    expect(state.selftest.external()).toEqual([]);
    state.close();
  });
});
