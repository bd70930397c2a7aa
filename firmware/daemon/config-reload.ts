// What follows a configuration change, whichever way it came (the admin UI, a control method,
// SIGHUP): each running service takes the new configuration, in the order they started.
import type { Config } from '../config/schema.ts';
import { readConfigFile, type ConfigStore } from '../config/store.ts';
import type { DhcpService } from '../dhcp/service.ts';
import type { DnsService } from '../dns/service.ts';
import type { Logger } from '../log.ts';
import type { AuditLog } from '../control/audit.ts';
import type { QueryLog } from '../monitor/query-log/query-log.ts';
import { alertRulesChanged } from '../monitor/alerts/alert-rules-config.ts';
import type { FirewallService } from '../net/service.ts';
import type { ShapingService } from '../net/shaping/service.ts';
import type { VoucherPortal } from '../portal/voucher-portal.ts';
import { configuredCategories } from '../rules/load-lists.ts';
import type { Alerting } from './monitoring.ts';
import type { Filtering } from './filtering.ts';

/** A config change recompiles the lists only when what they are built from changed. */
function listsChanged(next: Readonly<Config>, previous: Readonly<Config>): boolean {
  return JSON.stringify(next.lists) !== JSON.stringify(previous.lists)
    || JSON.stringify(configuredCategories(next)) !== JSON.stringify(configuredCategories(previous));
}

export function followConfigChanges(o: {
  config: ConfigStore; dns: DnsService; filtering: Filtering; dhcp: DhcpService; firewall: FirewallService; loadSuspensions: () => Promise<void>;
  portal: VoucherPortal; alerting: Alerting; shaping: ShapingService; queryLog: QueryLog; logger: Logger;
}): void {
  const { dns, dhcp, firewall, portal, shaping, logger } = o;
  const { dnsThreads, feeds, lists } = o.filtering;
  o.config.onChange((next, previous) => {
    dns.reload(next);
    dnsThreads.reload(next);
    dhcp.reload(next);
    if (next.firewall?.enabled || previous.firewall?.enabled) {
      // nft applies all or nothing, so a refused ruleset leaves the previous one in force.
      const applied = firewall.apply(next);
      applied.catch((err: Error) => logger.error({ err }, 'the new nftables ruleset was refused; the previous one stays in force'));
      // Switched on: the new table's set starts empty, so the stored suspensions go into it.
      if (next.firewall?.enabled && !previous.firewall?.enabled) {
        applied.then(o.loadSuspensions, () => undefined).catch((err: Error) => logger.error({ err }, 'the suspended devices could not be loaded into the nftables set'));
        applied.then(() => portal.vouchers.loadAll(), () => undefined).catch((err: Error) => logger.error({ err }, 'the authorised guests could not be loaded into the nftables set'));
      }
    }
    // Every change, not only the alerts section's: the secret files are read again too.
    o.alerting.alertDelivery.rebuild(next).catch((err: Error) => logger.error({ err }, 'alert delivery could not be set up again; the previous one stays'));
    if (next.firewall?.enabled || previous.firewall?.enabled) {
      shaping.apply(next).catch((err: Error) => logger.error({ err }, 'bandwidth shaping could not be applied to the new configuration'));
    }
    // The alerts section, or the self-test's source addresses (which raise no alert) changed.
    if (alertRulesChanged(next, previous)) {
      try {
        o.queryLog.setAlertRules(o.alerting.alertRules(next));
      } catch (err) {
        logger.error({ err }, 'the new alert settings could not be used; the previous keyword and watch lists stay');
      }
    }
    if (listsChanged(next, previous)) {
      feeds.reschedule().then(() => lists.reload(next)).catch(() => undefined);
    }
  });
}

/** Re-reads the configuration file (SIGHUP, `schoolgate config reload`); a bad file throws and the running one is kept. */
export function configReloader(o: { config: ConfigStore; configFile: string; audit: AuditLog; logger: Logger }): (actor?: string) => Promise<void> {
  return async (actor = 'system'): Promise<void> => {
    const next: Config = await readConfigFile(o.configFile);
    await o.config.update(() => next, () => o.audit.append({ actor, action: 'config.reload', subject: o.configFile }));
    o.logger.info({ configFile: o.configFile }, 'configuration reloaded');
  };
}
