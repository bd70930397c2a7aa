// The daemon's side of the dashboard, alerts and health pages: the stores they read, gathered in
// one call so the composition root adds one line. The host's facts are read on request and cached.
import type { ConfigStore } from '../config/store.ts';
import type { QueryLog } from '../monitor/query-log.ts';
import type { FeedService } from '../rules/feeds/feed-service.ts';
import type { ListsManager } from '../rules/lists-manager.ts';
import { listsView } from '../rules/lists-view.ts';
import type { StateDatabase } from '../state/database.ts';
import { CachedRead, HOST_FACTS_TTL_MS, readHostFacts, systemProbe } from './host-facts.ts';
import type { AdminMonitorSources } from './route-deps.ts';

export function adminMonitorSources(deps: {
  dataDir: string;
  state: Pick<StateDatabase, 'alerts' | 'devices'>;
  queryLog: Pick<QueryLog, 'rollupTotals'>;
  config: Pick<ConfigStore, 'current'>;
  lists: Pick<ListsManager, 'report'>;
  feeds: Pick<FeedService, 'status'>;
}): AdminMonitorSources {
  const host = new CachedRead(async () => readHostFacts(await systemProbe(), deps.dataDir, () => new Date()), HOST_FACTS_TTL_MS);
  return {
    queryLog: deps.queryLog,
    alerts: deps.state.alerts,
    deviceName: (mac) => deps.state.devices.get(mac)?.name || null,
    lists: () => listsView(deps.lists.report, deps.config.current, deps.feeds.status()),
    hostFacts: () => host.get(),
  };
}
