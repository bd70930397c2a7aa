// The admin listener: the web UI (served from webui/dist by routes/webui.ts), its API, and the
// server-rendered status page at /status.html.
// Route plugins live in routes/<area>.ts, each `async (app, deps)`, each route with its TypeBox
// schemas and the permission it needs in `config`; one hook enforces that permission on every
// request, and a route that declares none is refused (and fails the unit test that walks them).
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastify, { LogController, type FastifyInstance } from 'fastify';
import { AccountAdmin } from './auth/account-admin.ts';
import { Authenticator, type Signed } from './auth/authenticator.ts';
import { AuthError } from './auth/errors.ts';
import { checkAccess, checkCsrf, type RouteAccess } from './guard.ts';
import { securityHeaders } from './headers.ts';
import { sniGuard } from './https/sni.ts';
import { accountRoutes } from './routes/accounts.ts';
import { aupRoutes } from './routes/aup.ts';
import { auditRoutes } from './routes/audit.ts';
import { backupRoutes } from './routes/backups.ts';
import { changeRoutes } from './routes/changes.ts';
import { classRoutes } from './routes/classes.ts';
import { deviceRoutes } from './routes/devices.ts';
import { listRoutes } from './routes/lists.ts';
import { alertRoutes } from './routes/alerts.ts';
import { annualRoutes } from './routes/annual.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { healthRoutes } from './routes/health.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { investigationRoutes } from './routes/investigations.ts';
import { networkRoutes } from './routes/networks.ts';
import { policyRoutes } from './routes/policies.ts';
import { reportRoutes } from './routes/reports.ts';
import { reviewRoutes } from './routes/review.ts';
import { sessionRoutes } from './routes/session.ts';
import { settingsRoutes } from './routes/settings.ts';
import { setupRoutes } from './routes/setup.ts';
import { systemRoutes } from './routes/system.ts';
import { upgradeRoutes } from './routes/upgrade.ts';
import { visitorRoutes } from './routes/visitors.ts';
import { voucherRoutes } from './routes/vouchers.ts';
import { SESSION_COOKIE, type AdminAppOptions, type AdminDeps } from './route-deps.ts';
import webuiRoutes from './routes/webui.ts';

export { SESSION_COOKIE, type AdminAppOptions, type AdminDeps };

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAccess {}
  interface FastifyRequest {
    signed: Signed | undefined;
  }
}

export interface DeclaredRoute {
  method: string;
  url: string;
  access: RouteAccess;
}
const routesOf = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route the app registered and what it declared: for the test that walks them. */
export function declaredRoutes(app: FastifyInstance): readonly DeclaredRoute[] {
  return routesOf.get(app) ?? [];
}

export async function buildAdminApp(options: AdminAppOptions): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date());
  const authDeps = { accounts: options.accounts, audit: options.audit, transaction: options.transaction, now, limits: options.limits, raise: options.raise };
  const auth = new Authenticator(authDeps);
  const admin = new AccountAdmin(authDeps, (account, what, source) => auth.raiseBreakGlass(account, what, source));
  const deps: AdminDeps = { options, auth, admin, cookie: { secure: options.cookieSecure ?? options.https } };

  // Per-request lines would flood journald from a page that polls; what people do through the
  // API is recorded in the audit log instead.
  const app = fastify({
    loggerInstance: options.logger.child({ component: 'admin' }),
    logController: new LogController({ disableRequestLogging: true }),
    // With the names it answers to, a handshake naming anything else is refused (https/sni.ts).
    ...(options.server?.https ? { https: { ...options.server.https, ...(options.hosts ? { SNICallback: sniGuard(options.server.https, options.hosts) } : {}) } } : {}),
  }) as unknown as FastifyInstance;
  const headers = securityHeaders(options.https);

  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new AuthError(429, 'rate-limited', `too many attempts from this address: wait ${Math.ceil(context.ttl / 1000)} s`),
  });
  app.decorateRequest('signed', undefined);
  const declared: DeclaredRoute[] = [];
  routesOf.set(app, declared);
  // A route without a permission would be refused on every request by the hook below; refusing
  // to build makes the mistake the author's, at once, rather than a 500 a user meets.
  app.addHook('onRoute', (route) => {
    const access: RouteAccess = route.config ?? {};
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) declared.push({ method, url: route.url, access });
    if (access.permission === undefined && route.url !== undefined && !route.url.startsWith('/*')) {
      throw new Error(`admin route ${methods.join(',')} ${route.url} declares no permission (config.permission)`);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(headers);
    const secure = options.httpsRedirect?.(request.headers.host, request.url);
    if (secure !== undefined) return reply.redirect(secure, 308);
    if (options.hosts && !options.hosts().includes(hostName(request.host))) {
      throw new AuthError(421, 'wrong-host', 'this gateway does not answer to that name: use its address or schoolgate.local');
    }
    if (request.is404) return;
    const config = request.routeOptions.config;
    request.signed = auth.session(request.cookies[SESSION_COOKIE]);
    checkAccess(config, request.signed, request.ip, config.bearer === true && options.scrapeToken?.(header(request.headers.authorization)) === true);
    checkCsrf({
      method: request.method,
      origin: header(request.headers.origin),
      referer: header(request.headers.referer),
      csrfHeader: header(request.headers['x-csrf-token']),
    }, `${request.protocol}://${request.host}`, request.signed);
  });

  app.setErrorHandler(async (error: Error & { validation?: { instancePath: string; message?: string }[]; statusCode?: number }, request, reply) => {
    if (error instanceof AuthError) return reply.code(error.status).send(error.body);
    if (error.validation) {
      const fields: Record<string, string> = {};
      for (const v of error.validation) fields[v.instancePath.replace(/^\//, '') || '(body)'] = v.message ?? 'is not valid';
      return reply.code(400).send({ error: `the request is not valid: ${error.message}`, code: 'invalid', fields });
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: error.message, code: 'bad-request' });
    }
    request.log.error({ err: error, url: request.url }, 'admin API error');
    return reply.code(500).send({ error: 'something went wrong on the gateway; the log has the details', code: 'internal' });
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'there is no such page or API route', code: 'not-found' }));

  for (const routes of [systemRoutes, sessionRoutes, setupRoutes, accountRoutes, policyRoutes, networkRoutes, deviceRoutes, listRoutes, auditRoutes, dashboardRoutes, alertRoutes, healthRoutes, visitorRoutes, aupRoutes, voucherRoutes, settingsRoutes, incidentRoutes, investigationRoutes, classRoutes, changeRoutes, reportRoutes, annualRoutes, reviewRoutes, backupRoutes, upgradeRoutes]) await routes(app, deps);
  // Last: its catch-all serves the UI's page for every path no API route took.
  await app.register(webuiRoutes);
  return app;
}

/** The Host header without its port, lower-cased; IPv6 without brackets. */
export function hostName(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(1, lower.indexOf(']'));
  return lower.replace(/:\d+$/, '');
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
