// The web UI from webui/dist on the admin listener: hashed assets cached for a year (a new build
// has new names), index.html never cached (so a new build is picked up at once), and index.html
// for every other path outside /api/, so a deep link or a reload opens the page it names (the UI
// routes in the browser). Its CSP allows scripts and styles from this origin only: Vite emits them
// as files, scripts/build-webui.ts refuses a page with inline ones. Without a build it says so
// (in the log once, on the page every time) instead of answering nothing.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { APP_ROOT } from '../../paths.ts';

export const WEBUI_DIST = join(APP_ROOT, 'webui', 'dist');

export const WEBUI_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Schoolgate: web UI not built</title></head>
<body><h1>The web UI is not built</h1>
<p>This gateway's admin pages come from <code>webui/dist</code>, which is missing. On the gateway run <code>npm run build</code>, then reload this page.</p>
<p>The gateway itself is running: <a href="/status.html">its status page</a> and <code>schoolgate status</code> work without the web UI.</p>
</body></html>
`;

const PUBLIC = { permission: 'public' } as const;

export interface WebuiRoutesOptions {
  /** The built UI; the checkout's webui/dist unless a test builds elsewhere. */
  dist?: string;
}

export default async function webuiRoutes(app: FastifyInstance, options: WebuiRoutesOptions = {}): Promise<void> {
  const dist = options.dist ?? WEBUI_DIST;
  const index = join(dist, 'index.html');
  if (!existsSync(index)) app.log.warn({ dist }, 'the web UI is not built (no webui/dist/index.html): run `npm run build`; until then the admin address shows how');

  // preCompressed: the build writes .br and .gz beside each script and style; a browser that
  // accepts them gets those (a third of the bytes), the others the plain file.
  await app.register(fastifyStatic, { root: join(dist, 'assets'), serve: false, decorateReply: true, preCompressed: true });

  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', WEBUI_CSP);
  });

  app.get<{ Params: { '*': string } }>('/assets/*', { config: PUBLIC }, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    return reply.sendFile(request.params['*'], join(dist, 'assets'), { cacheControl: false, dotfiles: 'deny' });
  });

  const page = async (url: string, reply: FastifyReply) => {
    const path = url.replace(/[?#].*$/, '');
    if (path === '/api' || path.startsWith('/api/')) {
      reply.code(404);
      return { error: `There is no API route ${path}.`, code: 'not-found' };
    }
    // A file-like name that is not in the build (an old hashed asset, /favicon.ico) is a 404, not
    // the page: a browser would otherwise parse index.html as a script or an image.
    if (/\.[A-Za-z0-9]{1,8}$/.test(path)) {
      reply.code(404).type('text/plain; charset=utf-8');
      return 'not found\n';
    }
    reply.header('cache-control', 'no-cache');
    reply.type('text/html; charset=utf-8');
    try {
      return await readFile(index);
    } catch {
      reply.code(503);
      return NOT_BUILT_PAGE;
    }
  };

  app.get('/', { config: PUBLIC }, async (request, reply) => page(request.url, reply));
  app.get('/*', { config: PUBLIC }, async (request, reply) => page(request.url, reply));
}
