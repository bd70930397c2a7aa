// Every method the control socket (and the admin pages, in-process) can call, registered on the
// one ControlServer once every service they reach has started.
import type { ConfigStore } from '../config/store.ts';
import { ConfigError } from '../config/validate.ts';
import { registerAccountMethods } from '../admin/account-methods.ts';
import type { AdminAccess } from '../admin/admin-access.ts';
import { registerAuditMethods } from '../control/audit-methods.ts';
import { actorOf } from '../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../control/server.ts';
import { registerDeviceMethods } from '../dhcp/device-methods.ts';
import { CheckParams, checkName } from '../dns/policy/check-name.ts';
import type { DnsService } from '../dns/service.ts';
import type { Logger } from '../log.ts';
import { registerAlertMethods } from '../monitor/alerts/alert-methods.ts';
import { registerIncidentMethods } from '../monitor/incidents/incident-methods.ts';
import { wireClasses } from '../classes/wiring.ts';
import { erasureBlock } from '../monitor/investigations/investigation-rules.ts';
import { registerDataMethods } from '../monitor/subject/data-methods.ts';
import { registerDeliveryMethods } from '../monitor/alerts/delivery/delivery-methods.ts';
import type { QueryLog } from '../monitor/query-log/query-log.ts';
import { registerReviewMethods } from '../monitor/review/review-methods.ts';
import { reviewMethodDeps, type WeeklyReview } from '../monitor/review/review-wiring.ts';
import { registerReviewCheck } from '../monitor/review/review-check.ts';
import { registerSelftestMethods } from '../monitor/selftest/methods.ts';
import { wireAnnualReview } from '../monitor/annual/wire.ts';
import { EXPORT_PROTECTION, incidentHistorySource, reviewHistorySource } from '../monitor/record-sources.ts';
import type { SelftestService } from '../monitor/selftest/service.ts';
import { registerNetMethods } from '../net/net-methods.ts';
import { registerCapMethods } from '../net/shaping/cap-methods.ts';
import { registerReportMethods } from '../portal/report-methods.ts';
import type { VoucherPortal } from '../portal/voucher-portal.ts';
import { registerVoucherMethods } from '../portal/vouchers/methods.ts';
import { normaliseListedName } from '../rules/formats/domain-name.ts';
import { registerListMethods } from '../rules/list-methods.ts';
import { registerLeaseMethods } from '../dhcp/lease-methods.ts';
import type { StateDatabase } from '../state/database.ts';
import type { DaemonStatus } from '../status.ts';
import type { Enforcement, NetworkWatches } from './enforcement.ts';
import type { Filtering } from './filtering.ts';
import type { Alerting } from './monitoring.ts';

/** DNS applies a device's new group to every address it holds; a group's policy may cap devices differently. */
export function deviceRegrouper(o: { filtering: Filtering; enforcement: Enforcement; logger: Logger }): (mac: string, group: string | null) => void {
  return (mac, group) => {
    o.filtering.dnsThreads.regroupDevice(mac, group);
    o.enforcement.shaping.refresh().catch((err: Error) => o.logger.error({ err }, 'bandwidth shaping could not follow a device group change'));
  };
}

export function registerControlMethods(control: ControlServer, o: {
  config: ConfigStore; configFile: string; state: StateDatabase; status: () => DaemonStatus; reloadFromDisk: (actor?: string) => Promise<void>;
  dns: DnsService; filtering: Filtering; enforcement: Enforcement; watches: NetworkWatches; portal: VoucherPortal;
  queryLog: QueryLog; alerting: Alerting; selftest: SelftestService; access: AdminAccess; logger: Logger; weeklyReview: WeeklyReview;
}): void {
  const { config, state, dns, portal, logger } = o;
  const { lists, feeds } = o.filtering;
  const { shaping, firewall } = o.enforcement;
  const { suspensions, tethering, attempts, bypass } = o.watches;
  control.register('status', { handle: () => o.status() });
  registerListMethods(control, { config, lists, feeds, audit: state.audit, logger: logger.child({ component: 'lists' }) });
  registerDeviceMethods(control, {
    config, devices: state.devices, audit: state.audit,
    transaction: (fn) => state.transaction(fn),
    regroup: deviceRegrouper(o),
    suspensions,
    now: () => new Date(),
  });
  registerLeaseMethods(control, { config, leases: state.leases, audit: state.audit });
  registerNetMethods(control, { config, firewall, tethering, attempts, bypass, shaping: () => shaping.stats() });
  registerCapMethods(control, { shaping, devices: state.devices, audit: state.audit });
  registerAuditMethods(control, state.audit);
  registerVoucherMethods(control, { config, vouchers: portal.vouchers, audit: state.audit });
  registerAlertMethods(control, { alerts: state.alerts, audit: state.audit, transaction: (fn) => state.transaction(fn), now: () => new Date() });
  registerAccountMethods(control, { accounts: state.accounts, audit: state.audit, transaction: (fn) => state.transaction(fn), now: () => new Date(), raise: o.access.appOptions.raise });
  registerDeliveryMethods(control, { config, delivery: o.alerting.alertDelivery, audit: state.audit, now: () => new Date() });
  registerSelftestMethods(control, {
    config, service: o.selftest, store: state.selftest, audit: state.audit, transaction: (fn) => state.transaction(fn), now: () => new Date(),
  });
  // A device under investigation keeps its records until the investigation's evidence is saved.
  registerDataMethods(control, { state, queryLog: o.queryLog, now: () => new Date(), keptBecause: (subject) => erasureBlock(config.current, subject) });
  wireAnnualReview(control, { config, state, incidents: incidentHistorySource(state.incidents), reviews: reviewHistorySource(state.reviews, () => config.current), exportProtection: EXPORT_PROTECTION });
  registerReportMethods(control, state.siteReports);
  registerIncidentMethods(control, o.alerting.incidents);
  wireClasses(control, { config, state, queryLog: o.queryLog });
  registerReviewMethods(control, reviewMethodDeps({ config, state, queryLog: o.queryLog }));
  registerReviewCheck(control, { notifier: o.weeklyReview.notifier, audit: state.audit, now: () => new Date() });
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
      let mac: string | undefined;
      if (params.device !== undefined) {
        let device;
        try {
          device = state.devices.get(params.device);
        } catch (err) {
          throw new ControlFailure('bad-device', (err as Error).message);
        }
        if (!device) throw new ControlFailure('unknown-device', `no device ${params.device} is known to this gateway`);
        groupId = device.groupId ?? undefined;
        mac = device.mac;
      }
      return checkName(current, dns.filter, {
        name: normalised.name, networkId: params.network, groupId, device: mac,
        policyId: params.device === undefined ? undefined : portal.voucherPolicyOf(params.device, params.network),
        at: params.at ? Date.parse(params.at) : Date.now(),
      });
    },
  });
  control.register('config.reload', { handle: async (_params, caller) => {
    try {
      await o.reloadFromDisk(actorOf(caller));
    } catch (err) {
      if (err instanceof ConfigError) throw new ControlFailure('invalid-config', `${err.message}\nThe running configuration is kept.`);
      throw err;
    }
    return { reloaded: o.configFile };
  } });
}
