// Schedules on the site's wall clock, across both clock changes. UK dates used:
// 2025: BST starts Sun 30 Mar at 01:00 UTC (01:00 GMT → 02:00 BST), ends Sun 26 Oct at 01:00 UTC
// (02:00 BST → 01:00 GMT).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../../../firmware/config/schema.ts';
import { isActive, localTime, nextChange } from '../../../../firmware/dns/policy/schedule.ts';
import { at } from './helpers.ts';

const LONDON = 'Europe/London';
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const lunchtime: Pick<Schedule, 'windows'> = { windows: [{ days: [...weekdays], from: '12:00', to: '13:00' }] };

describe('localTime', () => {
  it('reads the London wall clock in GMT and in BST', () => {
    expect(localTime(at('2025-10-24T11:00:00Z'), LONDON)).toEqual({ weekday: 4, minuteOfDay: 12 * 60, minuteOfWeek: 4 * 1440 + 720, offsetMinutes: 60, date: '2025-10-24' });
    expect(localTime(at('2025-10-27T11:00:00Z'), LONDON)).toEqual({ weekday: 0, minuteOfDay: 11 * 60, minuteOfWeek: 660, offsetMinutes: 0, date: '2025-10-27' });
  });

  it('puts local midnight on the right day', () => {
    // 23:30 UTC on Sunday 22 June is 00:30 BST on Monday 23 June.
    expect(localTime(at('2025-06-22T23:30:00Z'), LONDON)).toMatchObject({ weekday: 0, minuteOfDay: 30 });
  });
});

describe('isActive', () => {
  it('treats from as inclusive and to as exclusive, in BST', () => {
    // Friday 24 October 2025, still BST: 12:00 local is 11:00 UTC.
    expect(isActive(lunchtime, at('2025-10-24T10:59:59.999Z'), LONDON)).toBe(false);
    expect(isActive(lunchtime, at('2025-10-24T11:00:00Z'), LONDON)).toBe(true);
    expect(isActive(lunchtime, at('2025-10-24T11:59:59.999Z'), LONDON)).toBe(true);
    expect(isActive(lunchtime, at('2025-10-24T12:00:00Z'), LONDON)).toBe(false);
  });

  it('follows the wall clock after BST ends (last Sunday in October)', () => {
    // Monday 27 October 2025, GMT: 12:00 local is 12:00 UTC; 11:00 UTC was lunchtime last week.
    expect(isActive(lunchtime, at('2025-10-27T11:00:00Z'), LONDON)).toBe(false);
    expect(isActive(lunchtime, at('2025-10-27T12:00:00Z'), LONDON)).toBe(true);
    expect(isActive(lunchtime, at('2025-10-27T13:00:00Z'), LONDON)).toBe(false);
  });

  it('follows the wall clock after BST starts (last Sunday in March)', () => {
    expect(isActive(lunchtime, at('2025-03-28T12:00:00Z'), LONDON)).toBe(true); // Friday, GMT
    expect(isActive(lunchtime, at('2025-03-31T12:00:00Z'), LONDON)).toBe(false); // Monday, BST: 13:00 local
    expect(isActive(lunchtime, at('2025-03-31T11:00:00Z'), LONDON)).toBe(true);
  });

  it('respects day boundaries', () => {
    const early = { windows: [{ days: ['mon' as const], from: '00:00', to: '09:00' }] };
    expect(isActive(early, at('2025-01-05T23:59:59Z'), LONDON)).toBe(false); // Sunday
    expect(isActive(early, at('2025-01-06T00:00:00Z'), LONDON)).toBe(true); // Monday
    const late = { windows: [{ days: ['sun' as const], from: '22:00', to: '23:59' }] };
    expect(isActive(late, at('2025-01-05T23:58:59Z'), LONDON)).toBe(true);
    expect(isActive(late, at('2025-01-05T23:59:00Z'), LONDON)).toBe(false);
    expect(isActive(lunchtime, at('2025-01-04T12:30:00Z'), LONDON)).toBe(false); // Saturday
  });

  it('reads other zones on their own clocks', () => {
    // 12:30 in New York (EST, UTC-5) on Monday 6 January 2025.
    expect(isActive(lunchtime, at('2025-01-06T17:30:00Z'), 'America/New_York')).toBe(true);
    expect(isActive(lunchtime, at('2025-01-06T17:30:00Z'), LONDON)).toBe(false);
  });

  it('ignores a window whose end is not after its start', () => {
    const odd = { windows: [{ days: [...weekdays], from: '13:00', to: '12:00' }] };
    expect(isActive(odd, at('2025-01-06T12:30:00Z'), LONDON)).toBe(false);
    expect(nextChange(odd, at('2025-01-06T12:30:00Z'), LONDON)).toBeUndefined();
  });
});

describe('nextChange', () => {
  it('finds the next opening across the autumn clock change', () => {
    // Friday 24 Oct 15:00 BST → Monday 27 Oct 12:00 GMT.
    expect(nextChange(lunchtime, at('2025-10-24T14:00:00Z'), LONDON)).toBe(at('2025-10-27T12:00:00Z'));
  });

  it('finds the next opening across the spring clock change', () => {
    expect(nextChange(lunchtime, at('2025-03-28T13:00:00Z'), LONDON)).toBe(at('2025-03-31T11:00:00Z'));
  });

  it('finds the closing of an open window, exclusive end', () => {
    expect(nextChange(lunchtime, at('2025-10-24T11:30:12.345Z'), LONDON)).toBe(at('2025-10-24T12:00:00Z'));
    expect(nextChange(lunchtime, at('2025-10-24T11:00:00Z'), LONDON)).toBe(at('2025-10-24T12:00:00Z'));
  });

  it('merges touching windows so only real changes are reported', () => {
    const morning = { windows: [{ days: ['mon' as const], from: '09:00', to: '10:00' }, { days: ['mon' as const], from: '10:00', to: '11:00' }] };
    expect(nextChange(morning, at('2025-01-06T09:30:00Z'), LONDON)).toBe(at('2025-01-06T11:00:00Z'));
  });

  it('skips a window that falls in the hour that does not exist in spring', () => {
    const night = { windows: [{ days: ['sun' as const], from: '01:00', to: '01:30' }] };
    // On 30 March 2025 the clock jumps from 01:00 GMT to 02:00 BST: 01:00–01:30 never happens.
    for (let m = 0; m < 180; m += 5) expect(isActive(night, at('2025-03-30T00:00:00Z') + m * 60_000, LONDON)).toBe(false);
    // The following Sunday, 01:00 BST is 00:00 UTC.
    expect(nextChange(night, at('2025-03-29T12:00:00Z'), LONDON)).toBe(at('2025-04-06T00:00:00Z'));
  });

  it('opens a window twice in the hour that happens twice in autumn', () => {
    const night = { windows: [{ days: ['sun' as const], from: '01:00', to: '01:30' }] };
    // 26 October 2025: 01:00–01:30 BST (00:00–00:30 UTC), then again 01:00–01:30 GMT (01:00–01:30 UTC).
    expect(nextChange(night, at('2025-10-25T12:00:00Z'), LONDON)).toBe(at('2025-10-26T00:00:00Z'));
    expect(nextChange(night, at('2025-10-26T00:10:00Z'), LONDON)).toBe(at('2025-10-26T00:30:00Z'));
    expect(nextChange(night, at('2025-10-26T00:30:00Z'), LONDON)).toBe(at('2025-10-26T01:00:00Z'));
    expect(nextChange(night, at('2025-10-26T01:00:00Z'), LONDON)).toBe(at('2025-10-26T01:30:00Z'));
    expect(isActive(night, at('2025-10-26T00:45:00Z'), LONDON)).toBe(false);
    expect(isActive(night, at('2025-10-26T01:15:00Z'), LONDON)).toBe(true);
  });

  it('closes a window that spans the clock change at its wall-clock end', () => {
    const night = { windows: [{ days: ['sun' as const], from: '00:00', to: '03:00' }] };
    // Autumn: 00:00 BST (23:00 UTC Saturday) to 03:00 GMT (03:00 UTC): four real hours.
    expect(nextChange(night, at('2025-10-25T23:30:00Z'), LONDON)).toBe(at('2025-10-26T03:00:00Z'));
    // Spring: 00:00 GMT to 03:00 BST (02:00 UTC): two real hours.
    expect(nextChange(night, at('2025-03-30T00:30:00Z'), LONDON)).toBe(at('2025-03-30T02:00:00Z'));
  });

  it('is undefined for a schedule with no usable window', () => {
    expect(nextChange({ windows: [] }, at('2025-01-06T09:30:00Z'), LONDON)).toBeUndefined();
  });

  // Brute force: the first whole minute after `after` whose state differs.
  function scan(schedule: Pick<Schedule, 'windows'>, after: number, zone: string): number | undefined {
    const initial = isActive(schedule, after, zone);
    const first = Math.floor(after / 60_000) * 60_000 + 60_000;
    for (let t = first; t < first + 9 * 1440 * 60_000; t += 60_000) if (isActive(schedule, t, zone) !== initial) return t;
    return undefined;
  }

  const window = fc.record({
    days: fc.uniqueArray(fc.constantFrom('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun' as const), { minLength: 1, maxLength: 7 }),
    from: fc.integer({ min: 0, max: 1438 }),
    length: fc.integer({ min: 1, max: 600 }),
  }).map(({ days, from, length }) => {
    const to = Math.min(from + length, 1439);
    const hm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    return { days, from: hm(from), to: hm(to) };
  });
  // Instants within a few days of the 2025 clock changes, where mistakes live.
  const instant = fc.tuple(fc.constantFrom(at('2025-03-30T01:00:00Z'), at('2025-10-26T01:00:00Z')), fc.integer({ min: -4 * 86_400_000, max: 4 * 86_400_000 }))
    .map(([base, delta]) => base + delta);

  it('agrees with a minute-by-minute scan near the clock changes', () => {
    fc.assert(fc.property(fc.array(window, { minLength: 1, maxLength: 3 }), instant, fc.constantFrom(LONDON, 'Europe/Paris', 'America/New_York'), (windows, after, zone) => {
      const schedule = { windows };
      const got = nextChange(schedule, after, zone);
      expect(got).toBe(scan(schedule, after, zone));
    }), { numRuns: 25 });
  });
});
