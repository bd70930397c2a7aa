// The five AUP dispositions read as "does this category block now, for this device?". One
// function, used both to compile the engine's masks and to explain them, so the explanation can
// never disagree with the decision.
import type { CategoryRule, Disposition } from '../../config/schema.ts';

/** What a rule needs to know about the moment and the device. */
export interface RuleContext {
  /** Whether the rule's schedule is active now; false for a missing or unknown schedule. */
  scheduleActive: boolean;
  /** The device's group, if any. */
  groupId: string | undefined;
}

export function inNominatedGroup(rule: CategoryRule, groupId: string | undefined): boolean {
  return groupId !== undefined && rule.groups !== undefined && rule.groups.includes(groupId);
}

/**
 * Whether the category blocks. A timed rule without a usable schedule and a nominated-users
 * rule without groups block: the configuration checker rejects both, and if one slips through,
 * "acceptable only sometimes / for some" must not quietly become "acceptable always".
 */
export function blocksNow(rule: CategoryRule, ctx: RuleContext): boolean {
  switch (rule.disposition) {
    case 'acceptable': return false;
    case 'acceptable-at-certain-times': return !ctx.scheduleActive;
    case 'acceptable-for-nominated-users': return !inNominatedGroup(rule, ctx.groupId);
    case 'unacceptable': return true;
    case 'unacceptable-and-illegal': return true;
  }
}

/** How the AUP tables print each disposition. */
export const DISPOSITION_TEXT: Readonly<Record<Disposition, string>> = {
  'acceptable': 'acceptable',
  'acceptable-at-certain-times': 'acceptable at certain times',
  'acceptable-for-nominated-users': 'acceptable for nominated users',
  'unacceptable': 'unacceptable',
  'unacceptable-and-illegal': 'unacceptable and illegal',
};
