// Monitoring's wiring: alerts and their delivery (started first, so every later service can raise
// one), the query log with the DNS alert rules its writer thread runs, and the daily jobs (the
// filter self-test, retention) that start once everything they read is up.
import { join } from 'node:path';
import { CATALOGUE, CATEGORY_SEVERITIES } from '../config/defaults.ts';
import type { Config } from '../config/schema.ts';
import type { ConfigStore } from '../config/store.ts';
import type { DnsService } from '../dns/service.ts';
import type { Logger } from '../log.ts';
import { loadNetio } from '../native/netio.ts';
import { guestNamerFor } from '../portal/vouchers/guest-identity.ts';
import type { StateDatabase } from '../state/database.ts';
import { LiveAlertSender } from '../monitor/alerts/delivery/live-sender.ts';
import { dnsAlertRulesData, loadKeywordLists } from '../monitor/alerts/alert-rules-config.ts';
import { AlertService } from '../monitor/alerts/alert-service.ts';
import { crashRestartCandidate, networkEventCandidate } from '../monitor/alerts/alert-sources.ts';
import type { PreviousRun } from '../monitor/crash-marker.ts';
import type { DnsAlertRulesData } from '../monitor/alerts/dns-alert-rules.ts';
import type { Alert } from '../monitor/alerts/alert-schema.ts';
import { QueryLog } from '../monitor/query-log/query-log.ts';
import { keepWindows } from '../monitor/investigations/investigation-rules.ts';
import { startRetention } from '../monitor/retention.ts';
import { categoryTests } from '../monitor/selftest/plan.ts';
import { SelftestService } from '../monitor/selftest/service.ts';
import type { IncidentService } from '../monitor/incidents/incident-service.ts';
import { startIncidents } from '../monitor/incidents/wiring.ts';
import { reviewDueRecorder } from '../monitor/review/review-wiring.ts';
import type { Stops } from './stops.ts';

export interface Alerting {
  readonly alertDelivery: LiveAlertSender;
  readonly alerts: AlertService;
  /** The rules the query log's writer runs on every event, as the configuration asks. */
  readonly alertRules: (config: Readonly<Config>) => DnsAlertRulesData;
  /** The incident log, which critical restricted-list alerts open by themselves. */
  readonly incidents: IncidentService;
}

export function startAlerting(o: {
  config: ConfigStore; state: StateDatabase; dataDir: string; startedAt: Date; previousRun: PreviousRun | undefined; logger: Logger; stops: Stops;
  /** Told of each new alert once stored, besides the incident log (the fleet's syslog forwarding). */
  onAlert?: (alert: Alert) => void;
}): Alerting {
  const { config, state, logger, stops } = o;
  // E-mail and webhook for alerts; a channel that cannot be set up is logged, not fatal: filtering
  // must not stop for a mistyped SMTP password file. The alert service delivers through this.
  const alertDelivery = LiveAlertSender.start(config.current, { dataDir: o.dataDir }, logger.child({ component: 'alerts' }));
  stops.push(() => alertDelivery.close());
  // An incident makes a review due (DfE standard 2).
  const reviewDue = reviewDueRecorder(state.reviews, logger.child({ component: 'review' }), () => new Date());
  const incidents = startIncidents({ state, dataDir: o.dataDir, config, logger, reviewDue });
  // Alerts from every source: stored in state.db and listed at once, critical ones sent at once.
  const alerts = new AlertService({
    onCreated: (alert) => {
      incidents.alertStored(alert);
      o.onAlert?.(alert);
    },
    alerts: state.alerts, delivery: alertDelivery, config: () => config.current.alerts, now: () => new Date(), logger: logger.child({ component: 'alerts' }),
    transaction: (fn) => state.transaction(fn), guestOf: guestNamerFor(state.vouchers, () => config.current.networks),
  });
  stops.push(() => alerts.stop());
  state.networkEvents.onAppend((event) => {
    const candidate = networkEventCandidate(event);
    if (candidate) alerts.raiseAll([candidate]);
  });
  if (o.previousRun) alerts.raiseAll([crashRestartCandidate(o.previousRun, o.startedAt)]);
  alerts.start();
  const keywordLists = loadKeywordLists();
  const alertRules = (c: Readonly<Config>) => dnsAlertRulesData(c, CATEGORY_SEVERITIES, keywordLists);
  return { alertDelivery, alerts, alertRules, incidents };
}

/**
 * Starts the writer thread, which opens logs.db while this thread loads the lists; the caller
 * awaits it only once DNS answers.
 */
export function openQueryLog(o: {
  dataDir: string; dns: DnsService; config: ConfigStore; alerting: Alerting; logger: Logger; stops: Stops;
}): Promise<QueryLog> {
  const { config, alerting, stops } = o;
  const netio = loadNetio().netio;
  const queryLogOpening = QueryLog.open(join(o.dataDir, 'logs.db'), {
    events: o.dns.events,
    logger: o.logger.child({ component: 'query-log' }),
    // Read once: a change of time zone takes effect at the next start (daily rollups keep their days).
    timezone: config.current.site.timezone,
    setIdleScheduling: netio ? (tid, idle) => netio.setIdleScheduling(tid, idle) : undefined,
    alertRules: alerting.alertRules(config.current),
    onAlerts: (candidates) => alerting.alerts.raiseAll(candidates),
  });
  queryLogOpening.catch(() => undefined); // reported where it is awaited, or closed with the rest on an earlier failure
  stops.push(async () => (await queryLogOpening.catch(() => undefined))?.close());
  return queryLogOpening;
}

/** The daily jobs: the filter self-test and retention. */
export function startMonitoringJobs(o: {
  config: ConfigStore; state: StateDatabase; dns: DnsService; queryLog: QueryLog; alerts: AlertService; logger: Logger; stops: Stops;
}): { selftest: SelftestService } {
  const { config, state, logger, stops } = o;
  // The filter self-test asks the DNS listeners as a device on each network: once a day, and on demand.
  const selftest = new SelftestService({
    config: () => config.current, filter: () => o.dns.filter, categories: categoryTests(CATALOGUE), store: state.selftest,
    logger: logger.child({ component: 'selftest' }),
    raise: (candidate) => o.alerts.raise(candidate),
  });
  selftest.start();
  stops.push(() => selftest.stop());
  const retention = startRetention({ queryLog: o.queryLog, networkEvents: state.networkEvents, alerts: state.alerts, visitors: state.vouchers, retention: () => config.current.retention, keep: () => keepWindows(config.current), timezone: () => config.current.site.timezone, logger });
  stops.push(() => retention.stop());
  return { selftest };
}
