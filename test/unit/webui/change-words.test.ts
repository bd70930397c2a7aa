// The change pages' words: an "until" date as the end of that day in the school's time zone (either
// side of the clock changes), the time to a decision, the server's field paths as the form's, and
// what a step's reference names (an exception, an investigation, the filtering provider's own).
import { describe, expect, it } from 'vitest';
import { duration, editValue, endOfDay, formErrors, referenceWords } from '../../../webui/src/pages/changes/words.ts';

describe('endOfDay', () => {
  it('is 23:59:59 on the school\'s clocks, in winter and summer time', () => {
    expect(endOfDay('2026-12-19', 'Europe/London')).toBe('2026-12-19T23:59:59.000Z');
    expect(endOfDay('2027-06-30', 'Europe/London')).toBe('2027-06-30T22:59:59.000Z');
    // The day the clocks go forward and the day they go back.
    expect(endOfDay('2027-03-28', 'Europe/London')).toBe('2027-03-28T22:59:59.000Z');
    expect(endOfDay('2027-10-31', 'Europe/London')).toBe('2027-10-31T23:59:59.000Z');
    expect(endOfDay('2026-12-19', 'Asia/Kolkata')).toBe('2026-12-19T18:29:59.000Z');
  });

  it('refuses what is not a date', () => {
    expect(() => endOfDay('19/12/2026', 'Europe/London')).toThrow(/not a date/);
  });
});

it('says the time to a decision in at most two units', () => {
  expect(duration(30)).toBe('under a minute');
  expect(duration(60)).toBe('1 minute');
  expect(duration(3 * 3600 + 5 * 60 + 9)).toBe('3 hours 5 minutes');
  expect(duration(2 * 86_400 + 5 * 60)).toBe('2 days');
  expect(duration(86_400 + 3600)).toBe('1 day 1 hour');
});

it('shows an edit\'s absent value as nothing and others as JSON', () => {
  expect(editValue(undefined)).toBe('(nothing)');
  expect(editValue({ disposition: 'acceptable' })).toBe('{"disposition":"acceptable"}');
});

it('puts the server\'s messages beside the form\'s fields', () => {
  expect(formErrors({ 'proposal/domain': 'not a name', 'proposal/networks/0': 'no network "x"', 'proposal/expires': 'in the past', rationale: 'too short' }))
    .toEqual({ domain: 'not a name', networks: 'no network "x"', until: 'in the past', rationale: 'too short' });
});

it('names a step\'s reference by what the request made: an exception, an investigation, or the provider\'s own', () => {
  expect(referenceWords({ kind: 'applied', reference: 'ex-12' }, 'exception')).toEqual({ what: 'exception', reference: 'ex-12' });
  expect(referenceWords({ kind: 'applied', reference: 'investigation-7' }, 'investigation')).toEqual({ what: 'investigation', reference: '7' });
  expect(referenceWords({ kind: 'sent-upstream', reference: 'investigation-7' }, 'investigation')).toEqual({ what: 'reference', reference: 'investigation-7' });
  expect(referenceWords({ kind: 'sent-upstream', reference: 'ABC-1' }, 'exception')).toEqual({ what: 'reference', reference: 'ABC-1' });
});
