// The review section's rule the schema cannot express. Pure; semantic.ts calls it once the section
// passed the schema.
import { pointer, type ConfigIssue } from '../../config/issues.ts';
import { REVIEW_DEFAULTS, WEEKDAYS, type ReviewSettings } from '../../config/review-schema.ts';

/** Minutes from Monday 00:00 of the week after the reviewed one. */
const at = (day: (typeof WEEKDAYS)[number], time: string): number => WEEKDAYS.indexOf(day) * 1440 + Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

export function reviewConfigIssues(review: ReviewSettings | undefined): ConfigIssue[] {
  if (!review) return [];
  const s = { ...REVIEW_DEFAULTS, ...review };
  // A deadline at or before the reminder means the overdue alert comes first and the reminder never goes.
  if (at(s.deadlineDay, s.deadlineTime) <= at(s.reminderDay, s.reminderTime)) {
    return [{
      path: pointer('review', review.deadlineDay !== undefined ? 'deadlineDay' : 'deadlineTime'),
      message: `the deadline (${s.deadlineDay} ${s.deadlineTime}) must come after the reminder (${s.reminderDay} ${s.reminderTime}), both in the week after the reviewed week`,
    }];
  }
  return [];
}
