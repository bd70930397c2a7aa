// The admin listener serving the built web UI: the page at / and at every UI path (deep links),
// hashed assets with a year's cache, index.html never cached, /api/ never answered with the page,
// a strict CSP, and a clear "not built" page instead of nothing when webui/dist is missing.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webuiRoutes, { WEBUI_CSP } from '../../../firmware/admin/routes/webui.ts';
import { firstLoadFiles, inlineProblems } from '../../../scripts/build-webui.ts';

let dir: string;
let app: FastifyInstance;
let missing: FastifyInstance;
const INDEX = '<!doctype html><title>UI</title><script type="module" src="/assets/index-abc123.js"></script>';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webui-routes-'));
  await mkdir(join(dir, 'dist', 'assets'), { recursive: true });
  await writeFile(join(dir, 'dist', 'index.html'), INDEX);
  await writeFile(join(dir, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)\n');
  await writeFile(join(dir, 'dist', 'assets', 'index-abc123.js.gz'), gzipSync('console.log(1)\n'));
  app = fastify();
  app.get('/api/status', async () => ({ ok: true }));
  await app.register(webuiRoutes, { dist: join(dir, 'dist') });
  missing = fastify();
  await missing.register(webuiRoutes, { dist: join(dir, 'nowhere') });
});

afterAll(async () => {
  await app?.close();
  await missing?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the built web UI', () => {
  it.each(['/', '/status', '/account/two-factor', '/sign-in?next=%2Fstatus'])('answers %s with index.html, not cached, under the strict CSP', async (url) => {
    const r = await app.inject({ method: 'GET', url });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe(INDEX);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers['content-security-policy']).toBe(WEBUI_CSP);
    expect(WEBUI_CSP).toContain("script-src 'self'");
    expect(WEBUI_CSP).not.toContain('unsafe-inline');
  });

  it('serves a hashed asset for a year, and a missing one as 404', async () => {
    const r = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('console.log(1)\n');
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ method: 'GET', url: '/assets/index-old999.js' })).statusCode).toBe(404);
    // The build's pre-compressed copy to a browser that accepts gzip, with the same caching.
    const gz = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(gz.statusCode).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toMatch(/javascript/);
    expect(gz.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(gunzipSync(gz.rawPayload).toString()).toBe('console.log(1)\n');
    expect((await app.inject({ method: 'GET', url: '/assets/../index.html' })).body).not.toBe(INDEX);
  });

  it('leaves /api/ to the API: its own routes answer, unknown ones get an ApiError 404, never the page', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/status' })).json()).toEqual({ ok: true });
    const r = await app.inject({ method: 'GET', url: '/api/nothing' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: 'There is no API route /api/nothing.', code: 'not-found' });
  });

  it('answers a file-like path outside the build with 404, not the page', async () => {
    expect((await app.inject({ method: 'GET', url: '/favicon.ico' })).statusCode).toBe(404);
  });

  it('says the UI is not built, and how to build it, when webui/dist is missing', async () => {
    const r = await missing.inject({ method: 'GET', url: '/status' });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('The web UI is not built');
    expect(r.body).toContain('npm run build');
  });
});

describe('the build\'s checks', () => {
  it('counts the entry and its static imports as the first load, not lazy chunks', () => {
    expect(firstLoadFiles({
      'src/main.tsx': { file: 'assets/index-1.js', isEntry: true, imports: ['_vendor'], css: ['assets/style-1.css'] },
      _vendor: { file: 'assets/vendor-2.js', imports: ['src/main.tsx'] },
      'src/lazy.tsx': { file: 'assets/lazy-3.js' },
    })).toEqual({ js: ['assets/index-1.js', 'assets/vendor-2.js'], css: ['assets/style-1.css'] });
  });

  it('refuses inline scripts, styles and handlers in index.html', () => {
    expect(inlineProblems(INDEX)).toEqual([]);
    expect(inlineProblems('<script>alert(1)</script><style>a{}</style><div style="x" onclick="y">')).toHaveLength(4);
  });
});
