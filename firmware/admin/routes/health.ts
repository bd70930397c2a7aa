// The health page (health.view): the host's facts (systeminformation, cached briefly) and the
// daemon's DNS upstreams, lists, query log writer, DHCP, firewall and shaping, the
// running release with the last upgrade, and the newest backup.
import { HealthView } from '../api/health-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { healthSummary, listFreshness } from '../../monitor/dashboard-data.ts';
import type { AdminRoutes } from '../route-deps.ts';
import { monitorOf } from './monitor-sources.ts';

export const healthRoutes: AdminRoutes = async (app, deps) => {
  app.get('/api/health', {
    schema: { response: { 200: HealthView, 401: ApiError, 403: ApiError, 503: ApiError } },
    config: { permission: 'health.view' },
  }, async (): Promise<HealthView> => {
    const monitor = monitorOf(deps);
    const host = await monitor.hostFacts();
    const status = deps.options.status();
    const lists = listFreshness(monitor.lists());
    return {
      host,
      daemon: {
        version: status.version,
        uptimeSeconds: status.uptimeSeconds,
        rssBytes: status.memory.rssBytes,
        upstreams: status.dns.upstreams,
        upstreamSource: status.dns.upstreamSource,
        queryLog: status.queryLog,
        dhcp: status.dhcp,
        firewall: status.firewall ?? null,
        shaping: status.shaping ?? null,
        release: status.release ?? null,
        backups: status.backups ?? null,
      },
      lists,
      summary: healthSummary(status),
    };
  });
};
