// The gateway's web surface on port 80: served on every endpoint (each network's gateway address,
// web.blockPage, web.portal), where the visitor portal takes a guest's requests and, for every
// other one, the dispatcher picks the answer by who asks (the network and device behind the
// source address) and the Host. Server-rendered HTML that works without
// JavaScript: a phone's captive-portal sheet is a limited browser.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import fastify, { LogController } from 'fastify';
import type { ClientInfo } from '../clients/directory.ts';
import type { Endpoint } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { PortalMount } from './captive/on-surface.ts';
import { crossSitePage, formOriginOf, refusedCrossSite } from './cross-site.ts';
import { dispatch, normaliseHost, plainSource, type SurfaceHandler } from './dispatcher.ts';
import { SECURITY_HEADERS, withLogo } from './html.ts';
import { logoRoute, type SurfaceLogo } from './logo-route.ts';

export interface SurfaceOptions {
  logger: Logger;
  /** Tried in order; the first to answer wins (the portal and the admin redirect go first). */
  handlers: () => readonly SurfaceHandler[];
  /** The school network and device behind a source address (the DNS client directory). */
  lookup: (address: string) => ClientInfo | undefined;
  now?: () => number;
  /**
   * The visitor portal, served by the same listeners: a request it takes (a guest's) goes to its
   * own app (its routes, its parsers), every other one to the dispatcher.
   */
  portal?: PortalMount;
  /** The gateway's own names and addresses: a form posted from a page on one of them is the surface's own. */
  isGatewayHost?: (host: string) => boolean;
  /** The school's name, for the refusal of a form posted from another site. */
  siteName?: () => string;
  /** The school's logo (DATA_DIR/branding/): served at /logo and shown in every page's header. Absent: no logo. */
  logo?: SurfaceLogo;
}

/** Forms are a few fields: anything bigger is refused before it is read. */
const BODY_LIMIT = 4096;

export function buildSurfaceApp(options: SurfaceOptions) {
  const now = options.now ?? Date.now;
  const isGatewayHost = options.isGatewayHost ?? (() => false);
  const app = fastify({
    loggerInstance: options.logger.child({ component: 'web' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => {
    const form: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(body as string)) if (!Object.hasOwn(form, key)) form[key] = value;
    done(null, form);
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  if (options.logo) logoRoute(app, options.logo);
  app.route({
    method: ['GET', 'HEAD', 'POST'],
    url: '/*',
    handler: async (request, reply) => {
      const source = plainSource(request.socket.remoteAddress ?? '');
      const client = options.lookup(source);
      const sent = formOriginOf(request.headers);
      if (refusedCrossSite(request.method, sent, { hostHeader: request.headers.host, isGatewayHost })) {
        reply.header('x-schoolgate-handler', 'cross-site');
        reply.code(403).header('content-type', 'text/html; charset=utf-8');
        return crossSitePage(client?.network.kind === 'pupil' ? 'pupil' : 'adult', options.siteName?.() ?? 'School Wi-Fi');
      }
      const { handler, response } = await dispatch(options.handlers(), {
        method: request.method,
        host: normaliseHost(request.headers.host),
        path: request.url.split('?')[0] ?? '/',
        source,
        client,
        ...(request.method === 'POST' && request.body && typeof request.body === 'object' ? { form: request.body as Record<string, string> } : {}),
        ...sent,
        now: now(),
      });
      reply.header('x-schoolgate-handler', handler);
      reply.code(response.status).headers({ 'content-type': 'text/html; charset=utf-8', ...response.headers });
      return options.logo?.present() ? withLogo(response.html) : response.html;
    },
  });
  return app;
}

export interface RunningSurface {
  /** The endpoints listened on, and those that could not be (an address not yet up, a port taken). */
  readonly listening: Endpoint[];
  readonly failed: Array<Endpoint & { error: string }>;
  /** Listens on exactly these endpoints from now on: new ones opened, gone ones closed (a reload). */
  update(endpoints: readonly Endpoint[]): Promise<void>;
  close(): Promise<void>;
}

const keyOf = (e: Endpoint): string => `${e.address}|${e.port}`;

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Serves the app on every endpoint. One that cannot be listened on is reported, not fatal: DNS
 * and filtering must not stop because one network's address is not up yet.
 */
/** The portal's own app: its routes mounted, fastify's logging kept quiet as the surface's is. */
async function buildPortalApp(options: SurfaceOptions, portal: PortalMount) {
  const app = fastify({
    loggerInstance: options.logger.child({ component: 'portal' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 8192,
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-schoolgate-handler', 'portal');
  });
  await portal.mount(app);
  await app.ready();
  return app;
}

export async function startSurface(options: SurfaceOptions, endpoints: readonly Endpoint[]): Promise<RunningSurface> {
  const app = buildSurfaceApp(options);
  await app.ready();
  const portal = options.portal;
  const portalApp = portal ? await buildPortalApp(options, portal) : undefined;
  const route = (req: IncomingMessage, res: ServerResponse): void => {
    if (portal && portalApp) {
      const source = plainSource(req.socket.remoteAddress ?? '');
      let takes: boolean;
      try {
        takes = portal.takes({ source, host: normaliseHost(req.headers.host), hostHeader: req.headers.host, url: req.url ?? '/', client: options.lookup(source) });
      } catch (err) {
        // Outside fastify nothing would catch it: one bad request must not stop the daemon.
        options.logger.error({ err }, 'the web surface could not tell whether a request is the portal\'s');
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' }).end('Try again in a moment.\n');
        return;
      }
      if (takes) {
        portalApp.routing(req, res);
        return;
      }
    }
    app.routing(req, res);
  };
  const servers = new Map<string, { endpoint: Endpoint; server: Server }>();
  const surface: RunningSurface = {
    listening: [],
    failed: [],
    async update(next) {
      const wanted = new Map(next.map((e) => [keyOf(e), e]));
      for (const [key, { server }] of [...servers]) {
        if (wanted.has(key)) continue;
        servers.delete(key);
        await closeServer(server);
      }
      surface.failed.length = 0;
      for (const [key, endpoint] of wanted) {
        if (servers.has(key)) continue;
        const server = createServer(route);
        server.headersTimeout = 10_000;
        server.requestTimeout = 15_000;
        try {
          await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen({ host: endpoint.address, port: endpoint.port }, () => {
              server.off('error', reject);
              resolve();
            });
          });
          servers.set(key, { endpoint, server });
        } catch (err) {
          surface.failed.push({ ...endpoint, error: (err as Error).message });
        }
      }
      surface.listening.splice(0, surface.listening.length, ...[...servers.values()].map((s) => s.endpoint));
    },
    async close() {
      await Promise.all([...servers.values()].map((s) => closeServer(s.server)));
      servers.clear();
      await app.close();
      await portalApp?.close();
    },
  };
  await surface.update(endpoints);
  return surface;
}
