// When the governor report goes out and what it covers, in the school's time zone.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import { validateConfig } from '../../../../firmware/config/validate.ts';
import { cronOf, governorSpanFor, nextGovernorRun } from '../../../../firmware/monitor/reports/governor-schedule.ts';

const ZONE = 'Europe/London';

describe('the governor report schedule', () => {
  it('sends monthly on the 1st at the time given, school time (GMT in winter, BST in summer)', () => {
    expect(nextGovernorRun({ schedule: 'monthly' }, new Date('2026-12-07T10:00:00Z'), ZONE)?.toISOString()).toBe('2027-01-01T07:00:00.000Z');
    expect(nextGovernorRun({ schedule: 'monthly', at: '08:30' }, new Date('2026-05-20T10:00:00Z'), ZONE)?.toISOString()).toBe('2026-06-01T07:30:00.000Z');
    // On the day itself: later that morning, or next month once it has gone.
    expect(nextGovernorRun({ schedule: 'monthly' }, new Date('2027-01-01T06:59:00Z'), ZONE)?.toISOString()).toBe('2027-01-01T07:00:00.000Z');
    expect(nextGovernorRun({ schedule: 'monthly' }, new Date('2027-01-01T07:00:00Z'), ZONE)?.toISOString()).toBe('2027-02-01T07:00:00.000Z');
  });

  it('sends termly on 1 January, 1 May and 1 September, and never when off', () => {
    expect(nextGovernorRun({ schedule: 'termly' }, new Date('2026-12-07T10:00:00Z'), ZONE)?.toISOString()).toBe('2027-01-01T07:00:00.000Z');
    expect(nextGovernorRun({ schedule: 'termly' }, new Date('2027-01-02T10:00:00Z'), ZONE)?.toISOString()).toBe('2027-05-01T06:00:00.000Z');
    expect(nextGovernorRun({ schedule: 'termly' }, new Date('2027-06-02T10:00:00Z'), ZONE)?.toISOString()).toBe('2027-09-01T06:00:00.000Z');
    expect(nextGovernorRun({ schedule: 'off' }, new Date('2026-12-07T10:00:00Z'), ZONE)).toBeUndefined();
  });

  it('covers the month, or the four months, before the day it is sent', () => {
    expect(governorSpanFor('monthly', '2027-01-01')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(governorSpanFor('monthly', '2027-03-01')).toEqual({ from: '2027-02-01', to: '2027-02-28' });
    expect(governorSpanFor('termly', '2027-01-01')).toEqual({ from: '2026-09-01', to: '2026-12-31' });
    expect(governorSpanFor('termly', '2027-05-01')).toEqual({ from: '2027-01-01', to: '2027-04-30' });
  });

  it('gives node-cron the same days', () => {
    expect(cronOf('monthly', '07:05')).toBe('5 7 1 * *');
    expect(cronOf('termly')).toBe('0 7 1 1,5,9 *');
    expect(cronOf('off')).toBeUndefined();
  });
});

describe('the reports section of the configuration', () => {
  it('takes a schedule, a time, recipients and the next annual review, and names the path of a bad value', () => {
    const good = { ...defaultConfig(), reports: { governor: { schedule: 'termly', at: '07:30', recipients: ['clerk@governors.example'] }, nextAnnualReview: '2027-03-15' } };
    expect(validateConfig(good).ok).toBe(true);
    const bad = validateConfig({ ...defaultConfig(), reports: { governor: { schedule: 'weekly', recipients: ['not an address'] } } });
    expect(bad.ok).toBe(false);
    const paths = bad.ok ? [] : bad.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['/reports/governor/schedule', '/reports/governor/recipients/0']));
  });
});
