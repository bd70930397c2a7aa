// Class unlocks as the policy engine reads them: a teacher opened one category for one device
// group until a time (config.classUnlocks, written by firmware/classes/). Compiled once per
// engine; the engine's slot cache treats each start and end as a boundary, like a schedule's.
//
// A category any policy marks unacceptable-and-illegal, or that a restricted (illegal-content)
// list feeds, is never opened, whatever the configuration says: the configuration check refuses
// such limits, and this is the second lock on the same door.
import type { ClassUnlock } from '../../config/classes-schema.ts';
import type { ListSource, Policy } from '../../config/schema.ts';

export interface CompiledUnlock {
  readonly unlock: ClassUnlock;
  /** The category's matcher bit. */
  readonly bit: number;
  readonly from: number;
  readonly until: number;
}

/** The categories an unlock can never open: illegal in some policy, or fed by a restricted list. */
export function neverUnlocked(policies: readonly Policy[], lists: readonly Pick<ListSource, 'category' | 'restricted'>[]): Set<string> {
  const out = new Set<string>();
  for (const p of policies) {
    for (const [id, rule] of Object.entries(p.categories)) if (rule.disposition === 'unacceptable-and-illegal') out.add(id);
  }
  for (const l of lists) if (l.restricted === true) out.add(l.category);
  return out;
}

/**
 * The unlocks that can take effect, grouped by device group id. Dropped: a group or category the
 * engine does not know, a time that does not parse, an empty span, a category never unlocked.
 */
export function compileUnlocks(unlocks: readonly ClassUnlock[] | undefined, groups: ReadonlySet<string>, bitFor: (id: string) => number | undefined,
  never: ReadonlySet<string>): Map<string, CompiledUnlock[]> {
  const out = new Map<string, CompiledUnlock[]>();
  for (const unlock of unlocks ?? []) {
    if (!groups.has(unlock.group) || never.has(unlock.category)) continue;
    const bit = bitFor(unlock.category);
    const from = Date.parse(unlock.from);
    const until = Date.parse(unlock.until);
    if (bit === undefined || !(from < until)) continue;
    let list = out.get(unlock.group);
    if (!list) out.set(unlock.group, list = []);
    list.push({ unlock, bit, from, until });
  }
  return out;
}

/** The unlock opening `bit` for `group` at `now`, if one does. */
export function unlockAt(compiled: ReadonlyMap<string, readonly CompiledUnlock[]>, group: string | undefined, bit: number, now: number): CompiledUnlock | undefined {
  if (group === undefined) return undefined;
  return compiled.get(group)?.find((u) => u.bit === bit && u.from <= now && now < u.until);
}
