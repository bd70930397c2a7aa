// The alerts section's rules the schema cannot express. Pure; semantic.ts calls it with the
// section once it passed the schema and the ids of the shipped keyword lists.
import { pointer, type ConfigIssue } from '../../config/issues.ts';
import type { Config } from '../../config/schema.ts';

export function alertsConfigIssues(alerts: Config['alerts'], keywordLists: readonly string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!alerts) return issues;
  // A list the school believes is flagging, but that does not exist, would flag nothing.
  alerts.keywords?.lists?.forEach((id, i) => {
    if (!keywordLists.includes(id)) issues.push({ path: pointer('alerts', 'keywords', 'lists', i), message: `there is no shipped keyword list "${id}" (lists: ${keywordLists.join(', ')})` });
  });
  const names = new Set<string>();
  alerts.contacts.forEach((c, i) => {
    const key = c.name.trim().toLowerCase();
    if (names.has(key)) issues.push({ path: pointer('alerts', 'contacts', i, 'name'), message: `"${c.name}" is already a contact: each person once, in escalation order` });
    names.add(key);
  });
  return issues;
}
