// What a page's edit would change in the configuration, as the edits a change request holds: each
// value that differs between the current document and the draft the page built, with its JSON
// pointer, before and after. Applying later checks each `before` again, so the edits are as small
// as the change allows: a policy's one category rule, not the whole policy.
//
// Arrays are compared item by item only when their lengths agree; otherwise the whole array is one
// edit, since an item inserted in the middle would otherwise show as every later item changed and
// be replayed as many edits that only make sense together.
import { isDeepStrictEqual } from 'node:util';
import { pointer } from '../../config/issues.ts';
import type { ConfigEdit } from './change-schema.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A copy that shares nothing with the document it came from (a frozen snapshot, a draft). */
const detached = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json;

function walk(before: unknown, after: unknown, tokens: (string | number)[], out: ConfigEdit[]): void {
  // The same equality applying uses (change-apply.ts), so an edit is made exactly where it would be checked.
  if (isDeepStrictEqual(before, after)) return;
  if (isObject(before) && isObject(after)) {
    // Keys in the current document's order first, then the draft's new ones: edits read in the order a person knows.
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !Object.hasOwn(before, k))];
    for (const key of keys) walk(before[key], after[key], [...tokens, key], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((item, i) => walk(item, after[i], [...tokens, i], out));
    return;
  }
  const edit: ConfigEdit = { path: pointer(...tokens) };
  if (before !== undefined) edit.before = detached(before);
  if (after !== undefined) edit.after = detached(after);
  out.push(edit);
}

/**
 * The edits that turn `current` into `draft` (both configuration documents, or any JSON objects).
 * Empty when nothing differs. The whole document is never one edit: its root has no pointer a
 * change request may name.
 */
export function configDiff(current: unknown, draft: unknown): ConfigEdit[] {
  if (!isObject(current) || !isObject(draft)) throw new TypeError('configDiff compares two documents (JSON objects)');
  const out: ConfigEdit[] = [];
  walk(current, draft, [], out);
  return out;
}
