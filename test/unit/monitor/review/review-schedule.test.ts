// The weekly review's calendar from a clock and a time zone: the reminder and the deadline fall
// in the week after the reviewed one, on the school's clock across the clock changes, and what
// is due at an instant is each notice once, for weeks the gateway was running, until signed off.
import { describe, expect, it } from 'vitest';
import { deadlineOf, noticesDue, reminderOf, weekToReview, zonedInstant } from '../../../../firmware/monitor/review/review-schedule.ts';

const iso = (ms: number): string => new Date(ms).toISOString();
const LONDON = 'Europe/London';

describe('the calendar', () => {
  it('puts the reminder on Monday 09:00 and the deadline on Friday 17:00 of the week after, by default', () => {
    expect(iso(reminderOf('2026-11-30', LONDON))).toBe('2026-12-07T09:00:00.000Z');
    expect(iso(deadlineOf('2026-11-30', LONDON))).toBe('2026-12-11T17:00:00.000Z');
    // Summer time: 09:00 in London is 08:00 UTC.
    expect(iso(reminderOf('2026-06-22', LONDON))).toBe('2026-06-29T08:00:00.000Z');
    expect(iso(deadlineOf('2026-11-30', 'Asia/Kolkata'))).toBe('2026-12-11T11:30:00.000Z');
    expect(iso(deadlineOf('2026-11-30', LONDON, { deadlineDay: 'wednesday', deadlineTime: '12:30' }))).toBe('2026-12-09T12:30:00.000Z');
  });

  it('reads a time the clocks skip as the time after the skip, and a repeated one as the first', () => {
    expect(iso(zonedInstant('2026-03-29', '01:30', LONDON))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(zonedInstant('2026-10-25', '01:30', LONDON))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('reviews the last whole week, by the school\'s day', () => {
    expect(weekToReview(Date.parse('2026-12-07T10:00:00Z'), LONDON)).toBe('2026-11-30');
    // Sunday 23:30 UTC is already Monday in Auckland.
    expect(weekToReview(Date.parse('2026-12-06T23:30:00Z'), 'Pacific/Auckland')).toBe('2026-11-30');
    expect(weekToReview(Date.parse('2026-12-06T23:30:00Z'), LONDON)).toBe('2026-11-23');
  });
});

describe('what is due', () => {
  const base = { timezone: LONDON, firstWeek: '2026-11-03', signedOff: () => false, sent: () => false };

  it('reminds once the reminder time has come, and alerts once the deadline has passed', () => {
    expect(noticesDue({ ...base, now: Date.parse('2026-12-07T08:59:00Z'), firstWeek: '2026-11-30' })).toEqual([]);
    expect(noticesDue({ ...base, now: Date.parse('2026-12-07T09:00:00Z'), firstWeek: '2026-11-30' }))
      .toEqual([{ week: '2026-11-30', kind: 'reminder', dueAt: Date.parse('2026-12-07T09:00:00Z') }]);
    expect(noticesDue({ ...base, now: Date.parse('2026-12-11T17:00:00Z'), firstWeek: '2026-11-30' }))
      .toEqual([{ week: '2026-11-30', kind: 'overdue', dueAt: Date.parse('2026-12-11T17:00:00Z') }]);
  });

  it('sends nothing for a week signed off, nothing twice, and nothing for weeks before the gateway ran', () => {
    const now = Date.parse('2026-12-11T17:05:00Z');
    expect(noticesDue({ ...base, now, signedOff: (w) => w === '2026-11-30' }).map((n) => n.week)).toEqual(['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23']);
    expect(noticesDue({ ...base, now, sent: (w, k) => k === 'overdue' && w !== '2026-11-30' })).toEqual([{ week: '2026-11-30', kind: 'overdue', dueAt: Date.parse('2026-12-11T17:00:00Z') }]);
    expect(noticesDue({ ...base, now, firstWeek: '2026-12-07' })).toEqual([]);
  });
});
