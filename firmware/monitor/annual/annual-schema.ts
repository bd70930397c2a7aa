// The annual review of filtering and monitoring: a school year, who took part (the senior leader,
// the DSL, the IT provider, a governor) and each one's sign-off. The control methods, the CLI's
// --json output, the admin API and state.db's rows all use these shapes.
import { Type, type Static } from 'typebox';
import { DAY_PATTERN } from '../selftest/selftest-schema.ts';
import { PARTICIPANT_ROLES } from './participant-roles.ts';

export const Day = Type.String({ pattern: DAY_PATTERN, description: 'a calendar day, YYYY-MM-DD' });

export const SchoolYear = Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'a school year as schools write it: "2026-27" runs from September 2026 to August 2027' });
export type SchoolYear = Static<typeof SchoolYear>;

export { PARTICIPANT_ROLES, PARTICIPANT_ROLE_NAMES } from './participant-roles.ts';
export const ParticipantRole = Type.Enum(PARTICIPANT_ROLES, { description: 'the part a person plays in the review (not an account\'s role)' });
export type ParticipantRole = Static<typeof ParticipantRole>;

export const SignOff = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  signedOn: Day,
  comment: Type.String({ maxLength: 1000 }),
  recordedAt: Type.String({ description: 'when it was recorded (UTC)' }),
  recordedBy: Type.String({ description: 'the account or SSH user who recorded it' }),
}, { additionalProperties: false });
export type SignOff = Static<typeof SignOff>;

export const Participant = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  name: Type.String({ minLength: 1, maxLength: 120 }),
  role: ParticipantRole,
  roleTitle: Type.Optional(Type.String({ minLength: 1, maxLength: 120, description: 'their title as the school writes it: "Deputy headteacher", "Chair of governors"' })),
  addedAt: Type.String(),
  addedBy: Type.String(),
  signOffs: Type.Array(SignOff, { description: 'oldest first; a later one stands beside, never replaces, an earlier one' }),
}, { additionalProperties: false });
export type Participant = Static<typeof Participant>;

export const AnnualReview = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  year: SchoolYear,
  starts: Day,
  ends: Day,
  nextReview: Day,
  createdAt: Type.String(),
  createdBy: Type.String(),
  participants: Type.Array(Participant),
}, { additionalProperties: false });
export type AnnualReview = Static<typeof AnnualReview>;

export const OpenReviewParams = Type.Object({
  year: SchoolYear,
  starts: Type.Optional(Day),
  ends: Type.Optional(Day),
  nextReview: Type.Optional(Day),
}, { additionalProperties: false, description: 'opens the review of a school year (default 1 September to 31 August; the next review a year after today)' });
export type OpenReviewParams = Static<typeof OpenReviewParams>;

export const AddParticipantParams = Type.Object({
  year: SchoolYear,
  name: Type.String({ minLength: 1, maxLength: 120 }),
  role: ParticipantRole,
  roleTitle: Type.Optional(Type.String({ maxLength: 120 })),
}, { additionalProperties: false });
export type AddParticipantParams = Static<typeof AddParticipantParams>;

export const SignOffParams = Type.Object({
  year: SchoolYear,
  participant: Type.Integer({ minimum: 1 }),
  signedOn: Day,
  comment: Type.String({ maxLength: 1000 }),
}, { additionalProperties: false });
export type SignOffParams = Static<typeof SignOffParams>;

export const YearParams = Type.Object({ year: SchoolYear }, { additionalProperties: false });
export type YearParams = Static<typeof YearParams>;

export const AnnualReviewList = Type.Object({
  reviews: Type.Array(AnnualReview, { description: 'newest year first' }),
  nextReview: Type.Union([Day, Type.Null()], { description: 'the next annual review date the latest review set' }),
}, { additionalProperties: false });
export type AnnualReviewList = Static<typeof AnnualReviewList>;

export const PackResult = Type.Object({
  year: SchoolYear,
  html: Type.String({ description: 'the whole print-ready document' }),
  ms: Type.Number({ description: 'how long rendering took' }),
}, { additionalProperties: false });
export type PackResult = Static<typeof PackResult>;

export const StatementItem = Type.Object({
  id: Type.String(),
  what: Type.String({ description: 'the record, as the school would name it' }),
  holds: Type.String({ description: 'what it contains, and whom it can identify' }),
  personal: Type.Boolean({ description: 'whether it is personal data (names a person, or a device someone uses)' }),
  why: Type.String({ description: 'the purpose it serves' }),
  where: Type.String({ description: 'the store on the gateway' }),
  tables: Type.Array(Type.String(), { description: 'the tables (or files) that hold it' }),
  kept: Type.String({ description: 'for how long, in words, from the retention settings' }),
  setting: Type.Union([Type.String(), Type.Null()], { description: 'the retention setting that governs it, or null where none does' }),
  whoCanSee: Type.Array(Type.String(), { description: 'the roles that can see it, in words' }),
}, { additionalProperties: false });
export type StatementItem = Static<typeof StatementItem>;

export const DataStatement = Type.Object({
  site: Type.String(),
  at: Type.String({ description: 'when it was generated (UTC)' }),
  location: Type.String(),
  items: Type.Array(StatementItem),
  exports: Type.Array(Type.String(), { description: 'how what leaves the gateway is protected' }),
}, { additionalProperties: false });
export type DataStatement = Static<typeof DataStatement>;
