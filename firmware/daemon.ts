// The composition root: the one place that builds every service from the configuration, wires
// them together and starts them in order. Nothing else constructs a service. It reads top to
// bottom as the order things start in; what each step wires is in daemon/ (named for it), and
// every step registers its stops as it goes, so a stop undoes the start in exactly reverse order.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CATEGORY_SEVERITY, defaultConfig } from './config/defaults.ts';
import { ConfigStore } from './config/store.ts';
import { CONTROL_SOCKET_NAME } from './control/protocol.ts';
import { assertNoDaemonAt, ControlServer } from './control/server.ts';
import { DnsService } from './dns/service.ts';
import type { Logger } from './log.ts';
import { markRunning, markStopped } from './monitor/crash-marker.ts';
import { StateDatabase } from './state/database.ts';
import type { DaemonStatus } from './status.ts';
import { VERSION } from './version.ts';
import { configReloader, followConfigChanges } from './daemon/config-reload.ts';
import { deviceRegrouper, registerControlMethods } from './daemon/control-methods.ts';
import { startEnforcement, startNetworkWatches } from './daemon/enforcement.ts';
import { startFiltering } from './daemon/filtering.ts';
import { openQueryLog, startAlerting, startMonitoringJobs } from './daemon/monitoring.ts';
import { statusReport, watchLoopDelay } from './daemon/status-report.ts';
import { Stops } from './daemon/stops.ts';
import { startWeeklyReview } from './monitor/review/review-wiring.ts';
import { registerUpgradeMethods } from './upgrade/upgrade-methods.ts';
import { startVisitorPortal, startWeb } from './daemon/web.ts';
import { startReports } from './monitor/reports/wiring.ts';
import { reportSources } from './monitor/record-sources.ts';
import { startFleet } from './fleet/fleet-wiring.ts';
import { startBackups, type Backups } from './backup/wiring.ts';
import { watchReleaseStatus } from './upgrade/release-status.ts';
import { recoverSwapAtStart } from './backup/swap-journal.ts';
import { startChangeControl } from './control/changes/wiring.ts';
import { wireAccessRequests } from './portal/access-request-methods.ts';
import { startInvestigations } from './monitor/investigations/wiring.ts';

export interface DaemonOptions {
  dataDir: string;
  /** The configuration file; by default `<dataDir>/config.json`, created from the embedded defaults. */
  configFile?: string;
  logger: Logger;
  /** Called once DNS answers, while the rest still starts (systemd's READY=1: firmware/service/). */
  onDnsAnswering?: () => void;
}

export interface Daemon {
  readonly status: () => DaemonStatus;
  /** Re-reads the configuration file (SIGHUP); a bad file is refused and the running one kept. */
  readonly reloadFromDisk: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { logger } = options;
  const dataDir = resolve(options.dataDir);
  const configFile = resolve(options.configFile ?? join(dataDir, 'config.json'));
  const startedAt = new Date();
  const loopDelay = watchLoopDelay();
  await mkdir(dataDir, { recursive: true, mode: 0o750 });
  const controlSocket = join(dataDir, CONTROL_SOCKET_NAME);
  await assertNoDaemonAt(controlSocket);
  await recoverSwapAtStart(dataDir, logger);

  // Embedded defaults only seed the data directory's own config; an explicit --config file that
  // is missing is a mistake to report, not to paper over.
  const config = await ConfigStore.open(configFile, {
    logger,
    ...(options.configFile ? {} : { createWith: defaultConfig }),
  });
  const state = StateDatabase.open(join(dataDir, 'state.db'), { logger });
  const stops = new Stops(logger, [() => state.close(), () => loopDelay.disable()]);
  // Removed by a clean stop only: found at the next start, it means this run crashed.
  const previousRun = await markRunning(dataDir, startedAt);
  stops.push(() => markStopped(dataDir));

  try {
    // First, so it stops last: the daemon's own stop entry is forwarded before its connections close.
    const fleet = startFleet({ config, audit: state.audit, dataDir, version: VERSION, logger, stops });
    const alerting = startAlerting({ config, state, dataDir, startedAt, previousRun, logger, stops, onAlert: fleet.alertStored });
    const { alerts } = alerting;
    const dns = new DnsService({ config: config.current, severity: CATEGORY_SEVERITY, logger: logger.child({ component: 'dns' }) });
    const queryLogOpening = openQueryLog({ dataDir, dns, config, alerting, logger, stops });
    const filtering = await startFiltering({ dns, config, dataDir, alerts, logger, stops, onListUpdated: fleet.listUpdated });
    const { dnsThreads } = filtering;
    options.onDnsAnswering?.();
    // Awaited after DNS answers: upgrading a large logs.db (migration 3 counts every stored event
    // again, a minute or more for 10M) must not leave the school without DNS; the event buffer
    // holds the questions asked meanwhile, counting any it has to drop.
    const queryLog = await queryLogOpening;
    const enforcement = await startEnforcement({ config, state, dnsThreads, logger, stops });
    const { firewall, shaping } = enforcement;
    const portal = await startVisitorPortal({ dataDir, state, config, firewall, shaping, dnsThreads, alerts, logger, stops });
    const watches = startNetworkWatches({ config, state, dns, firewall, logger, stops });
    const { selftest } = startMonitoringJobs({ config, state, dns, queryLog, alerts, logger, stops });
    // reviewDue is for the incidents' wiring: an incident makes a review due.
    const weeklyReview = startWeeklyReview({ config, state, alerts, mailer: alerting.alertDelivery, version: VERSION, logger, stops });

    const release = await watchReleaseStatus({ dataDir, onError: (err) => logger.error({ err }, 'the release and upgrade history could not be read for the status') });
    let backups: Backups | undefined;
    const report = statusReport({
      startedAt, dataDir, configFile, config, loopDelay, state, dnsThreads, dhcp: enforcement.dhcp, firewall, shaping,
      lists: filtering.lists, feeds: filtering.feeds, queryLog, alerts, portal, fleet, release: release.status, backups: () => backups?.status(),
    });
    // Made before the admin app, whose pages call its methods in-process; registered below.
    const control = new ControlServer(logger.child({ component: 'control' }));
    const { access } = await startWeb({
      dataDir, state, config, control, report, dns, firewall, queryLog, lists: filtering.lists, feeds: filtering.feeds, portal, alerts, logger, stops,
    });

    followConfigChanges({
      config, dns, filtering, dhcp: enforcement.dhcp, firewall, loadSuspensions: enforcement.loadSuspensions, portal, alerting, shaping, queryLog, logger,
    });
    const reloadFromDisk = configReloader({ config, configFile, audit: state.audit, logger });
    registerControlMethods(control, {
      config, configFile, state, status: report.status, reloadFromDisk, dns, filtering, enforcement, watches, portal, queryLog, alerting, selftest, access, logger,
      weeklyReview,
    });
    const accessRequests = wireAccessRequests(control, { state, config });
    const investigations = startInvestigations({ control, state, config, queryLog, dataDir, mailer: alerting.alertDelivery, logger, stops });
    startChangeControl({
      control, state, config, mailer: alerting.alertDelivery, logger, reviewDue: weeklyReview.reviewDue, decided: accessRequests.decided, investigations,
      regroup: deviceRegrouper({ filtering, enforcement, logger }),
    });
    startReports({ control, config, state, queryLog, dataDir, logger, stops, sources: reportSources(state, () => config.current) });
    const started = startBackups({ control, config, configFile, state, dataDir, logger, stops });
    backups = started;
    // Before every switch, a backup named for the upgrade; the upgrade is refused if it cannot be made.
    registerUpgradeMethods(control, {
      dataDir, audit: state.audit, logger: logger.child({ component: 'upgrade' }), onRecorded: release.refresh,
      backupFirst: (version, actor, progress) => started.create(undefined, actor, progress, { beforeUpgradeTo: version }),
    });
    await control.listen(controlSocket);
    stops.push(() => control.close());

    state.audit.append({ actor: 'system', action: 'daemon.start', details: { version: VERSION, configFile } });
    stops.push(() => {
      state.audit.append({ actor: 'system', action: 'daemon.stop' });
    });
    return {
      status: report.status,
      reloadFromDisk: () => reloadFromDisk(),
      stop: () => stops.stopAll(),
    };
  } catch (err) {
    await stops.stopAll();
    throw err;
  }
}
