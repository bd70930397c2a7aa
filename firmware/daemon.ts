// The composition root: the one place that builds every service from the configuration, wires
// them together and starts them in order. Nothing else constructs a service.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CATALOGUE, CATEGORY_SEVERITIES, CATEGORY_SEVERITY, defaultConfig } from './config/defaults.ts';
import type { Config } from './config/schema.ts';
import { ConfigStore, readConfigFile } from './config/store.ts';
import { CONTROL_SOCKET_NAME, actorOf } from './control/protocol.ts';
import { assertNoDaemonAt, ControlFailure, ControlServer } from './control/server.ts';
import { ConfigError } from './config/validate.ts';
import { DnsService } from './dns/service.ts';
import { DnsThreads } from './dns/listen/dns-threads.ts';
import type { Logger } from './log.ts';
import { CheckParams, checkName } from './dns/policy/check-name.ts';
import { QueryLog } from './monitor/query-log.ts';
import { loadNetio } from './native/netio.ts';
import { normaliseListedName } from './rules/formats/domain-name.ts';
import { configuredCategories } from './rules/load-lists.ts';
import { installationSeed, ListsManager } from './rules/lists-manager.ts';
import { registerListMethods } from './rules/list-methods.ts';
import { registerDeviceMethods } from './dhcp/device-methods.ts';
import { registerLeaseMethods } from './dhcp/lease-methods.ts';
import { registerAuditMethods } from './control/audit-methods.ts';
import { registerAccountMethods } from './admin/account-methods.ts';
import { registerDataMethods } from './monitor/data-methods.ts';
import { guestNamerFor } from './portal/vouchers/guest-identity.ts';
import { DhcpService } from './dhcp/service.ts';
import { FeedService } from './rules/feeds/feed-service.ts';
import { nftRunner } from './net/apply.ts';
import { registerNetMethods } from './net/net-methods.ts';
import { FirewallService } from './net/service.ts';
import { allSuspensionLines, suspensionEnforcer } from './net/suspensions.ts';
import { TetheringWatch } from './net/tethering-watch.ts';
import { AttemptsWatch } from './net/attempts-watch.ts';
import { startBypassLearning } from './net/bypass-learning.ts';
import { registerCapMethods } from './net/shaping/cap-methods.ts';
import { toolRunner } from './net/shaping/kernel.ts';
import { ShapingService } from './net/shaping/service.ts';
import { startRetention } from './monitor/retention.ts';
import { registerDeliveryMethods } from './monitor/delivery/delivery-methods.ts';
import { LiveAlertSender } from './monitor/delivery/live-sender.ts';
import { registerSelftestMethods } from './monitor/selftest/methods.ts';
import { categoryTests } from './monitor/selftest/plan.ts';
import { SelftestService } from './monitor/selftest/service.ts';
import { registerAlertMethods } from './monitor/alert-methods.ts';
import { alertRulesChanged, dnsAlertRulesData, loadKeywordLists } from './monitor/alert-rules-config.ts';
import { AlertService } from './monitor/alert-service.ts';
import { crashRestartCandidate, feedFailedCandidate, networkEventCandidate } from './monitor/alert-sources.ts';
import { markRunning, markStopped } from './monitor/crash-marker.ts';
import { registerReportMethods } from './portal/report-methods.ts';
import { StateDatabase } from './state/database.ts';
import { startVoucherPortal } from './portal/voucher-portal.ts';
import { registerVoucherMethods } from './portal/vouchers/methods.ts';
import { memoryStatus, type DaemonStatus } from './status.ts';
import { VERSION } from './version.ts';

export interface DaemonOptions {
  dataDir: string;
  /** The configuration file; by default `<dataDir>/config.json`, created from the embedded defaults. */
  configFile?: string;
  logger: Logger;
}

export interface Daemon {
  readonly status: () => DaemonStatus;
  /** Re-reads the configuration file (SIGHUP); a bad file is refused and the running one kept. */
  readonly reloadFromDisk: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

/** A config change recompiles the lists only when what they are built from changed. */
function listsChanged(next: Readonly<Config>, previous: Readonly<Config>): boolean {
  return JSON.stringify(next.lists) !== JSON.stringify(previous.lists)
    || JSON.stringify(configuredCategories(next)) !== JSON.stringify(configuredCategories(previous));
}

/** How often the event loop's delay is sampled (ms). */
const LOOP_SAMPLE_MS = 10;

/**
 * The histogram records the whole interval between samples, so an idle loop reads ~10 ms: the
 * delay is what exceeds the sampling interval.
 */
export function loopDelayMs(intervalNs: number): number {
  return Math.max(0, intervalNs / 1e6 - LOOP_SAMPLE_MS);
}

function urlOf(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { logger } = options;
  const dataDir = resolve(options.dataDir);
  const configFile = resolve(options.configFile ?? join(dataDir, 'config.json'));
  const startedAt = new Date();
  // How long the event loop (DNS included) was kept from running: the first thing to look at
  // when answers are slow.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  loopDelay.enable();
  await mkdir(dataDir, { recursive: true, mode: 0o750 });
  const controlSocket = join(dataDir, CONTROL_SOCKET_NAME);
  await assertNoDaemonAt(controlSocket);

  // Embedded defaults only seed the data directory's own config; an explicit --config file that
  // is missing is a mistake to report, not to paper over.
  const config = await ConfigStore.open(configFile, {
    logger,
    ...(options.configFile ? {} : { createWith: defaultConfig }),
  });
  const state = StateDatabase.open(join(dataDir, 'state.db'), { logger });
  const stops: Array<() => Promise<void> | void> = [() => state.close(), () => loopDelay.disable()];
  // Removed by a clean stop only: found at the next start, it means this run crashed.
  const previousRun = await markRunning(dataDir, startedAt);
  stops.push(() => markStopped(dataDir));
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.error({ err }, 'error while stopping');
      }
    }
  };

  try {
    // E-mail and webhook for alerts; a channel that cannot be set up is logged, not fatal: filtering
    // must not stop for a mistyped SMTP password file. The alert service delivers through this.
    const alertDelivery = LiveAlertSender.start(config.current, { dataDir }, logger.child({ component: 'alerts' }));
    stops.push(() => alertDelivery.close());
    // Alerts from every source: stored in state.db and listed at once, critical ones sent at once.
    const alerts = new AlertService({
      alerts: state.alerts, delivery: alertDelivery, config: () => config.current.alerts, now: () => new Date(), logger: logger.child({ component: 'alerts' }),
      transaction: (fn) => state.transaction(fn), guestOf: guestNamerFor(state.vouchers, () => config.current.networks),
    });
    stops.push(() => alerts.stop());
    state.networkEvents.onAppend((event) => {
      const candidate = networkEventCandidate(event);
      if (candidate) alerts.raiseAll([candidate]);
    });
    if (previousRun) alerts.raiseAll([crashRestartCandidate(previousRun, startedAt)]);
    alerts.start();
    const keywordLists = loadKeywordLists();
    const alertRules = (c: Readonly<Config>) => dnsAlertRulesData(c, CATEGORY_SEVERITIES, keywordLists);
    const dns = new DnsService({ config: config.current, severity: CATEGORY_SEVERITY, logger: logger.child({ component: 'dns' }) });
    // The writer thread starts and opens logs.db while this thread loads the lists.
    const netio = loadNetio().netio;
    const queryLogOpening = QueryLog.open(join(dataDir, 'logs.db'), {
      events: dns.events,
      logger: logger.child({ component: 'query-log' }),
      // Read once: a change of time zone takes effect at the next start (daily rollups keep their days).
      timezone: config.current.site.timezone,
      setIdleScheduling: netio ? (tid, idle) => netio.setIdleScheduling(tid, idle) : undefined,
      alertRules: alertRules(config.current),
      onAlerts: (candidates) => alerts.raiseAll(candidates),
    });
    queryLogOpening.catch(() => undefined); // reported where it is awaited, or closed with the rest on an earlier failure
    stops.push(async () => (await queryLogOpening.catch(() => undefined))?.close());
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
      onFailed: (list, error) => alerts.raiseAll([feedFailedCandidate(list, error, new Date())]),
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
    // Awaited after DNS answers: upgrading a large logs.db (migration 3 counts every stored event
    // again, a minute or more for 10M) must not leave the school without DNS; the event buffer
    // holds the questions asked meanwhile, counting any it has to drop.
    const queryLog = await queryLogOpening;
    // After DNS: every lease in force is put in DNS's directory before the first new one is given.
    // Before DHCP, which tells it (with DNS) who holds each address from its first lease on.
    const shaping = new ShapingService({
      run: toolRunner(), logger: logger.child({ component: 'shaping' }),
      device: (mac) => state.devices.get(mac),
      storeCaps: (mac, caps, record) => state.transaction(() => {
        const device = state.devices.setCaps(mac, caps);
        record(device);
        return device;
      }),
    });
    const directory = {
      setDevice: (address: number, mac: string | undefined, group?: string | null): void => {
        dnsThreads.setDevice(address, mac, group);
        shaping.setAddress(address, mac);
      },
    };
    const dhcp = new DhcpService({ config: config.current, state, directory, logger: logger.child({ component: 'dhcp' }) });
    dhcp.start();
    stops.push(() => dhcp.stop());
    // Refuse to start with a firewall the configuration asks for but the kernel refused: a
    // gateway quietly running without it would let guests reach what the school believes is shut.
    const firewall = new FirewallService({ run: nftRunner(), logger: logger.child({ component: 'net' }) });
    stops.push(() => firewall.stop());
    await firewall.apply(config.current).catch((err: Error) => {
      throw new Error(`cannot apply the nftables ruleset (firewall.enabled): ${err.message}`);
    });
    // Every suspension still in force, from state.db: the table may be new (a reboot) or carry
    // elements a technician has since lifted or changed while the daemon was down.
    const loadSuspensions = async (): Promise<void> => {
      const lines = allSuspensionLines(state.devices.list(), new Date());
      if (await firewall.changeElements(lines)) logger.info({ devices: lines.length / 3 }, 'suspensions loaded into the firewall');
    };
    await loadSuspensions().catch((err: Error) => {
      throw new Error(`cannot load the suspended devices into the nftables set: ${err.message}`);
    });
    // Shaping failing is no reason to stop serving: status and net show say why it failed.
    await shaping.apply(config.current).catch((err: Error) => logger.error({ err }, 'bandwidth shaping could not be applied'));
    // Vouchers (issue #21): every guest authorisation in force goes back into the set, as suspensions do.
    const portal = await startVoucherPortal({
      dataDir, state, config, change: (lines) => firewall.changeElements(lines),
      setCap: (mac, tier) => shaping.setDeviceCap(mac, tier), raise: (candidate) => alerts.raise(candidate), logger: logger.child({ component: 'portal' }),
      setPolicies: (changes) => dnsThreads.setPolicies(changes),
    });
    stops.push(() => portal.stop());
    await portal.vouchers.loadAll().catch((err: Error) => {
      throw new Error(`cannot load the authorised guests into the nftables set: ${err.message}`);
    });
    const suspensions = suspensionEnforcer((lines) => firewall.changeElements(lines), () => new Date());
    const tethering = new TetheringWatch({
      run: nftRunner(), enabled: () => firewall.stats().enabled, config: () => config.current, state, suspensions,
      now: () => new Date(), logger: logger.child({ component: 'net' }),
    });
    tethering.start();
    stops.push(() => tethering.stop());
    const attempts = new AttemptsWatch({
      run: nftRunner(), enabled: () => firewall.stats().enabled, config: () => config.current, state,
      change: (lines) => firewall.changeElements(lines), now: () => new Date(), logger: logger.child({ component: 'net' }),
    });
    attempts.start();
    stops.push(() => attempts.stop());
    const bypass = startBypassLearning({
      events: dns.events, upstreams: () => dns.stats().upstreams, config: () => config.current,
      enabled: () => firewall.stats().enabled, change: (lines) => firewall.changeElements(lines), logger: logger.child({ component: 'net' }),
    });
    stops.push(() => bypass.stop());
    // The filter self-test asks the DNS listeners as a device on each network: once a day, and on demand.
    const selftest = new SelftestService({
      config: () => config.current, filter: () => dns.filter, categories: categoryTests(CATALOGUE), store: state.selftest,
      logger: logger.child({ component: 'selftest' }),
      raise: (candidate) => alerts.raise(candidate),
    });
    selftest.start();
    stops.push(() => selftest.stop());
    const retention = startRetention({ queryLog, networkEvents: state.networkEvents, alerts: state.alerts, visitors: state.vouchers, retention: () => config.current.retention, timezone: () => config.current.site.timezone, logger });
    stops.push(() => retention.stop());

    const adminEndpoint = config.current.web.admin;
    // Filled in once the admin listener's accounts are loaded (below); status may be asked before.
    let adminAccessStatus = (): Partial<DaemonStatus['admin']> => ({});
    const status = (): DaemonStatus => {
      const current = config.current;
      return {
        version: VERSION,
        pid: process.pid,
        node: process.version,
        startedAt: startedAt.toISOString(),
        uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
        site: current.site.name,
        dataDir,
        configFile,
        networks: current.networks.map((n) => ({
          id: n.id, name: n.name, kind: n.kind, enabled: n.enabled, interface: n.interface, subnets: [...n.subnets], policy: n.policy,
        })),
        dns: dnsThreads.stats(),
        dhcp: dhcp.stats(),
        firewall: firewall.stats(),
        shaping: shaping.stats(),
        lists: { names: lists.report.names, compileMs: lists.report.compileMs, loadedAt: lists.report.loadedAt, fromCache: lists.report.fromCache, problems: lists.report.lists.filter((l) => l.badLines > 0 || l.error).length },
        queryLog: queryLog.stats(),
        alerts: { open: state.alerts.openCounts(), ...alerts.stats(), delivery: alerts.delivering },
        vouchers: portal.policies.status(),
        memory: memoryStatus(),
        eventLoopDelayMs: {
          p50: loopDelayMs(loopDelay.percentile(50)),
          p99: loopDelayMs(loopDelay.percentile(99)),
          max: loopDelayMs(loopDelay.max),
        },
        admin: { url: urlOf(adminEndpoint.address, adminEndpoint.port), ...adminAccessStatus() },
        state: { schemaVersion: state.schemaVersion, devices: state.devices.count(), auditEntries: state.audit.count() },
      };
    };

    // Loaded only now (fastify and the pages, ~60-80 ms of modules): DNS already answers.
    const { buildAdminApp } = await import('./admin/app.ts');
    const { startAdminAccess, startAdminHttps } = await import('./admin/admin-access.ts');
    const { isLoopback } = await import('./admin/guard.ts');
    // Made before the admin app, whose pages call its methods in-process; registered below.
    const control = new ControlServer(logger.child({ component: 'control' }));
    const access = await startAdminAccess({ dataDir, state, config, control, logger, raise: (candidate) => alerts.raise(candidate) });
    const { adminHttpsRedirect } = await import('./admin/https/redirect.ts');
    // Once HTTPS serves the admin UI, plain HTTP off loopback only points there.
    let httpsServing = false;
    const monitor = (await import('./admin/admin-monitor.ts')).adminMonitorSources({ dataDir, state, queryLog, config, lists, feeds });
    const admin = await buildAdminApp({
      logger, status, https: false, cookieSecure: !isLoopback(adminEndpoint.address), hosts: () => ['127.0.0.1', 'localhost', '::1', adminEndpoint.address], monitor, visitors: portal.registration, ...access.appOptions,
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
      build: (server, hosts) => buildAdminApp({ logger, status, https: true, server, hosts: () => hosts, monitor, visitors: portal.registration, ...access.appOptions }),
    });
    if (adminHttps) stops.push(() => adminHttps.close());
    httpsServing = adminHttps !== undefined;
    adminAccessStatus = () => ({ ...access.status(), ...(adminHttps ? { https: { urls: adminHttps.urls, fingerprint: adminHttps.fingerprint } } : {}) });
    // The block page and the visitor portal on port 80 of each gateway address.
    const { startWebSurface } = await import('./portal/start.ts');
    // The AUP splash (issue #21): its surface handler, the firewall set of devices that accepted, `aup.acceptances`.
    const aupSplash = await (await import('./portal/splash/start.ts')).startAupSplash({ config: () => config.current, store: state.aupAcceptances, change: (lines) => firewall.changeElements(lines), onConfigChange: (listener) => config.onChange(listener), control, logger: logger.child({ component: 'aup' }) });
    stops.push(() => aupSplash.stop());
    const surface = await startWebSurface({
      config: () => config.current, filter: () => dns.filter, devices: dns.devices, store: state.siteReports, dataDir,
      titleOf: (category) => CATALOGUE.categories.get(category)?.title, severityOf: (category) => CATEGORY_SEVERITIES[category], raise: (candidate) => alerts.raise(candidate),
      logger: logger.child({ component: 'web' }), onConfigChange: (listener) => config.onChange(listener), portal: portal.surface, before: () => [aupSplash.handler],
    });
    stops.push(() => surface.close());

    config.onChange((next, previous) => {
      dns.reload(next);
      dnsThreads.reload(next);
      dhcp.reload(next);
      if (next.firewall?.enabled || previous.firewall?.enabled) {
        // nft applies all or nothing, so a refused ruleset leaves the previous one in force.
        const applied = firewall.apply(next);
        applied.catch((err: Error) => logger.error({ err }, 'the new nftables ruleset was refused; the previous one stays in force'));
        // Switched on: the new table's set starts empty, so the stored suspensions go into it.
        if (next.firewall?.enabled && !previous.firewall?.enabled) {
          applied.then(loadSuspensions, () => undefined).catch((err: Error) => logger.error({ err }, 'the suspended devices could not be loaded into the nftables set'));
          applied.then(() => portal.vouchers.loadAll(), () => undefined).catch((err: Error) => logger.error({ err }, 'the authorised guests could not be loaded into the nftables set'));
        }
      }
      // Every change, not only the alerts section's: the secret files are read again too.
      alertDelivery.rebuild(next).catch((err: Error) => logger.error({ err }, 'alert delivery could not be set up again; the previous one stays'));
      if (next.firewall?.enabled || previous.firewall?.enabled) {
        shaping.apply(next).catch((err: Error) => logger.error({ err }, 'bandwidth shaping could not be applied to the new configuration'));
      }
      // The alerts section, or the self-test's source addresses (which raise no alert) changed.
      if (alertRulesChanged(next, previous)) {
        try {
          queryLog.setAlertRules(alertRules(next));
        } catch (err) {
          logger.error({ err }, 'the new alert settings could not be used; the previous keyword and watch lists stay');
        }
      }
      if (listsChanged(next, previous)) {
        feeds.reschedule().then(() => lists.reload(next)).catch(() => undefined);
      }
    });

    control.register('status', { handle: () => status() });
    registerListMethods(control, { config, lists, feeds, audit: state.audit, logger: logger.child({ component: 'lists' }) });
    registerDeviceMethods(control, {
      config, devices: state.devices, audit: state.audit,
      transaction: (fn) => state.transaction(fn),
      regroup: (mac, group) => {
        dnsThreads.regroupDevice(mac, group);
        // A group's policy may cap devices differently.
        shaping.refresh().catch((err: Error) => logger.error({ err }, 'bandwidth shaping could not follow a device group change'));
      },
      suspensions,
      now: () => new Date(),
    });
    registerLeaseMethods(control, { config, leases: state.leases, audit: state.audit });
    registerNetMethods(control, { config, firewall, tethering, attempts, bypass, shaping: () => shaping.stats() });
    registerCapMethods(control, { shaping, devices: state.devices, audit: state.audit });
    registerAuditMethods(control, state.audit);
    registerVoucherMethods(control, { config, vouchers: portal.vouchers, audit: state.audit });
    registerAlertMethods(control, { alerts: state.alerts, audit: state.audit, transaction: (fn) => state.transaction(fn), now: () => new Date() });
    registerAccountMethods(control, { accounts: state.accounts, audit: state.audit, transaction: (fn) => state.transaction(fn), now: () => new Date(), raise: access.appOptions.raise });
    registerDeliveryMethods(control, { config, delivery: alertDelivery, audit: state.audit, now: () => new Date() });
    registerSelftestMethods(control, {
      config, service: selftest, store: state.selftest, audit: state.audit, transaction: (fn) => state.transaction(fn), now: () => new Date(),
    });
    registerDataMethods(control, { state, queryLog, now: () => new Date() });
    registerReportMethods(control, state.siteReports);
    control.register<CheckParams>('check', {
      params: CheckParams,
      handle: (params) => {
        const current = config.current;
        if (!current.networks.some((n) => n.id === params.network)) {
          throw new ControlFailure('unknown-network', `there is no network "${params.network}" (networks: ${current.networks.map((n) => n.id).join(', ')})`);
        }
        const normalised = normaliseListedName(params.name);
        if ('error' in normalised) throw new ControlFailure('bad-name', normalised.error);
        let groupId: string | undefined;
        if (params.device !== undefined) {
          let device;
          try {
            device = state.devices.get(params.device);
          } catch (err) {
            throw new ControlFailure('bad-device', (err as Error).message);
          }
          if (!device) throw new ControlFailure('unknown-device', `no device ${params.device} is known to this gateway`);
          groupId = device.groupId ?? undefined;
        }
        return checkName(current, dns.filter, {
          name: normalised.name, networkId: params.network, groupId, device: params.device,
          policyId: params.device === undefined ? undefined : portal.voucherPolicyOf(params.device, params.network),
          at: params.at ? Date.parse(params.at) : Date.now(),
        });
      },
    });
    const reloadFromDisk = async (actor = 'system'): Promise<void> => {
      const next: Config = await readConfigFile(configFile);
      await config.update(() => next);
      state.audit.append({ actor, action: 'config.reload', subject: configFile });
      logger.info({ configFile }, 'configuration reloaded');
    };
    control.register('config.reload', { handle: async (_params, caller) => {
      try {
        await reloadFromDisk(actorOf(caller));
      } catch (err) {
        if (err instanceof ConfigError) throw new ControlFailure('invalid-config', `${err.message}\nThe running configuration is kept.`);
        throw err;
      }
      return { reloaded: configFile };
    } });
    await control.listen(controlSocket);
    stops.push(() => control.close());

    state.audit.append({ actor: 'system', action: 'daemon.start', details: { version: VERSION, configFile } });
    stops.push(() => {
      state.audit.append({ actor: 'system', action: 'daemon.stop' });
    });
    return {
      status,
      reloadFromDisk: () => reloadFromDisk(),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
