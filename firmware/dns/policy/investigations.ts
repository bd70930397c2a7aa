// Investigations as the policy engine reads them: one device (by MAC) under another policy from
// its approval until its expiry (config.investigations, written by change control). Its policy
// ranks above a voucher's and the group's. Reduced filtering never opens illegal content: the
// restricted lists decide before any policy, and every category some policy marks unacceptable
// and illegal (or a restricted list feeds) stays blocked for an investigated device whatever the
// investigation's policy says of it.
import type { InvestigationEntry } from '../../config/investigations-schema.ts';

export interface CompiledInvestigation {
  readonly entry: InvestigationEntry;
  readonly from: number;
  readonly until: number;
}

/** The entries that can take effect, by MAC. Dropped: an unknown policy, a time that does not parse, an empty span. */
export function compileInvestigations(entries: readonly InvestigationEntry[] | undefined, policies: ReadonlySet<string>): Map<string, CompiledInvestigation[]> {
  const out = new Map<string, CompiledInvestigation[]>();
  for (const entry of entries ?? []) {
    const from = Date.parse(entry.from);
    const until = Date.parse(entry.until);
    if (!policies.has(entry.policy) || !(from < until)) continue;
    const mac = entry.device.toLowerCase();
    let list = out.get(mac);
    if (!list) out.set(mac, list = []);
    list.push({ entry, from, until });
  }
  return out;
}

/** The investigation in force for `mac` at `now` (ms), if one is. */
export function investigationAt(compiled: ReadonlyMap<string, readonly CompiledInvestigation[]>, mac: string | undefined, now: number): CompiledInvestigation | undefined {
  if (mac === undefined || compiled.size === 0) return undefined;
  const list = compiled.get(mac);
  if (list === undefined) return undefined;
  for (const c of list) if (c.from <= now && now < c.until) return c;
  return undefined;
}
