// The dashboard (dashboard.view): counts over time from the rollups, the most blocked categories
// and devices, open alerts by severity (counts only: subjects are on the alerts page), the lists'
// freshness and a health summary, and for approvers and the IT provider the change requests
// waiting for them.
import { DashboardQuery, DashboardView } from '../api/dashboard-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { accountPermissions } from '../auth/views.ts';
import { changeQueue } from '../change-queue.ts';
import { changeCounts, dashboardCounts, healthSummary, listFreshness } from '../../monitor/dashboard-data.ts';
import type { AdminRoutes } from '../route-deps.ts';
import { monitorOf } from './monitor-sources.ts';

export const dashboardRoutes: AdminRoutes = async (app, deps) => {
  const now = deps.options.now ?? (() => new Date());
  app.get('/api/dashboard', {
    schema: { querystring: DashboardQuery, response: { 200: DashboardView, 401: ApiError, 403: ApiError, 503: ApiError } },
    config: { permission: 'dashboard.view' },
  }, async (request): Promise<DashboardView> => {
    const monitor = monitorOf(deps);
    const permissions = request.signed ? accountPermissions(request.signed.account) : [];
    // Devices by name are for those who may look at devices; the route's permission alone
    // would show them to any role given dashboard.view later.
    const withDevices = permissions.includes('devices.view') || permissions.includes('monitoring.view');
    const counts = await dashboardCounts({
      queryLog: monitor.queryLog,
      timezone: deps.options.site().timezone,
      now: now(),
      deviceName: monitor.deviceName,
    }, (request.query as DashboardQuery).span ?? 'today', withDevices);
    const lists = listFreshness(monitor.lists());
    const may = { approve: permissions.includes('changes.approve'), apply: permissions.includes('changes.apply') };
    let changes: DashboardView['changes'] = null;
    if (may.approve || may.apply) {
      // The counts are a convenience: the dashboard still answers when change control does not.
      changes = await changeQueue({ control: deps.options.control, accounts: deps.options.accounts }, request)
        .then((queue) => changeCounts(queue.changes, queue.waitingForYou, may), (error: unknown) => {
          request.log.warn({ err: error }, 'the dashboard could not read the change requests');
          return null;
        });
    }
    return { ...counts, alerts: { open: monitor.alerts.openCounts() }, lists, health: healthSummary(deps.options.status()), changes };
  });
};
