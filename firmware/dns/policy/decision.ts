// What the policy engine is asked (one name, as the matcher saw it, for one device) and what it
// answers. The answer is a reusable object the caller owns, so the hot path allocates nothing.
import { Type, type Static } from 'typebox';
import type { Policy } from '../../config/schema.ts';

export interface DecisionInput {
  networkId: string;
  /** The device's group, if it has one. A group that no longer exists counts as none. */
  groupId?: string | undefined;
  /** Lower-case, without the final dot, as the wire reader gives it. */
  name: string;
  /** The matcher's union of categories listing the name: bits 0..31 and 32..63. */
  blockLo: number;
  blockHi: number;
  /** An allow-list entry matched the name. */
  allowed: boolean;
  /** An illegal-content (restricted) list matched the name. */
  restricted: boolean;
}

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

export class Decision {
  action: 'allow' | 'block' = 'allow';
  watch = false;
  reason: DecisionReason = 'none';
  /** For reason 'category' the blocking category; for an allowed, watched visit the watched one. */
  category: string | undefined = undefined;
  exceptionId: string | undefined = undefined;
  /** The policy that applied (for its safe-search mode and block answer); undefined for 'restricted' before lookup or 'no-policy'. */
  policy: Policy | undefined = undefined;

  reset(): this {
    this.action = 'allow';
    this.watch = false;
    this.reason = 'none';
    this.category = undefined;
    this.exceptionId = undefined;
    this.policy = undefined;
    return this;
  }

  /** A plain copy for logs and the CLI. */
  toRecord(): DecisionRecord {
    const record: DecisionRecord = { action: this.action, watch: this.watch, reason: this.reason };
    if (this.category !== undefined) record.category = this.category;
    if (this.exceptionId !== undefined) record.exceptionId = this.exceptionId;
    return record;
  }
}
