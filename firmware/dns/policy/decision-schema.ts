// The shape of a decision as logs, `schoolgate check --json` and the admin API show it. Apart from
// decision.ts, which the hot path uses, so that a DNS worker thread does not load TypeBox.
import { Type, type Static } from 'typebox';

export const DecisionReason = Type.Union([
  Type.Literal('restricted'),
  Type.Literal('exception-block'),
  Type.Literal('exception-allow'),
  Type.Literal('category'),
  Type.Literal('allow-list'),
  Type.Literal('none'),
  // The network is unknown or names a policy that does not exist: fail closed.
  Type.Literal('no-policy'),
], { description: 'what decided: checked in this order, the first that applies wins' });
export type DecisionReason = Static<typeof DecisionReason>;

export const DecisionSchema = Type.Object({
  action: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
  watch: Type.Boolean({ description: 'allowed, but the visit is an alert for the weekly review' }),
  reason: DecisionReason,
  category: Type.Optional(Type.String({ description: 'the category that blocked the name, or for a watched visit the watched category' })),
  exceptionId: Type.Optional(Type.String()),
}, { additionalProperties: false });
export type DecisionRecord = Static<typeof DecisionSchema>;
