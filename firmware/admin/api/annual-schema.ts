// The Annual review page's API shapes: the reviews with their participants and sign-offs, what
// opens a review, adds a participant or records a sign-off, an external filter test, the
// data-processing statement, and the pack's query.
import { Type, type Static } from 'typebox';
import { SchoolYear } from '../../monitor/annual/annual-schema.ts';

export {
  AddParticipantParams, AnnualReview, AnnualReviewList, DataStatement, OpenReviewParams, Participant, PARTICIPANT_ROLE_NAMES, SignOff,
  SignOffParams, StatementItem,
} from '../../monitor/annual/annual-schema.ts';
export { AddExternalParams, ExternalTest } from '../../monitor/selftest/selftest-schema.ts';

export const YearPath = Type.Object({ year: SchoolYear }, { additionalProperties: false });
export type YearPath = Static<typeof YearPath>;

export const ParticipantBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  role: Type.Enum(['senior-leader', 'dsl', 'it-provider', 'governor', 'other']),
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

