import { describe, expect, it } from 'vitest';
import { reviewConfigIssues } from '../../../../firmware/monitor/review/review-config-check.ts';
import { semanticIssues } from '../../../../firmware/config/semantic.ts';

describe('the review section', () => {
  it('takes the defaults and any deadline after the reminder', () => {
    expect(reviewConfigIssues(undefined)).toEqual([]);
    expect(reviewConfigIssues({})).toEqual([]);
    expect(reviewConfigIssues({ reminderDay: 'monday', reminderTime: '08:00', deadlineDay: 'monday', deadlineTime: '08:01' })).toEqual([]);
  });

  it('refuses a deadline at or before the reminder, naming both', () => {
    expect(reviewConfigIssues({ deadlineDay: 'monday', deadlineTime: '09:00' })).toEqual([
      { path: '/review/deadlineDay', message: 'the deadline (monday 09:00) must come after the reminder (monday 09:00), both in the week after the reviewed week' },
    ]);
    expect(reviewConfigIssues({ reminderDay: 'friday', reminderTime: '17:00' })[0]?.path).toBe('/review/deadlineTime');
  });

  it('is one of the configuration checks', () => {
    const issues = semanticIssues({ review: { reminderDay: 'saturday' } }, { categories: new Map() });
    expect(issues.map((i) => i.path)).toContain('/review/deadlineTime');
  });
});
