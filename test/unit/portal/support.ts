// A block page over the real lists and policy engine: lists compiled from text into a DNS service
// that is never started (no sockets), whose filter is what `schoolgate check` and the page read.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { CATALOGUE, CATEGORY_SEVERITIES, CATEGORY_SEVERITY } from '../../../firmware/config/defaults.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { checkName } from '../../../firmware/dns/policy/check-name.ts';
import { DnsService } from '../../../firmware/dns/service.ts';
import { silentLogger } from '../../../firmware/log.ts';
import type { AlertCandidate } from '../../../firmware/monitor/alerts/alert-schema.ts';
import { blockPageHandler } from '../../../firmware/portal/block/handler.ts';
import { SlidingWindowLimit } from '../../../firmware/portal/rate-limit.ts';
import { ReportTokens } from '../../../firmware/portal/report-token.ts';
import { compileLists } from '../../../firmware/rules/load-lists.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { baseConfig, writeLists, type ListSpec } from '../dns/filtering/harness.ts';

export const SOCIAL: ListSpec = { id: 'social', name: 'Social networks', category: 'social', text: 'chatter.test\n' };
export const GAMES: ListSpec = { id: 'games', name: 'Games', category: 'gaming', text: 'games.test\n' };
export const IWF: ListSpec = { id: 'iwf', name: 'IWF', category: 'illegal', restricted: true, text: 'hidden-abuse.test\n' };

export interface PageWorld {
  config: Config;
  service: DnsService;
  state: StateDatabase;
  raised: AlertCandidate[];
  tokens: ReportTokens;
  handler: ReturnType<typeof blockPageHandler>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

export async function pageWorld(edit?: (c: Config) => void, limit = new SlidingWindowLimit(5, 3_600_000)): Promise<PageWorld> {
  const lists = [SOCIAL, GAMES, IWF];
  const config = baseConfig(9, lists);
  config.site.name = 'St Anne\'s <Primary>';
  edit?.(config);
  const listsDir = await mkdtemp(join(tmpdir(), 'schoolgate-blockpage-'));
  await writeLists(listsDir, lists);
  const compiled = await compileLists(config, { listsDir, seed: 0x5eed });
  const service = new DnsService({ config, severity: CATEGORY_SEVERITY, logger: silentLogger(), resolvConfPath: '/nonexistent' });
  service.setLists(compiled.matcher, compiled.listIds, compiled.extras);
  const state = StateDatabase.open(':memory:');
  cleanups.push(() => state.close(), () => rm(listsDir, { recursive: true, force: true }));
  const raised: AlertCandidate[] = [];
  const tokens = new ReportTokens();
  const handler = blockPageHandler({
    config: () => config,
    check: (input) => checkName(config, service.filter, input),
    titleOf: (id) => CATALOGUE.categories.get(id)?.title,
    severityOf: (id) => CATEGORY_SEVERITIES[id],
    tokens,
    limit,
    store: state.siteReports,
    raise: (c) => raised.push(c),
  });
  return { config, service, state, raised, tokens, handler };
}
