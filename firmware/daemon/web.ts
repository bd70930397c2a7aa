// The web's wiring: the visitor portal (its guests go back into the firewall's set before the
// watches start), then the admin listener with HTTPS, the AUP splash, and the block page and
// portal on port 80 of each gateway address.
import { CATALOGUE, CATEGORY_SEVERITIES } from '../config/defaults.ts';
import type { ConfigStore } from '../config/store.ts';
import type { AdminAccess } from '../admin/admin-access.ts';
import type { ControlServer } from '../control/server.ts';
import type { DnsThreads } from '../dns/listen/dns-threads.ts';
import type { DnsService } from '../dns/service.ts';
import type { Logger } from '../log.ts';
import type { AlertService } from '../monitor/alerts/alert-service.ts';
import type { QueryLog } from '../monitor/query-log/query-log.ts';
import type { FirewallService } from '../net/service.ts';
import type { ShapingService } from '../net/shaping/service.ts';
import { startVoucherPortal, type VoucherPortal } from '../portal/voucher-portal.ts';
import type { FeedService } from '../rules/feeds/feed-service.ts';
import type { ListsManager } from '../rules/lists-manager.ts';
import type { StateDatabase } from '../state/database.ts';
import type { DaemonStatus } from '../status.ts';
import type { StatusReport } from './status-report.ts';
import { urlOf } from './status-report.ts';
import type { Stops } from './stops.ts';

export async function startVisitorPortal(o: {
  dataDir: string; state: StateDatabase; config: ConfigStore; firewall: FirewallService; shaping: ShapingService; dnsThreads: DnsThreads;
  alerts: AlertService; logger: Logger; stops: Stops;
}): Promise<VoucherPortal> {
  const { firewall, shaping, alerts } = o;
  // Vouchers (issue #21): every guest authorisation in force goes back into the set, as suspensions do.
  const portal = await startVoucherPortal({
    dataDir: o.dataDir, state: o.state, config: o.config, change: (lines) => firewall.changeElements(lines),
    setCap: (mac, tier) => shaping.setDeviceCap(mac, tier), raise: (candidate) => alerts.raise(candidate), logger: o.logger.child({ component: 'portal' }),
    setPolicies: (changes) => o.dnsThreads.setPolicies(changes),
  });
  o.stops.push(() => portal.stop());
  await portal.vouchers.loadAll().catch((err: Error) => {
    throw new Error(`cannot load the authorised guests into the nftables set: ${err.message}`);
  });
  return portal;
}

export async function startWeb(o: {
  dataDir: string; state: StateDatabase; config: ConfigStore; control: ControlServer; report: StatusReport;
  dns: DnsService; firewall: FirewallService; queryLog: QueryLog; lists: ListsManager; feeds: FeedService; portal: VoucherPortal;
  alerts: AlertService; logger: Logger; stops: Stops;
}): Promise<{ access: AdminAccess }> {
  const { dataDir, state, config, control, dns, firewall, portal, alerts, logger, stops } = o;
  const { status } = o.report;
  const adminEndpoint = config.current.web.admin;
  // Loaded only now (fastify and the pages, ~60-80 ms of modules): DNS already answers.
  const { buildAdminApp } = await import('../admin/app.ts');
  const { startAdminAccess, startAdminHttps } = await import('../admin/admin-access.ts');
  const { isLoopback } = await import('../admin/guard.ts');
  const access = await startAdminAccess({ dataDir, state, config, control, logger, raise: (candidate) => alerts.raise(candidate) });
  const { adminHttpsRedirect } = await import('../admin/https/redirect.ts');
  // Once HTTPS serves the admin UI, plain HTTP off loopback only points there.
  let httpsServing = false;
  const scrapeToken = await (await import('../admin/scrape-token.ts')).startScrapeToken({ config, dataDir, logger });
  const monitor = (await import('../admin/admin-monitor.ts')).adminMonitorSources({ dataDir, state, queryLog: o.queryLog, config, lists: o.lists, feeds: o.feeds });
  const admin = await buildAdminApp({
    logger, status, https: false, scrapeToken, cookieSecure: !isLoopback(adminEndpoint.address), hosts: () => ['127.0.0.1', 'localhost', '::1', adminEndpoint.address], monitor, visitors: portal.registration, ...access.appOptions,
    httpsRedirect: (host, path) => (httpsServing && !isLoopback(adminEndpoint.address) ? adminHttpsRedirect(config.current, host, path) : undefined),
  });
  try {
    await admin.listen({ host: adminEndpoint.address, port: adminEndpoint.port });
  } catch (err) {
    throw new Error(`cannot serve the admin page on ${urlOf(adminEndpoint.address, adminEndpoint.port)}: ${(err as Error).message}`);
  }
  stops.push(() => admin.close());
  const adminHttps = await startAdminHttps({
    dataDir, config: config.current, logger,
    build: (server, hosts) => buildAdminApp({ logger, status, https: true, scrapeToken, server, hosts: () => hosts, monitor, visitors: portal.registration, ...access.appOptions }),
  });
  if (adminHttps) stops.push(() => adminHttps.close());
  httpsServing = adminHttps !== undefined;
  o.report.showAdminAccess((): Partial<DaemonStatus['admin']> => ({ ...access.status(), ...(adminHttps ? { https: { urls: adminHttps.urls, fingerprint: adminHttps.fingerprint } } : {}) }));
  // The block page and the visitor portal on port 80 of each gateway address.
  const { startWebSurface } = await import('../portal/start.ts');
  // The AUP splash (issue #21): its surface handler, the firewall set of devices that accepted, `aup.acceptances`.
  const aupSplash = await (await import('../portal/splash/start.ts')).startAupSplash({ config: () => config.current, store: state.aupAcceptances, change: (lines) => firewall.changeElements(lines), onConfigChange: (listener) => config.onChange(listener), control, logger: logger.child({ component: 'aup' }) });
  stops.push(() => aupSplash.stop());
  const surface = await startWebSurface({
    config: () => config.current, filter: () => dns.filter, devices: dns.devices, store: state.siteReports, dataDir,
    titleOf: (category) => CATALOGUE.categories.get(category)?.title, severityOf: (category) => CATEGORY_SEVERITIES[category], raise: (candidate) => alerts.raise(candidate),
    logger: logger.child({ component: 'web' }), onConfigChange: (listener) => config.onChange(listener), portal: portal.surface, before: () => [aupSplash.handler],
  });
  stops.push(() => surface.close());
  return { access };
}
