// Filtering's wiring: the DNS threads, the lists they answer from and the feeds that keep those
// lists current. The lists are compiled before DNS listens, so the first answer is already filtered.
import { join } from 'node:path';
import type { ConfigStore } from '../config/store.ts';
import { DnsThreads } from '../dns/listen/dns-threads.ts';
import type { DnsService } from '../dns/service.ts';
import type { Logger } from '../log.ts';
import type { AlertService } from '../monitor/alerts/alert-service.ts';
import { feedFailedCandidate } from '../monitor/alerts/alert-sources.ts';
import { FeedService } from '../rules/feeds/feed-service.ts';
import type { FeedList } from '../rules/feeds/update-one.ts';
import type { FeedUpdateResult } from '../rules/feeds/types.ts';
import { installationSeed, ListsManager } from '../rules/lists-manager.ts';
import type { Stops } from './stops.ts';

export interface Filtering {
  readonly dnsThreads: DnsThreads;
  readonly lists: ListsManager;
  readonly feeds: FeedService;
}

export async function startFiltering(o: {
  dns: DnsService; config: ConfigStore; dataDir: string; alerts: AlertService; logger: Logger; stops: Stops;
  /** Told of each list a feed refreshed (the fleet's syslog forwarding). */
  onListUpdated?: (list: FeedList, result: FeedUpdateResult) => void;
}): Promise<Filtering> {
  const { dns, config, dataDir, logger, stops } = o;
  const dnsThreads = new DnsThreads({ service: dns, config: config.current, logger: logger.child({ component: 'dns' }) });
  const lists = new ListsManager({
    target: dnsThreads,
    listsDir: join(dataDir, 'lists'),
    seed: await installationSeed(dataDir),
    logger: logger.child({ component: 'lists' }),
    cacheDir: join(dataDir, 'compiled'),
  });
  stops.push(() => lists.close());
  const feeds = new FeedService({
    config: () => config.current,
    dataDir,
    listsDir: join(dataDir, 'lists'),
    logger: logger.child({ component: 'feeds' }),
    reload: () => lists.reload(config.current),
    onFailed: (list, error) => o.alerts.raiseAll([feedFailedCandidate(list, error, new Date())]),
    ...(o.onListUpdated ? { onUpdated: o.onListUpdated } : {}),
  });
  stops.push(() => feeds.stop());
  // A new subscription has no copy yet: fetch it before the first compile, which needs every file.
  await feeds.fetchMissing();
  // Refuse to start without every configured list: a gateway that silently lost a list (an
  // illegal-content one, say) would filter less than the school believes.
  await lists.reload(config.current);
  await feeds.start();
  await dns.start();
  stops.push(() => dns.stop());
  await dnsThreads.start();
  stops.push(() => dnsThreads.stop());
  return { dnsThreads, lists, feeds };
}
