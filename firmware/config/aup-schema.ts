// The optional `aup` section: the school's acceptable use policy as the splash shows it to staff
// and pupil devices (issue #21). Off unless a network is named: a school turns it on per network,
// and guests accept the portal's own terms instead.
import { Type, type Static } from 'typebox';
import { Id } from './schema-common.ts';

export const AupSettings = Type.Object({
  version: Type.String({ pattern: '^[A-Za-z0-9._-]{1,32}$', description: 'the AUP\'s version, recorded with each acceptance (e.g. 2026-27); a new version asks every device again' }),
  text: Type.String({ minLength: 1, maxLength: 20_000, description: 'the acceptable use policy staff devices are shown, plain text; blank lines separate paragraphs' }),
  pupilText: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000, description: 'the pupils\' version, for a child\'s reading age (default: the built-in one)' })),
  splashOn: Type.Array(Id, { maxItems: 32, uniqueItems: true, description: 'the staff, pupil and other non-guest networks whose devices must accept this version before their plain web requests go out (default none)' }),
}, { additionalProperties: false });
export type AupSettings = Static<typeof AupSettings>;
