// The AUP table, pure: built from the configuration and the catalogue, and an edit of one policy's
// rows turned into the next configuration. Locked rows (illegal content) cannot be changed here:
// the restricted lists block on every network whatever a policy says, so the table must not
// suggest otherwise.
import type { CategoryRule, Config, Disposition, Policy } from '../config/schema.ts';
import type { CategoryDefinition } from '../rules/catalogue.ts';
import { AuthError } from './auth/errors.ts';
import type { AupPolicy, AupTables } from './api/policy-schema.ts';

export const DISPOSITION_LABELS: readonly { value: Disposition; label: string }[] = [
  { value: 'acceptable', label: 'Acceptable' },
  { value: 'acceptable-at-certain-times', label: 'Acceptable at certain times' },
  { value: 'acceptable-for-nominated-users', label: 'Acceptable for nominated users' },
  { value: 'unacceptable', label: 'Unacceptable' },
  { value: 'unacceptable-and-illegal', label: 'Unacceptable and illegal' },
];

const LOCKED_RULE: CategoryRule = { disposition: 'unacceptable-and-illegal' };

/** Categories that hold a restricted list, or that the catalogue calls illegal on every kind of network. */
export function lockedCategories(config: Pick<Config, 'lists'>, categories: ReadonlyMap<string, CategoryDefinition>): Set<string> {
  const locked = new Set<string>();
  for (const list of config.lists) if (list.restricted && list.enabled) locked.add(list.category);
  for (const [id, def] of categories) {
    if (Object.values(def.dispositions).every((d) => d === 'unacceptable-and-illegal')) locked.add(id);
  }
  return locked;
}

/** "Mon–Fri 12:00–13:00" for each window, joined: how a schedule reads in the table. */
export function scheduleSummary(schedule: Config['schedules'][number]): string {
  const day = (d: string) => d.charAt(0).toUpperCase() + d.slice(1);
  return schedule.windows.map((w) => {
    const days = w.days.join(',') === 'mon,tue,wed,thu,fri' ? 'Mon–Fri' : w.days.map(day).join(', ');
    return `${days} ${w.from}–${w.to}`;
  }).join('; ');
}

export function aupPolicy(config: Readonly<Config>, policy: Readonly<Policy>, categories: ReadonlyMap<string, CategoryDefinition>): AupPolicy {
  const locked = lockedCategories(config, categories);
  // The catalogue's order (most severe first) is the order a school's written policy lists them.
  const rows = [...categories.values()].map((def) => {
    const isLocked = locked.has(def.id);
    const rule = isLocked ? LOCKED_RULE : (policy.categories[def.id] ?? { disposition: 'acceptable' as const });
    return { category: def.id, title: def.title, description: def.description, severity: def.severity, rule: { ...rule, ...(rule.groups ? { groups: [...rule.groups] } : {}) }, locked: isLocked };
  });
  return {
    id: policy.id,
    name: policy.name,
    safeSearch: policy.safeSearch,
    networks: config.networks.filter((n) => n.policy === policy.id).map((n) => ({ id: n.id, name: n.name })),
    groups: config.deviceGroups.filter((g) => g.policy === policy.id).map((g) => ({ id: g.id, name: g.name })),
    rows,
  };
}

export function aupTables(config: Readonly<Config>, categories: ReadonlyMap<string, CategoryDefinition>, at: Date, editable: boolean): AupTables {
  return {
    site: config.site.name,
    at: at.toISOString(),
    dispositions: DISPOSITION_LABELS.map((d) => ({ ...d })),
    schedules: config.schedules.map((s) => ({ id: s.id, name: s.name, summary: scheduleSummary(s) })),
    deviceGroups: config.deviceGroups.map((g) => ({ id: g.id, name: g.name })),
    policies: config.policies.map((p) => aupPolicy(config, p, categories)),
    editable,
  };
}

export interface AupEdit {
  next: Config;
  changed: string[];
}

/**
 * The configuration with policy `policyId`'s rows replaced by `rows`. Refuses (400, a message per
 * row) a locked row given anything but "unacceptable and illegal", and a category the catalogue
 * does not know; everything else is left to the configuration's own validation.
 */
export function applyAupEdit(draft: Config, policyId: string, rows: Readonly<Record<string, CategoryRule>>,
  categories: ReadonlyMap<string, CategoryDefinition>): AupEdit {
  const index = draft.policies.findIndex((p) => p.id === policyId);
  if (index < 0) throw new AuthError(404, 'not-found', `there is no policy "${policyId}"`);
  const policy = draft.policies[index]!;
  const locked = lockedCategories(draft, categories);
  const fields: Record<string, string> = {};
  for (const [category, rule] of Object.entries(rows)) {
    if (!categories.has(category)) fields[`categories/${category}`] = `there is no category "${category}"`;
    else if (locked.has(category) && rule.disposition !== 'unacceptable-and-illegal') {
      fields[`categories/${category}/disposition`] = 'illegal content is blocked on every network: this row cannot be changed';
    }
  }
  if (Object.keys(fields).length > 0) throw new AuthError(400, 'invalid', 'the policy was not saved: see the rows marked', fields);
  const changed: string[] = [];
  const next: Record<string, CategoryRule> = { ...policy.categories };
  for (const [category, rule] of Object.entries(rows)) {
    const clean = tidyRule(rule);
    if (JSON.stringify(next[category] ?? null) !== JSON.stringify(clean)) changed.push(category);
    next[category] = clean;
  }
  draft.policies[index] = { ...policy, categories: next };
  return { next: draft, changed };
}

/**
 * A rule keeps only what its disposition uses: a schedule left over from "at certain times" would
 * otherwise linger in the file after the row moved to "unacceptable", unseen in the table.
 */
function tidyRule(rule: CategoryRule): CategoryRule {
  const tidy: CategoryRule = { disposition: rule.disposition };
  if (rule.disposition === 'acceptable-at-certain-times' && rule.schedule !== undefined) tidy.schedule = rule.schedule;
  if (rule.disposition === 'acceptable-for-nominated-users' && rule.groups !== undefined) tidy.groups = [...rule.groups];
  if (rule.watch) tidy.watch = true;
  return tidy;
}
