// What the policy engine is asked (one name, as the matcher saw it, for one device) and what it
// answers. The answer is a reusable object the caller owns, so the hot path allocates nothing.
import type { Policy } from '../../config/schema.ts';
import type { DecisionReason, DecisionRecord } from './decision-schema.ts';

export type { DecisionReason, DecisionRecord };

export interface DecisionInput {
  networkId: string;
  /** The device's group, if it has one. A group that no longer exists counts as none. */
  groupId?: string | undefined;
  /** The policy of the voucher a guest device signed in with: replaces the group's and the network's (an unknown one is passed over). */
  policyId?: string | undefined;
  /** The device's MAC (lower case, colons) when a lease names it: per-device exceptions and investigations match on it. */
  mac?: string | undefined;
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
