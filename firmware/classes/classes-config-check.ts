// The class view's configuration checks beyond the schema: a class is a device group that exists,
// listed once; each limit names a category the catalogue knows, once, for classes that exist, and
// never one that a policy marks unacceptable and illegal or a restricted list feeds (the schools'
// policies: illegal content is never excepted, by anyone). The unlocks made are the daemon's own
// writes: their ids are unique and each ends after it starts; a group or policy changed since
// does not refuse the document (the DNS engine passes over an unlock it cannot apply).
import { pointer, type ConfigIssue } from '../config/issues.ts';
import type { Config } from '../config/schema.ts';
import { neverUnlocked } from '../dns/policy/class-unlocks.ts';

export function classesConfigIssues(doc: Partial<Config>, knownCategories: ReadonlySet<string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string): void => { issues.push({ path, message }); };
  const groups = doc.deviceGroups ? new Set(doc.deviceGroups.map((g) => g.id)) : undefined;
  const groupRef = (id: string, path: string): void => {
    if (groups && !groups.has(id)) add(path, `device group "${id}" does not exist (known: ${[...groups].map((g) => `"${g}"`).join(', ') || 'none defined'})`);
  };

  const seenGroup = new Set<string>();
  doc.classes?.teachers.forEach((t, i) => {
    if (seenGroup.has(t.group)) add(pointer('classes', 'teachers', i, 'group'), `class "${t.group}" is listed twice: list all its teachers in one entry`);
    seenGroup.add(t.group);
    groupRef(t.group, pointer('classes', 'teachers', i, 'group'));
  });

  const never = neverUnlocked(doc.policies ?? [], doc.lists ?? []);
  const seenCategory = new Set<string>();
  doc.classes?.unlocks.forEach((l, i) => {
    const at = pointer('classes', 'unlocks', i, 'category');
    if (seenCategory.has(l.category)) add(at, `category "${l.category}" is listed twice: one limit per category`);
    seenCategory.add(l.category);
    if (!knownCategories.has(l.category)) add(at, `unknown category "${l.category}"`);
    if (never.has(l.category)) {
      add(at, `"${l.category}" can never be unlocked for a class: a policy marks it unacceptable and illegal, or a restricted (illegal-content) list feeds it`);
    }
    l.groups?.forEach((g, j) => groupRef(g, pointer('classes', 'unlocks', i, 'groups', j)));
  });

  const seenId = new Set<string>();
  doc.classUnlocks?.forEach((u, i) => {
    if (seenId.has(u.id)) add(pointer('classUnlocks', i, 'id'), `duplicate unlock id "${u.id}"`);
    seenId.add(u.id);
    const from = Date.parse(u.from);
    const until = Date.parse(u.until);
    if (Number.isNaN(from)) add(pointer('classUnlocks', i, 'from'), `"${u.from}" is not a date and time`);
    if (Number.isNaN(until)) add(pointer('classUnlocks', i, 'until'), `"${u.until}" is not a date and time`);
    else if (!(from < until)) add(pointer('classUnlocks', i, 'until'), 'an unlock must end after it starts');
  });
  return issues;
}
