// The shape of `schoolgate check`'s explanation (its --json output and the admin API's). Apart
// from explain.ts, which builds it, so that a DNS worker thread does not load TypeBox.
import { Type, type Static } from 'typebox';
import { Disposition } from '../../config/schema.ts';
import { DecisionSchema } from './decision-schema.ts';

const ScheduleState = Type.Object({
  id: Type.String(),
  name: Type.String(),
  known: Type.Boolean({ description: 'false when the policy names a schedule that does not exist (the category then blocks)' }),
  activeNow: Type.Boolean(),
  changesAt: Type.Optional(Type.String({ description: 'when it next opens or closes (ISO 8601, UTC)' })),
}, { additionalProperties: false });

export const CategoryExplanation = Type.Object({
  id: Type.String({ description: 'category id, or "bit-N" for a category the configuration never names' }),
  bit: Type.Integer({ minimum: 0, maximum: 63 }),
  configured: Type.Boolean({ description: 'false when the policy does not mention the category: acceptable by default' }),
  disposition: Disposition,
  blocksNow: Type.Boolean(),
  watch: Type.Boolean(),
  schedule: Type.Optional(ScheduleState),
  groups: Type.Optional(Type.Object({
    required: Type.Array(Type.String()),
    deviceGroup: Type.Union([Type.String(), Type.Null()]),
    member: Type.Boolean(),
  }, { additionalProperties: false })),
  unlock: Type.Optional(Type.Object({
    id: Type.String(),
    group: Type.String(),
    by: Type.String(),
    from: Type.String(),
    until: Type.String(),
    reason: Type.String(),
  }, { additionalProperties: false, description: "a teacher's class unlock opening the category for the device's group now" })),
  note: Type.String(),
}, { additionalProperties: false });
export type CategoryExplanation = Static<typeof CategoryExplanation>;

export const ExceptionStatus = Type.Union([
  Type.Literal('applied'),
  Type.Literal('overridden'),
  Type.Literal('superseded'),
  Type.Literal('not-considered'),
  Type.Literal('expired'),
  Type.Literal('other-network'),
  Type.Literal('other-group'),
]);

export const ExceptionExplanation = Type.Object({
  id: Type.String(),
  domain: Type.String(),
  action: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
  reason: Type.String(),
  requestedBy: Type.String(),
  expires: Type.Optional(Type.String()),
  status: ExceptionStatus,
  note: Type.String(),
}, { additionalProperties: false });
export type ExceptionExplanation = Static<typeof ExceptionExplanation>;

export const PolicyExplanation = Type.Object({
  id: Type.String(),
  name: Type.String(),
  source: Type.Union([Type.Literal('network'), Type.Literal('device-group'), Type.Literal('voucher'), Type.Literal('investigation')]),
  note: Type.String(),
}, { additionalProperties: false });

export const Explanation = Type.Object({
  name: Type.String(),
  network: Type.String(),
  deviceGroup: Type.Union([Type.String(), Type.Null()]),
  at: Type.String({ description: 'the instant decided for (ISO 8601, UTC)' }),
  localTime: Type.String({ description: "the same instant on the site's clock" }),
  timezone: Type.String(),
  policy: Type.Union([PolicyExplanation, Type.Null()]),
  restricted: Type.Boolean({ description: 'on an illegal-content list (contents never shown)' }),
  allowListed: Type.Boolean(),
  categories: Type.Array(CategoryExplanation, { description: "the categories whose lists contain the name, in bit order" }),
  exceptions: Type.Array(ExceptionExplanation, { description: 'every exception whose domain covers the name, most specific first' }),
  decision: DecisionSchema,
  summary: Type.String(),
}, { additionalProperties: false });
export type Explanation = Static<typeof Explanation>;
