// The investigations section's checks beyond the schema: ids unique, each names a policy that
// exists, does not end before it starts, lasts at most 14 days, and no device has two at once. These are
// the daemon's own writes, so a failure here means a hand edit or a bug: refused either way,
// since an entry the engine passed over would silently leave the device on its usual policy.
import { pointer, type ConfigIssue } from '../../config/issues.ts';
import type { Config } from '../../config/schema.ts';
import { INVESTIGATION_DAYS_MAX } from './investigation-schema.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export function investigationsConfigIssues(doc: Partial<Config>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string): void => { issues.push({ path, message }); };
  const policies = doc.policies ? new Set(doc.policies.map((p) => p.id)) : undefined;
  const seen = new Set<number>();
  const spans: { device: string; from: number; until: number }[] = [];
  doc.investigations?.forEach((inv, i) => {
    if (seen.has(inv.id)) add(pointer('investigations', i, 'id'), `investigation ${inv.id} is listed twice`);
    seen.add(inv.id);
    if (policies && !policies.has(inv.policy)) add(pointer('investigations', i, 'policy'), `policy "${inv.policy}" does not exist (policies: ${[...policies].join(', ')})`);
    const from = Date.parse(inv.from);
    const until = Date.parse(inv.until);
    if (Number.isNaN(from)) add(pointer('investigations', i, 'from'), `"${inv.from}" is not a date and time`);
    if (Number.isNaN(until)) add(pointer('investigations', i, 'until'), `"${inv.until}" is not a date and time`);
    if (Number.isNaN(from) || Number.isNaN(until)) return;
    // Equal when it was ended the instant it started: it never gave the device anything.
    if (until < from) add(pointer('investigations', i, 'until'), 'an investigation cannot end before it starts');
    else if (until - from > INVESTIGATION_DAYS_MAX * DAY_MS) add(pointer('investigations', i, 'until'), `an investigation may last at most ${INVESTIGATION_DAYS_MAX} days`);
    if (spans.some((s) => s.device === inv.device && s.from < until && from < s.until)) {
      add(pointer('investigations', i, 'device'), `device ${inv.device} is under another investigation at the same time`);
    }
    spans.push({ device: inv.device, from, until });
  });
  return issues;
}
