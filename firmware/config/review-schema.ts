// When the weekly review's reminder goes out and when a review is overdue: the configuration's
// `review` section. Optional: without it the defaults below apply. The reviewed week is Monday to
// Sunday; the reminder and the deadline fall in the week after it, so the head reviews a whole
// week once it is over. Default deadline Friday 17:00: a full school week to find the time, and
// still before the weekend, so the DSL hears of a missed review while someone is in school.
import { Type, type Static } from 'typebox';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

const Time = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: "HH:MM on the school's clock" });

export const ReviewSettings = Type.Object({
  reminderDay: Type.Optional(Type.Union([Type.Literal('monday'), Type.Literal('tuesday'), Type.Literal('wednesday'), Type.Literal('thursday'), Type.Literal('friday'), Type.Literal('saturday'), Type.Literal('sunday')], { description: 'the day of the week after the reviewed week on which the reminder is e-mailed (default monday)' })),
  reminderTime: Type.Optional(Type.String({ ...Time, description: "when the reminder is e-mailed, on the school's clock (default 09:00)" })),
  deadlineDay: Type.Optional(Type.Union([Type.Literal('monday'), Type.Literal('tuesday'), Type.Literal('wednesday'), Type.Literal('thursday'), Type.Literal('friday'), Type.Literal('saturday'), Type.Literal('sunday')], { description: 'the day of the week after the reviewed week by which it must be signed off (default friday)' })),
  deadlineTime: Type.Optional(Type.String({ ...Time, description: "the time of day of the deadline (default 17:00); a review not signed off by then alerts the DSL and the trust reviewer" })),
}, { additionalProperties: false, description: 'the weekly review: its reminder and its deadline' });
export type ReviewSettings = Static<typeof ReviewSettings>;

export const REVIEW_DEFAULTS: Required<ReviewSettings> = { reminderDay: 'monday', reminderTime: '09:00', deadlineDay: 'friday', deadlineTime: '17:00' };
