// Schedules for term time only: active on the term's dates on the site's calendar, never in the
// holidays, and the next change found across a half-term and at a term's first local midnight.
import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../../../firmware/config/schema.ts';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import { validateConfig } from '../../../../firmware/config/validate.ts';
import { isActive, nextChange } from '../../../../firmware/dns/policy/schedule.ts';
import { at } from './helpers.ts';

const LONDON = 'Europe/London';
const lunch: Pick<Schedule, 'windows' | 'termTimeOnly'> = { termTimeOnly: true, windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:00', to: '13:00' }] };
// Autumn 2025 in two halves, half-term 27-31 October.
const TERMS = [{ start: '2025-09-03', end: '2025-10-24' }, { start: '2025-11-03', end: '2025-12-19' }];

describe('term time only', () => {
  it('is active in a term\'s lunch hour and not in half-term, on the London calendar', () => {
    expect(isActive(lunch, at('2025-10-24T11:30:00Z'), LONDON, TERMS)).toBe(true); // Fri, last day of the half
    expect(isActive(lunch, at('2025-10-28T12:30:00Z'), LONDON, TERMS)).toBe(false); // Tue of half-term
    expect(isActive(lunch, at('2025-11-03T12:30:00Z'), LONDON, TERMS)).toBe(true); // first Monday back
    expect(isActive({ ...lunch, termTimeOnly: false }, at('2025-10-28T12:30:00Z'), LONDON, TERMS)).toBe(true);
  });

  it('is never active without terms', () => {
    expect(isActive(lunch, at('2025-10-24T11:30:00Z'), LONDON, [])).toBe(false);
    expect(nextChange(lunch, at('2025-10-24T11:30:00Z'), LONDON, [])).toBeUndefined();
  });

  it('finds the next opening after half-term, and the close at the end of a term day', () => {
    // Friday 24 Oct 13:00 BST closes; the next opening is Monday 3 Nov 12:00 GMT.
    expect(new Date(nextChange(lunch, at('2025-10-24T11:30:00Z'), LONDON, TERMS)!).toISOString()).toBe('2025-10-24T12:00:00.000Z');
    expect(new Date(nextChange(lunch, at('2025-10-24T12:30:00Z'), LONDON, TERMS)!).toISOString()).toBe('2025-11-03T12:00:00.000Z');
  });

  it('opens at a term\'s first local midnight for an all-day schedule', () => {
    const allDay: Pick<Schedule, 'windows' | 'termTimeOnly'> = { termTimeOnly: true, windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '23:59' }] };
    // 23:59 BST on 2 Sep is 22:59 UTC; the term starts at 00:00 BST on 3 Sep = 23:00 UTC on 2 Sep.
    expect(new Date(nextChange(allDay, at('2025-09-01T12:00:00Z'), LONDON, TERMS)!).toISOString()).toBe('2025-09-02T23:00:00.000Z');
  });
});

describe('term dates in the configuration', () => {
  it('loads without terms, and refuses an impossible date, a term ending before it starts, and a term-time schedule with no terms', () => {
    expect(validateConfig(defaultConfig()).ok).toBe(true);
    const doc = defaultConfig();
    doc.site.terms = [{ name: 'Spring 1', start: '2026-02-30', end: '2026-02-13' }, { name: 'Spring 2', start: '2026-02-23', end: '2026-02-20' }];
    const issues = validateConfig(doc);
    expect(issues.ok ? [] : issues.issues.map((i) => i.path)).toEqual(['/site/terms/0/start', '/site/terms/1/end']);
    const none = defaultConfig();
    none.schedules[0]!.termTimeOnly = true;
    const missing = validateConfig(none);
    expect(missing.ok ? [] : missing.issues).toEqual([{ path: '/schedules/0/termTimeOnly', message: expect.stringMatching(/needs the term dates/) }]);
    none.site.terms = TERMS.map((t, i) => ({ name: `Autumn ${i + 1}`, ...t }));
    expect(validateConfig(none).ok).toBe(true);
  });
});
