// What makes a review due (DfE filtering and monitoring standard 2: review "when a safeguarding
// risk is identified, there is a change in working practice, or new technology is introduced"):
// a change to filtering, a firmware update, a network added, a guest (BYOD) network switched on,
// an incident. Pure: the daemon compares each configuration it applies with the one before, and
// each start's version with the last one; incidents call reviewDue themselves. A change request
// applied here changes the configuration, so configTriggers sees it; one sent to the upstream
// filtering provider changes filtering without changing this configuration, so change control
// calls reviewDue with upstreamChangeTrigger's item.
import type { Config } from '../../config/schema.ts';
import type { DueReason } from './review-schema.ts';

export interface DueTrigger {
  reason: DueReason;
  detail: string;
}

/** The configuration's filtering, section by section, in the words the review shows. */
const FILTERING: readonly { what: string; of: (c: Readonly<Config>) => unknown }[] = [
  { what: 'policies (categories, schedules, safe search)', of: (c) => c.policies },
  { what: 'schedules', of: (c) => c.schedules },
  { what: 'device groups', of: (c) => c.deviceGroups },
  { what: 'block and allow lists', of: (c) => c.lists },
  { what: 'exceptions (names allowed or blocked)', of: (c) => c.exceptions },
  { what: 'upstream DNS and its filtering', of: (c) => c.dns.upstreams },
  // The head's limits, not the unlocks made within them: a lesson's unlock is listed among the
  // week's changes (the audit log), and raising a review-due item for each would bury the rest.
  { what: 'what teachers may unlock for their classes', of: (c) => c.classes?.unlocks },
];

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The review-due items a configuration change raises: none when filtering and the networks are as before. */
export function configTriggers(before: Readonly<Config>, after: Readonly<Config>): DueTrigger[] {
  const triggers: DueTrigger[] = [];
  const old = new Map(before.networks.map((n) => [n.id, n]));
  const changed = FILTERING.filter((s) => !same(s.of(before), s.of(after))).map((s) => s.what);
  // A network's policy swapped is a filtering change; a new network's is part of its being new.
  const moved = after.networks.filter((n) => old.has(n.id) && old.get(n.id)!.policy !== n.policy);
  if (moved.length > 0) changed.push(`the policy of ${moved.map((n) => `"${n.name}"`).join(', ')}`);
  if (changed.length > 0) triggers.push({ reason: 'filtering-change', detail: `filtering changed: ${changed.join('; ')}` });
  for (const network of after.networks) {
    const was = old.get(network.id);
    if (was === undefined) {
      triggers.push({ reason: 'new-network', detail: `network "${network.name}" (${network.kind}) added${network.enabled ? '' : ', switched off'}` });
    } else if (network.kind === 'guest' && network.enabled && !(was.kind === 'guest' && was.enabled)) {
      triggers.push({ reason: 'byod-enabled', detail: `guest network "${network.name}" switched on: visitors' and personal devices join it` });
    }
  }
  return triggers;
}

/** A start on a version other than the last start's is a firmware update to review; a first start is not. */
export function firmwareTrigger(previous: string | undefined, current: string): DueTrigger | undefined {
  if (previous === undefined || previous === current) return undefined;
  return { reason: 'firmware-update', detail: `firmware ${previous} → ${current}` };
}

/** A change request sent to the upstream filtering provider: filtering changed, though this configuration did not. */
export function upstreamChangeTrigger(id: number, title: string, reference: string): DueTrigger {
  return { reason: 'filtering-change', detail: `change request ${id} sent to the filtering provider (${reference}): ${title}` };
}
