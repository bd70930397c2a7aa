// What the pages do to the configuration's `classes` section, kept apart from the routes so it is
// tested on plain documents: the head's limits (what teachers may unlock, for which classes, how
// long at most) as the Acceptable use page lists and edits them, and who teaches each class as the
// Networks page sets it. Each edit answers a problem beside its form field and keeps the other
// half of the section as it is.
import type { CategoryDefinition } from '../rules/catalogue.ts';
import type { ClassTeachers, UnlockLimit } from '../config/classes-schema.ts';
import type { Config } from '../config/schema.ts';
import type { ClassLimitsView } from './api/classes-schema.ts';
import { neverUnlocked } from '../dns/policy/class-unlocks.ts';
import { lockedCategories } from './aup-table.ts';
import { AuthError } from './auth/errors.ts';

/**
 * The categories a teacher could ever be allowed to unlock: never illegal content (a category
 * holding a restricted list, illegal on every kind of network, or marked unacceptable and illegal
 * by any policy), in the catalogue's title order.
 */
export function unlockableCategories(config: Pick<Config, 'lists' | 'policies'>, categories: ReadonlyMap<string, CategoryDefinition>): { id: string; title: string }[] {
  // The engine's own rule (a policy's illegal rows, restricted lists), and the catalogue's illegal-everywhere categories.
  const never = new Set([...neverUnlocked(config.policies, config.lists), ...lockedCategories(config, categories)]);
  return [...categories.values()].filter((c) => !never.has(c.id)).map((c) => ({ id: c.id, title: c.title })).sort((a, b) => a.title.localeCompare(b.title, 'en-GB'));
}

export function classLimitsView(config: Readonly<Config>, categories: ReadonlyMap<string, CategoryDefinition>, editable: boolean): ClassLimitsView {
  const groups = config.deviceGroups.map((g) => ({ id: g.id, name: g.name }));
  const groupName = (id: string) => groups.find((g) => g.id === id)?.name ?? id;
  return {
    limits: (config.classes?.unlocks ?? []).map((l) => ({
      category: l.category,
      title: categories.get(l.category)?.title ?? l.category,
      groups: l.groups === undefined ? null : l.groups.map((id) => ({ id, name: groupName(id) })),
      maxMinutes: l.maxMinutes,
    })),
    categories: unlockableCategories(config, categories),
    groups,
    editable,
  };
}

/**
 * The draft with the head's limits replaced by `unlocks`, the teachers kept. Refuses (400, a
 * message beside each field) a category that is unknown or may never be unlocked, a class that is
 * not a device group, and a category named twice; the rest (the minutes'
 * range) is the configuration's own validation.
 */
export function applyClassLimits(draft: Config, unlocks: readonly UnlockLimit[], categories: ReadonlyMap<string, CategoryDefinition>): void {
  const allowed = new Set(unlockableCategories(draft, categories).map((c) => c.id));
  const groups = new Set(draft.deviceGroups.map((g) => g.id));
  const fields: Record<string, string> = {};
  const seen = new Set<string>();
  unlocks.forEach((limit, i) => {
    if (!categories.has(limit.category)) fields[`unlocks/${i}/category`] = `there is no category "${limit.category}"`;
    else if (!allowed.has(limit.category)) fields[`unlocks/${i}/category`] = 'illegal content is blocked on every network: it can never be unlocked';
    // One limit per category (the configuration's rule): its classes are ticked on that one.
    else if (seen.has(limit.category)) fields[`unlocks/${i}/category`] = 'this category already has a limit above: tick every class it is for there';
    seen.add(limit.category);
    const unknown = (limit.groups ?? []).filter((g) => !groups.has(g));
    if (unknown.length > 0) fields[`unlocks/${i}/groups`] = `there is no class (device group) ${unknown.map((g) => `"${g}"`).join(', ')}`;
  });
  if (Object.keys(fields).length > 0) throw new AuthError(400, 'invalid', 'nothing was sent: see the limits marked', fields);
  const tidy = unlocks.map((l) => ({ category: l.category, ...(l.groups !== undefined && l.groups.length > 0 ? { groups: [...l.groups] } : {}), maxMinutes: l.maxMinutes }));
  draft.classes = { teachers: draft.classes?.teachers ?? [], unlocks: tidy };
}

/** "/classes/unlocks/2/maxMinutes" → "unlocks/2/maxMinutes": the limits form's own names. */
export function classLimitsFieldOf(path: string): string | undefined {
  return path.startsWith('/classes/unlocks') ? path.slice('/classes/'.length) : undefined;
}

/**
 * The draft with the teachers replaced, the limits kept: a class left with no one is dropped.
 * Refuses a class that is not a device group and an account that does not exist (by its field).
 */
export function applyClassTeachers(draft: Config, teachers: readonly ClassTeachers[], accountExists: (username: string) => boolean): ClassTeachers[] {
  const groups = new Set(draft.deviceGroups.map((g) => g.id));
  const fields: Record<string, string> = {};
  const seen = new Set<string>();
  teachers.forEach((t, i) => {
    if (!groups.has(t.group)) fields[`teachers/${i}/group`] = `there is no class (device group) "${t.group}"`;
    else if (seen.has(t.group)) fields[`teachers/${i}/group`] = 'this class is listed twice: list its teachers once';
    seen.add(t.group);
    const unknown = t.accounts.filter((a) => !accountExists(a));
    if (unknown.length > 0) fields[`teachers/${i}/accounts`] = `there is no account ${unknown.map((a) => `"${a}"`).join(', ')}`;
  });
  if (Object.keys(fields).length > 0) throw new AuthError(400, 'invalid', 'nothing was saved: see the classes marked', fields);
  const kept = teachers.filter((t) => t.accounts.length > 0).map((t) => ({ group: t.group, accounts: [...t.accounts] }));
  draft.classes = { teachers: kept, unlocks: draft.classes?.unlocks ?? [] };
  return kept;
}

/** "/classes/teachers/1/accounts/0" → "teachers/1/accounts". */
export function classTeachersFieldOf(path: string): string | undefined {
  const match = /^\/classes\/teachers\/(\d+)\/(group|accounts)/.exec(path);
  return match ? `teachers/${match[1]}/${match[2]}` : path.startsWith('/classes/teachers') ? 'teachers' : undefined;
}
