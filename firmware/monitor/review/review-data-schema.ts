// The shapes of what the weekly review reads (review-data.ts): the review page, the reports and
// the CLI take these, described once.
import { Type, type Static } from 'typebox';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: "a day of the school's calendar, YYYY-MM-DD" });

export const ReviewWeekSpan = Type.Object({
  timezone: Type.String({ description: "the school's time zone, whose days these are" }),
  from: Day,
  to: Day,
  fromMs: Type.Integer({ description: 'the first instant of the week (Monday 00:00 at the school), ms since the epoch' }),
  toMs: Type.Integer({ description: 'the first instant after it' }),
}, { additionalProperties: false, description: 'a school week: Monday to Sunday, `to` is the next Monday (excluded)' });
export type ReviewWeekSpan = Static<typeof ReviewWeekSpan>;

export const DayTotal = Type.Object({
  day: Day,
  network: Type.String({ description: "'' for questions from no known network" }),
  category: Type.String({ description: "'' for names in no category" }),
  verdict: Type.String(),
  count: Type.Integer({ minimum: 1 }),
}, { additionalProperties: false });
export type DayTotal = Static<typeof DayTotal>;

export const CategoryCount = Type.Object({
  category: Type.String(),
  count: Type.Integer({ minimum: 1 }),
}, { additionalProperties: false });
export type CategoryCount = Static<typeof CategoryCount>;

export const RepeatedBlocks = Type.Object({
  device: Type.String({ description: 'a MAC, or the address of a client DHCP never named' }),
  count: Type.Integer({ minimum: 1, description: 'blocked questions in the week' }),
  categories: Type.Array(CategoryCount, { description: 'what was blocked, most first' }),
  visitors: Type.Optional(Type.Array(Type.String(), { description: 'on guest: "visitor NAME (ORG), sponsored by STAFF" for each voucher session of the device in the week; absent for a device never signed in with a voucher' })),
}, { additionalProperties: false });
export type RepeatedBlocks = Static<typeof RepeatedBlocks>;

export const ReviewWeek = Type.Object({
  week: ReviewWeekSpan,
  totals: Type.Array(DayTotal, { description: 'questions per day, network, category and verdict' }),
  topBlockedCategories: Type.Array(CategoryCount, { description: 'the categories blocked most in the week, most first' }),
  repeatedBlocks: Type.Array(RepeatedBlocks, { description: 'devices blocked at least `minBlocked` times in the week, most first' }),
  minBlocked: Type.Integer({ minimum: 1 }),
}, { additionalProperties: false });
export type ReviewWeek = Static<typeof ReviewWeek>;

export const HourTotal = Type.Object({
  hour: Type.Integer({ description: 'start of the hour, ms since the epoch' }),
  network: Type.String(),
  category: Type.String(),
  verdict: Type.String(),
  count: Type.Integer({ minimum: 1 }),
}, { additionalProperties: false });
export type HourTotal = Static<typeof HourTotal>;

export const DeviceWeek = Type.Object({
  device: Type.String(),
  week: ReviewWeekSpan,
  hours: Type.Array(HourTotal, { description: 'hour by hour, oldest first' }),
  categories: Type.Array(Type.Object({
    category: Type.String(),
    verdict: Type.String(),
    count: Type.Integer({ minimum: 1 }),
  }, { additionalProperties: false }), { description: 'the week by category and verdict, most first' }),
  visitors: Type.Optional(Type.Array(Type.String(), { description: 'on guest: "visitor NAME (ORG), sponsored by STAFF" for each voucher session of the device in the week; absent for a device never signed in with a voucher' })),
}, { additionalProperties: false });
export type DeviceWeek = Static<typeof DeviceWeek>;
