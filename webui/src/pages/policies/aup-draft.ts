// The AUP table being edited, pure: the rows as the API gave them turned into a draft per
// category, a choice applied to one row, the body a save sends, and the server's messages sorted
// by row. Nothing here touches the DOM, so the rules are the same on screen and in tests.
import type { AupEditBody, AupPolicy } from '../../../../firmware/admin/api/policy-schema.ts';
import type { CategoryRule, Disposition } from '../../../../firmware/config/schema.ts';

export type Draft = Record<string, CategoryRule>;

export function draftOf(policy: AupPolicy): Draft {
  return Object.fromEntries(policy.rows.map((r) => [r.category, { ...r.rule, ...(r.rule.groups ? { groups: [...r.rule.groups] } : {}) }]));
}

/**
 * A new disposition for one row. What the other dispositions asked for (a schedule, groups) is
 * kept in the draft, so moving away and back loses nothing typed; the server keeps only what the
 * saved disposition uses.
 */
export function choose(draft: Draft, category: string, disposition: Disposition, defaults: { schedule?: string }): Draft {
  const rule = { ...draft[category]!, disposition };
  if (disposition === 'acceptable-at-certain-times' && rule.schedule === undefined && defaults.schedule !== undefined) rule.schedule = defaults.schedule;
  return { ...draft, [category]: rule };
}

export function update(draft: Draft, category: string, patch: Partial<CategoryRule>): Draft {
  return { ...draft, [category]: { ...draft[category]!, ...patch } };
}

/**
 * Every unlocked row (the request replaces the policy's rows with these, all or nothing) and why
 * it is asked for: a change to what is filtered goes to two approvers, never straight in.
 */
export function bodyOf(policy: AupPolicy, draft: Draft, why: { rationale: string; riskNote: string }): AupEditBody {
  return {
    categories: Object.fromEntries(policy.rows.filter((r) => !r.locked).map((r) => [r.category, draft[r.category]!])),
    rationale: why.rationale.trim(),
    riskNote: why.riskNote.trim(),
  };
}

const PLAIN: Readonly<Record<Disposition, string>> = {
  'acceptable': 'acceptable',
  'acceptable-at-certain-times': 'acceptable at certain times',
  'acceptable-for-nominated-users': 'acceptable for nominated users',
  'unacceptable': 'unacceptable',
  'unacceptable-and-illegal': 'unacceptable and illegal',
};

/** The configuration's messages name dispositions as the file spells them; the table's column names read better. */
export function plainWords(message: string): string {
  return message.replace(/"(acceptable|acceptable-at-certain-times|acceptable-for-nominated-users|unacceptable|unacceptable-and-illegal)"/g, (_m, d: Disposition) => `“${PLAIN[d]}”`);
}

/** The server's messages ("categories/social/schedule") grouped by category; anything else under "". */
export function errorsByRow(fields: Record<string, string>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [path, raw] of Object.entries(fields)) {
    const message = plainWords(raw);
    const m = /^categories\/([^/]+)(?:\/([^/]+))?/.exec(path);
    const row = m?.[1] ?? '';
    const part = m ? (m[2] ?? 'disposition') : path;
    (out[row] ??= {})[part] = message;
  }
  return out;
}

export function changedRows(policy: AupPolicy, draft: Draft): string[] {
  const tidy = (r: CategoryRule) => JSON.stringify({
    d: r.disposition,
    s: r.disposition === 'acceptable-at-certain-times' ? r.schedule : undefined,
    g: r.disposition === 'acceptable-for-nominated-users' ? r.groups : undefined,
    w: r.watch === true,
  });
  return policy.rows.filter((r) => !r.locked && tidy(r.rule) !== tidy(draft[r.category]!)).map((r) => r.category);
}
