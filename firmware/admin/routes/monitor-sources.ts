// The monitor sources the dashboard, alerts and health routes read, or a clear 503 where the app
// was built without them (a listener started before the query log opened).
import { AuthError } from '../auth/errors.ts';
import type { AdminDeps, AdminMonitorSources } from '../route-deps.ts';

export function monitorOf(deps: AdminDeps): AdminMonitorSources {
  const monitor = deps.options.monitor;
  if (monitor === undefined) throw new AuthError(503, 'unavailable', 'the gateway is still starting: the logs and alerts are not open yet');
  return monitor;
}
