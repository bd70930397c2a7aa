// The admin listener: the web UI (served from webui/dist by routes/webui.ts), its API, and the
// server-rendered status page at /status.html. Each HTTP surface is its own fastify app.
import fastify, { LogController } from 'fastify';
import type { Logger } from '../log.ts';
import { DaemonStatus } from '../status.ts';
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.ts';
import { renderStatusPage } from './status-page.ts';
import webuiRoutes from './routes/webui.ts';

export interface AdminAppOptions {
  logger: Logger;
  status: () => DaemonStatus;
}

// The page is all inline and same-origin: nothing a browser loads from here may come from elsewhere.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export function buildAdminApp(options: AdminAppOptions) {
  // Per-request lines would flood journald from a page that polls; what people do through the
  // API is recorded in the audit log instead.
  const app = fastify({
    loggerInstance: options.logger.child({ component: 'admin' }),
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  // The server-rendered page, kept for a look without signing in; the web UI is at /.
  app.get('/status.html', async (_request, reply) => {
    reply.type('text/html; charset=utf-8');
    return renderStatusPage(options.status());
  });

  app.get('/api/status', { schema: { response: { 200: DaemonStatus } } }, async () => options.status());

  app.get('/metrics', async (_request, reply) => {
    reply.type(METRICS_CONTENT_TYPE);
    return renderMetrics(options.status());
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.register(webuiRoutes);

  return app;
}
