// The web surface as a browser meets it (fastify's inject, from a source address): the dispatcher's
// order, the gateway's own names, outsiders refused, forms parsed, and the security headers.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ClientDirectory } from '../../../firmware/clients/directory.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { dispatch, normaliseHost, plainSource, type SurfaceHandler } from '../../../firmware/portal/dispatcher.ts';
import { surfaceEndpoints } from '../../../firmware/portal/endpoints.ts';
import { landingHandler, notBlockedHandler, outsiderHandler } from '../../../firmware/portal/landing.ts';
import { adminRedirectHandler } from '../../../firmware/portal/admin-redirect.ts';
import { buildSurfaceApp, startSurface } from '../../../firmware/portal/server.ts';
import { freePort } from '../../support/ports.ts';
import { REPORT_PATH } from '../../../firmware/portal/block/render.ts';
import { PUPIL, STAFF, WEDNESDAY_10AM } from '../dns/filtering/harness.ts';
import { pageWorld } from './support.ts';

describe('dispatch', () => {
  const answering = (name: string, status: number): SurfaceHandler => ({ name, handle: () => ({ status, html: name }) });
  const passing = (name: string, seen: string[]): SurfaceHandler => ({ name, handle: () => { seen.push(name); return undefined; } });
  const request = { method: 'GET', host: 'x.test', path: '/', source: PUPIL, client: undefined, now: 0 };

  it('tries handlers in order and the first answer wins; none answering is a 404', async () => {
    const seen: string[] = [];
    const out = await dispatch([passing('portal', seen), passing('redirect', seen), answering('block-page', 403), answering('landing', 200)], request);
    expect(seen).toEqual(['portal', 'redirect']);
    expect(out).toMatchObject({ handler: 'block-page', response: { status: 403 } });
    expect((await dispatch([passing('portal', [])], request)).response.status).toBe(404);
  });

  it('reads Host as the name asked for', () => {
    expect(['Chatter.Test:80', 'chatter.test.', '[fd00::1]:80', '10.20.0.1', '', undefined].map(normaliseHost))
      .toEqual(['chatter.test', 'chatter.test', 'fd00::1', '10.20.0.1', '', '']);
    expect([plainSource('::ffff:10.20.0.9'), plainSource('fd00::9')]).toEqual(['10.20.0.9', 'fd00::9']);
  });
});

describe('surfaceEndpoints', () => {
  it('port 80 on each enabled non-loopback gateway address, plus web.blockPage', () => {
    const c = defaultConfig();
    expect(surfaceEndpoints(c)).toEqual([{ address: '127.0.0.1', port: 8081 }]);
    c.networks[0]!.gateway = { ipv4: '10.10.0.1', ipv6: 'fd00:10::1' };
    c.networks[1]!.gateway = { ipv4: '10.20.0.1' };
    c.networks[2]!.gateway = { ipv4: '10.30.0.1' };
    c.networks[2]!.enabled = false;
    delete c.web.blockPage;
    expect(surfaceEndpoints(c)).toEqual([{ address: '10.10.0.1', port: 80 }, { address: 'fd00:10::1', port: 80 }, { address: '10.20.0.1', port: 80 }]);
  });
});

describe('the surface app', () => {
  async function app() {
    const w = await pageWorld();
    const handlers = [outsiderHandler(() => w.config), landingHandler(() => w.config), w.handler, notBlockedHandler(() => w.config)];
    const directory = new ClientDirectory(w.config.networks);
    const server = buildSurfaceApp({ logger: silentLogger(), handlers: () => handlers, lookup: (a) => directory.lookup(a), now: () => WEDNESDAY_10AM });
    return { w, server };
  }

  it('serves the block page under the blocked name with a CSP that allows no inline script, and never caches it', async () => {
    const { server } = await app();
    const r = await server.inject({ method: 'GET', url: '/some/path?q=1', headers: { host: 'chatter.test' }, remoteAddress: PUPIL });
    expect(r.statusCode).toBe(403);
    expect(r.headers['x-schoolgate-handler']).toBe('block-page');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body).not.toMatch(/<script/i);
    await server.close();
  });

  it('a POSTed form reaches the handler; the gateway\'s own name gets the landing page; an outsider gets nothing', async () => {
    const { w, server } = await app();
    const page = await server.inject({ method: 'GET', url: '/', headers: { host: 'chatter.test' }, remoteAddress: PUPIL });
    const token = /name="token" value="([^"]+)"/.exec(page.body)![1]!;
    const sent = await server.inject({
      method: 'POST', url: REPORT_PATH, headers: { host: 'chatter.test', 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: PUPIL,
      payload: new URLSearchParams({ token, kind: 'should-be-blocked', comment: 'saw something upsetting' }).toString(),
    });
    expect(sent.statusCode).toBe(200);
    expect(w.state.siteReports.reports()).toEqual([expect.objectContaining({ name: 'chatter.test', kind: 'should-be-blocked', comment: 'saw something upsetting' })]);

    const landing = await server.inject({ method: 'GET', url: '/', headers: { host: w.config.dns.localDomain }, remoteAddress: STAFF });
    expect([landing.statusCode, landing.headers['x-schoolgate-handler']]).toEqual([200, 'landing']);
    expect(landing.body).toContain('Staff');
    const outsider = await server.inject({ method: 'GET', url: '/', headers: { host: 'chatter.test' }, remoteAddress: '127.99.0.1' });
    expect([outsider.statusCode, outsider.headers['x-schoolgate-handler']]).toEqual([403, 'outsider']);
    const allowed = await server.inject({ method: 'GET', url: '/', headers: { host: 'chatter.test' }, remoteAddress: STAFF });
    expect(allowed.headers['x-schoolgate-handler']).toBe('not-blocked');
    const big = await server.inject({
      method: 'POST', url: REPORT_PATH, headers: { host: 'chatter.test', 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: PUPIL,
      payload: `token=${token}&kind=should-be-blocked&comment=${'x'.repeat(5000)}`,
    });
    expect(big.statusCode).toBe(413);
    expect(w.state.siteReports.reports()).toHaveLength(1);
    await server.close();
  });
});

describe('startSurface', () => {
  it('listens on each endpoint, follows a new set of endpoints, and reports one it cannot take without failing', async () => {
    const w = await pageWorld();
    const directory = new ClientDirectory(w.config.networks);
    const [a, b, c] = [await freePort(), await freePort(), await freePort()];
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: c }, resolve));
    const surface = await startSurface({ logger: silentLogger(), handlers: () => [landingHandler(() => w.config)], lookup: (x) => directory.lookup(x) },
      [{ address: '127.0.0.1', port: a }, { address: '127.0.0.1', port: c }]);
    try {
      const answers = async (port: number): Promise<number | string> => {
        try {
          return (await fetch(`http://127.0.0.1:${port}/`, { headers: { host: w.config.dns.localDomain } })).status;
        } catch (err) {
          return ((err as Error).cause as { code?: string })?.code ?? 'error';
        }
      };
      expect(surface.listening).toEqual([{ address: '127.0.0.1', port: a }]);
      expect(surface.failed).toEqual([expect.objectContaining({ port: c, error: expect.stringContaining('EADDRINUSE') })]);
      // 127.0.0.1 is on no school network here: the landing handler is not asked, the 404 answers.
      expect(await answers(a)).toBe(404);
      await surface.update([{ address: '127.0.0.1', port: b }]);
      expect(surface.listening).toEqual([{ address: '127.0.0.1', port: b }]);
      expect(await answers(b)).toBe(404);
      expect(await answers(a)).toBe('ECONNREFUSED');
    } finally {
      await surface.close();
      blocker.close();
    }
  });
});

describe('adminRedirectHandler', () => {
  it('sends plain HTTP for the admin UI (its name, or its address on an admin network) to HTTPS, and nothing else', async () => {
    const c = defaultConfig();
    c.web.https = { hostname: 'gateway.school.test' };
    const handler = adminRedirectHandler(() => c);
    const directory = new ClientDirectory(c.networks);
    const at = (host: string, from = STAFF) => handler.handle({ method: 'GET', host, path: '/alerts?open=1', source: from, client: directory.lookup(from), now: 0 });
    expect(await at('gateway.school.test')).toMatchObject({ status: 308, headers: { location: 'https://gateway.school.test/alerts?open=1' } });
    expect(await at('127.10.0.1')).toMatchObject({ status: 308, headers: { location: 'https://127.10.0.1/alerts?open=1' } });
    // The pupil network's gateway address is not the admin UI's: the landing page answers there.
    expect(await at('127.20.0.1', PUPIL)).toBeUndefined();
    expect(await at('chatter.test')).toBeUndefined();
    delete c.web.https;
    expect(await at('gateway.school.test')).toBeUndefined();
  });
});
