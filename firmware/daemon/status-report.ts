// What `schoolgate status` (and the admin status page) report: each running service's own
// figures, read when asked, plus how long the event loop was kept from running, and from them
// what needs attention (firmware/monitor/attention.ts).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ConfigStore } from '../config/store.ts';
import type { DnsThreads } from '../dns/listen/dns-threads.ts';
import type { DhcpService } from '../dhcp/service.ts';
import type { AlertService } from '../monitor/alerts/alert-service.ts';
import type { QueryLog } from '../monitor/query-log/query-log.ts';
import type { FirewallService } from '../net/service.ts';
import type { ShapingService } from '../net/shaping/service.ts';
import type { VoucherPortal } from '../portal/voucher-portal.ts';
import type { ListsManager } from '../rules/lists-manager.ts';
import type { StateDatabase } from '../state/database.ts';
import { memoryStatus, type DaemonStatus } from '../status.ts';
import type { FleetStatus } from '../fleet/fleet-status-schema.ts';
import type { BackupStatus } from '../backup/backup-schema.ts';
import type { ReleaseStatus } from '../upgrade/release-status-schema.ts';
import { VERSION } from '../version.ts';
import type { FeedService } from '../rules/feeds/feed-service.ts';
import { listsView } from '../rules/lists-view.ts';
import { listFreshness } from '../monitor/dashboard-data.ts';
import { needsAttention } from '../monitor/attention.ts';

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>;

/** How often the event loop's delay is sampled (ms). */
const LOOP_SAMPLE_MS = 10;

/**
 * The histogram records the whole interval between samples, so an idle loop reads ~10 ms: the
 * delay is what exceeds the sampling interval.
 */
export function loopDelayMs(intervalNs: number): number {
  return Math.max(0, intervalNs / 1e6 - LOOP_SAMPLE_MS);
}

/**
 * How long the event loop (DNS included) was kept from running: the first thing to look at
 * when answers are slow.
 */
export function watchLoopDelay(): IntervalHistogram {
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  loopDelay.enable();
  return loopDelay;
}

export function urlOf(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

export interface StatusReport {
  readonly status: () => DaemonStatus;
  /** The admin listener's accounts and HTTPS, once they are loaded; status may be asked before. */
  readonly showAdminAccess: (adminAccessStatus: () => Partial<DaemonStatus['admin']>) => void;
}

export function statusReport(o: {
  startedAt: Date; dataDir: string; configFile: string; config: ConfigStore; loopDelay: IntervalHistogram; state: StateDatabase;
  dnsThreads: DnsThreads; dhcp: DhcpService; firewall: FirewallService; shaping: ShapingService; lists: ListsManager;
  queryLog: QueryLog; alerts: AlertService; portal: VoucherPortal; fleet?: { status: () => FleetStatus };
  feeds?: Pick<FeedService, 'status'>;
  release?: () => ReleaseStatus;
  /** Undefined until the backups have started (after the status can first be asked). */
  backups?: () => BackupStatus | undefined;
}): StatusReport {
  const { startedAt, config, loopDelay, state, lists } = o;
  const adminEndpoint = config.current.web.admin;
  let adminAccessStatus = (): Partial<DaemonStatus['admin']> => ({});
  const status = (): DaemonStatus => {
    const current = config.current;
    const backups = o.backups?.();
    const status: Omit<DaemonStatus, 'attention'> = {
      version: VERSION,
      pid: process.pid,
      node: process.version,
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      site: current.site.name,
      dataDir: o.dataDir,
      configFile: o.configFile,
      networks: current.networks.map((n) => ({
        id: n.id, name: n.name, kind: n.kind, enabled: n.enabled, interface: n.interface, subnets: [...n.subnets], policy: n.policy,
      })),
      dns: o.dnsThreads.stats(),
      dhcp: o.dhcp.stats(),
      firewall: o.firewall.stats(),
      shaping: o.shaping.stats(),
      lists: { names: lists.report.names, compileMs: lists.report.compileMs, loadedAt: lists.report.loadedAt, fromCache: lists.report.fromCache, problems: lists.report.lists.filter((l) => l.badLines > 0 || l.error).length },
      queryLog: o.queryLog.stats(),
      alerts: { open: state.alerts.openCounts(), ...o.alerts.stats(), delivery: o.alerts.delivering },
      vouchers: o.portal.policies.status(),
      ...(o.fleet ? { fleet: o.fleet.status() } : {}),
      ...(o.release ? { release: o.release() } : {}),
      ...(backups ? { backups } : {}),
      memory: memoryStatus(),
      eventLoopDelayMs: {
        p50: loopDelayMs(loopDelay.percentile(50)),
        p99: loopDelayMs(loopDelay.percentile(99)),
        max: loopDelayMs(loopDelay.max),
      },
      admin: { url: urlOf(adminEndpoint.address, adminEndpoint.port), ...adminAccessStatus() },
      state: { schemaVersion: state.schemaVersion, devices: state.devices.count(), auditEntries: state.audit.count() },
    };
    const freshness = listFreshness(listsView(lists.report, current, o.feeds?.status() ?? []));
    return { ...status, attention: needsAttention({ status, lists: freshness, now: new Date(), timezone: current.site.timezone }) };
  };
  return { status, showAdminAccess: (next) => { adminAccessStatus = next; } };
}
