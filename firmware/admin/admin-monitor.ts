// The daemon's side of the dashboard, alerts and health pages: the stores they read, gathered in
// one call so the composition root adds one line. The host's facts are read on request and cached.
import type { ConfigStore } from '../config/store.ts';
import type { QueryLog } from '../monitor/query-log/query-log.ts';
import type { FeedService } from '../rules/feeds/feed-service.ts';
import type { ListsManager } from '../rules/lists-manager.ts';
import { listsView } from '../rules/lists-view.ts';
import type { StateDatabase } from '../state/database.ts';
import { latestGuest } from '../portal/vouchers/guest-identity.ts';
import { CachedRead, HOST_FACTS_TTL_MS, readHostFacts, systemProbe } from './host-facts.ts';
import type { AdminMonitorSources } from './route-deps.ts';

const GUEST_SPAN_MS = 7 * 86_400_000;

export function adminMonitorSources(deps: {
  dataDir: string;
  state: Pick<StateDatabase, 'alerts' | 'devices'> & Partial<Pick<StateDatabase, 'vouchers'>>;
  queryLog: Pick<QueryLog, 'rollupTotals'>;
  config: Pick<ConfigStore, 'current'>;
  lists: Pick<ListsManager, 'report'>;
  feeds: Pick<FeedService, 'status'>;
}): AdminMonitorSources {
  const host = new CachedRead(async () => readHostFacts(await systemProbe(), deps.dataDir, () => new Date()), HOST_FACTS_TTL_MS);
  return {
    queryLog: deps.queryLog,
    alerts: deps.state.alerts,
    // A guest device is named by the visitor and sponsor of its voucher (the dashboard's spans end
    // now and reach back a week at most), before any name the device table holds for it.
    deviceName: (mac) => latestGuest(deps.state.vouchers?.guestSessions(mac) ?? [], Date.now() - GUEST_SPAN_MS) ?? (deps.state.devices.get(mac)?.name || null),
    lists: () => listsView(deps.lists.report, deps.config.current, deps.feeds.status()),
    hostFacts: () => host.get(),
  };
}
