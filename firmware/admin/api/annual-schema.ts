// The Annual review page's API shapes: the reviews with their participants and sign-offs, what
// opens a review, adds a participant or records a sign-off, an external filter test, the
// data-processing statement, and the pack's query.
import { Type, type Static } from 'typebox';
import { AnnualReview, Day, ParticipantRole, SchoolYear } from '../../monitor/annual/annual-schema.ts';
import { ExternalTest } from '../../monitor/selftest/selftest-schema.ts';

export { AnnualReview };
export {
  AddParticipantParams, AnnualReviewList, DataStatement, OpenReviewParams, Participant, PARTICIPANT_ROLE_NAMES, SignOff,
  SignOffParams, StatementItem,
} from '../../monitor/annual/annual-schema.ts';
export { AddExternalParams } from '../../monitor/selftest/selftest-schema.ts';
export { ExternalTest };

export const YearPath = Type.Object({ year: SchoolYear }, { additionalProperties: false });
export type YearPath = Static<typeof YearPath>;

export const ParticipantBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  role: ParticipantRole,
  roleTitle: Type.Optional(Type.String({ maxLength: 120 })),
}, { additionalProperties: false });
export type ParticipantBody = Static<typeof ParticipantBody>;

export const SignOffBody = Type.Object({
  participant: Type.Integer({ minimum: 1 }),
  signedOn: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  comment: Type.String({ maxLength: 1000 }),
}, { additionalProperties: false });
export type SignOffBody = Static<typeof SignOffBody>;

export const PackQuery = Type.Object({
  year: SchoolYear,
  download: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0')], { description: '1: sent as a file to save, not a page to view' })),
}, { additionalProperties: false });
export type PackQuery = Static<typeof PackQuery>;


/** What the Annual review page loads: every year's review, the external tests, the networks to pick from, and what this account may do. */
export const AnnualView = Type.Object({
  reviews: Type.Array(AnnualReview, { description: 'newest year first' }),
  nextReview: Type.Union([Day, Type.Null()]),
  external: Type.Array(ExternalTest, { description: 'newest first' }),
  networks: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false })),
  canRecord: Type.Boolean({ description: 'whether this account may open a review and record participants, sign-offs and tests (monitoring.review)' }),
}, { additionalProperties: false });
export type AnnualView = Static<typeof AnnualView>;
