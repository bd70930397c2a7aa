// What `schoolgate check NAME` shows for each list entry that covers a name. A shape that leaves
// the daemon (CLI JSON), so it is a TypeBox schema.
import { Type, type Static } from 'typebox';

const ListNumber = Type.Integer({ minimum: 0, maximum: 0xffff, description: 'the list the entry came from' });
const ListedKind = Type.Union([Type.Literal('block'), Type.Literal('allow')]);

export const RestrictedExplanation = Type.Object({
  kind: Type.Literal('restricted'),
  list: ListNumber,
}, { additionalProperties: false, description: 'a restricted (illegal-content) list covers the name; which entry is never shown' });
export type RestrictedExplanation = Static<typeof RestrictedExplanation>;

export const ListedExplanation = Type.Object({
  kind: ListedKind,
  suffix: Type.String({ description: 'the listed name: the asked name or one of its parents' }),
  mode: Type.Union([Type.Literal('suffix'), Type.Literal('exact'), Type.Literal('subdomains')]),
  category: Type.Optional(Type.String({ description: 'block entries only' })),
  list: ListNumber,
  line: Type.Integer({ minimum: 0 }),
}, { additionalProperties: false });
export type ListedExplanation = Static<typeof ListedExplanation>;

export const WithheldExplanation = Type.Object({
  kind: ListedKind,
  category: Type.Optional(Type.String()),
  list: ListNumber,
  withheld: Type.Literal(true, { description: 'the same name is on a restricted list, so where it is listed is not shown' }),
}, { additionalProperties: false });
export type WithheldExplanation = Static<typeof WithheldExplanation>;

export const MatchExplanation = Type.Union([RestrictedExplanation, ListedExplanation, WithheldExplanation]);
export type MatchExplanation = Static<typeof MatchExplanation>;
