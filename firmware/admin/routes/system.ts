// The status page (/status.html), /api/status, /metrics and /healthz. Status and metrics name the school's
// networks, addresses and counts: they answer the gateway itself (127.0.0.1, where an IT
// provider's monitoring agent runs or arrives through SSH) without a session, and anyone else
// only when signed in with health.view; /metrics also answers the scrape token (metrics.tokenFile) of
// a trust's Prometheus. /healthz says nothing but "up", so it is public.
import { Type } from 'typebox';
import { DaemonStatus } from '../../status.ts';
import { STATUS_PAGE_CSP } from '../headers.ts';
import { METRICS_CONTENT_TYPE, renderMetrics } from '../metrics.ts';
import { renderStatusPage } from '../status-page.ts';
import type { AdminRoutes } from '../route-deps.ts';

/** The status as HTTP shows it: the first-run setup code is for the console only. */
function shown(status: DaemonStatus): DaemonStatus {
  if (!status.admin.setupCode) return status;
  const { setupCode: _hidden, ...admin } = status.admin;
  return { ...status, admin };
}

export const systemRoutes: AdminRoutes = async (app, deps) => {
  const { status } = deps.options;

  // The server-rendered page, kept for a look without the web UI (the UI itself is at /).
  app.get('/status.html', { config: { permission: 'health.view', loopback: true } }, async (_request, reply) => {
    reply.type('text/html; charset=utf-8').header('content-security-policy', STATUS_PAGE_CSP);
    return renderStatusPage(shown(status()));
  });

  app.get('/api/status', {
    schema: { response: { 200: DaemonStatus } },
    config: { permission: 'health.view', loopback: true },
  }, async () => shown(status()));

  app.get('/metrics', { config: { permission: 'health.view', loopback: true, bearer: true } }, async (_request, reply) => {
    reply.type(METRICS_CONTENT_TYPE);
    return renderMetrics(status());
  });

  app.get('/healthz', {
    schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } },
    config: { permission: 'public' },
  }, async () => ({ ok: true }));
};
