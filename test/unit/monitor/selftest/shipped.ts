// The shipped defaults as the daemon serves them: the starter lists compiled by the real
// compileLists into a FilterState, for the self-test's plan and service tests.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CATALOGUE, CATEGORY_SEVERITY } from '../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../firmware/config/schema.ts';
import { FilterState } from '../../../../firmware/dns/policy/filter-state.ts';
import { SafeSearch } from '../../../../firmware/dns/policy/safe-search-map.ts';
import { categoryTests } from '../../../../firmware/monitor/selftest/plan.ts';
import { RULES_DIR } from '../../../../firmware/paths.ts';
import { compileLists } from '../../../../firmware/rules/load-lists.ts';

export const CATEGORIES = categoryTests(CATALOGUE);

/** Wednesday 15 January 2025, GMT (London time is UTC): a school morning, and lunchtime. */
export const WEDNESDAY_10AM = Date.UTC(2025, 0, 15, 10, 0, 0);
export const WEDNESDAY_1230 = Date.UTC(2025, 0, 15, 12, 30, 0);

export const safeSearch = SafeSearch.load(readFileSync(join(RULES_DIR, 'safe-search', 'google-domains.txt'), 'utf8'));

/** Writes `files` (name -> text) into `listsDir` and compiles `config`'s lists into a FilterState. */
export async function filterFor(config: Config, listsDir: string, files: Record<string, string> = {}): Promise<FilterState> {
  await mkdir(listsDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(listsDir, name), text);
  const compiled = await compileLists(config, { listsDir, seed: 0x5e1f });
  return new FilterState(config, compiled.matcher, compiled.listIds, { safeSearch, severity: CATEGORY_SEVERITY }, compiled.extras);
}
