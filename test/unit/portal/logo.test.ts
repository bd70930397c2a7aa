// The school's logo on the block page and the visitor portal: served at /logo from the store the
// Settings page writes, with an image's headers (sandboxed, nosniff, revalidated by ETag), shown
// in the page header only when one is stored, and the pages' CSP allowing images from 'self' only.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientDirectory } from '../../../firmware/clients/directory.ts';
import { LOGO_CSP, LogoStore } from '../../../firmware/admin/logo.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { codePage } from '../../../firmware/portal/captive/pages.ts';
import { DEFAULT_TERMS, type PortalView } from '../../../firmware/portal/captive/settings.ts';
import { page, withLogo } from '../../../firmware/portal/html.ts';
import { landingHandler, notBlockedHandler, outsiderHandler } from '../../../firmware/portal/landing.ts';
import { etagMatches, logoRoute, surfaceLogo } from '../../../firmware/portal/logo-route.ts';
import { buildSurfaceApp } from '../../../firmware/portal/server.ts';
import { PUPIL, WEDNESDAY_10AM } from '../dns/filtering/harness.ts';
import { pageWorld } from './support.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest of a png')]);
const SVG = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

let dataDir: string | undefined;
afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

async function surface() {
  dataDir = await mkdtemp(join(tmpdir(), 'sg-logo-'));
  const w = await pageWorld();
  const handlers = [outsiderHandler(() => w.config), landingHandler(() => w.config), w.handler, notBlockedHandler(() => w.config)];
  const directory = new ClientDirectory(w.config.networks);
  const app = buildSurfaceApp({ logger: silentLogger(), handlers: () => handlers, lookup: (a) => directory.lookup(a), now: () => WEDNESDAY_10AM, logo: surfaceLogo(dataDir) });
  return { app, store: new LogoStore(dataDir) };
}

describe('the surface with a logo', () => {
  it('serves no logo and shows none until the school stores one', async () => {
    const { app } = await surface();
    const logo = await app.inject({ method: 'GET', url: '/logo', headers: { host: 'chatter.test' }, remoteAddress: PUPIL });
    expect(logo.statusCode).toBe(404);
    const blocked = await app.inject({ method: 'GET', url: '/', headers: { host: 'chatter.test' }, remoteAddress: PUPIL });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.body).not.toContain('<img');
  });

  it('shows the stored logo in the block page header and serves it as an image only, revalidated by ETag', async () => {
    const { app, store } = await surface();
    await store.save(PNG);
    const blocked = await app.inject({ method: 'GET', url: '/', headers: { host: 'chatter.test' }, remoteAddress: PUPIL });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.body).toMatch(/<header><img class="logo" src="\/logo" alt="" height="48">/);
    expect(blocked.headers['content-security-policy']).toContain("img-src 'self'");
    expect(blocked.headers['content-security-policy']).not.toContain('unsafe-inline');

    const logo = await app.inject({ method: 'GET', url: '/logo', headers: { host: 'chatter.test' }, remoteAddress: PUPIL });
    expect(logo.statusCode).toBe(200);
    expect(logo.rawPayload.equals(PNG)).toBe(true);
    expect(logo.headers).toMatchObject({ 'content-type': 'image/png', 'content-security-policy': LOGO_CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });
    const etag = String(logo.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.inject({ method: 'GET', url: '/logo', headers: { host: 'chatter.test', 'if-none-match': etag }, remoteAddress: PUPIL });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');

    // A new logo is a new ETag: the old one no longer matches.
    await store.save(SVG);
    const svg = await app.inject({ method: 'GET', url: '/logo', headers: { host: 'chatter.test', 'if-none-match': etag }, remoteAddress: PUPIL });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers).toMatchObject({ 'content-type': 'image/svg+xml', 'content-security-policy': LOGO_CSP });
    expect(String(svg.headers['content-security-policy'])).toContain('sandbox');

    await store.remove();
    const gone = await app.inject({ method: 'GET', url: '/', headers: { host: 'chatter.test' }, remoteAddress: PUPIL });
    expect(gone.body).not.toContain('<img');
  });
});

describe('the page frames', () => {
  it('puts the logo in the frame header only, never into the body', () => {
    const html = page('Blocked', 'Hillside <Primary>', '<h1>Blocked</h1><p>&lt;header&gt;</p>');
    expect(html).not.toContain('<img');
    const branded = withLogo(html);
    expect(branded.match(/<img /g)).toHaveLength(1);
    expect(branded.indexOf('<img')).toBeLessThan(branded.indexOf('<main>'));
    expect(branded).toContain('Hillside &lt;Primary&gt;</header>');
  });

  it('shows the portal pages with the logo only when one is stored', () => {
    const view: PortalView = { siteName: 'Hillside Primary', timezone: 'Europe/London', terms: DEFAULT_TERMS, privacyNoticeUrl: null, venueInfoUrl: null };
    expect(codePage(view, {})).not.toContain('<img');
    expect(codePage({ ...view, logo: true }, {})).toMatch(/<header><img class="logo" src="\/logo" alt="" height="48"><p>Hillside Primary/);
  });

  it('serves the logo on the portal app too (an unauthorised guest\'s every request is the portal\'s)', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sg-logo-'));
    const app = fastify();
    logoRoute(app, surfaceLogo(dataDir));
    app.setNotFoundHandler((_request, reply) => reply.code(302).header('location', '/portal').send());
    expect((await app.inject({ method: 'GET', url: '/logo' })).statusCode).toBe(404);
    await new LogoStore(dataDir).save(PNG);
    const logo = await app.inject({ method: 'HEAD', url: '/logo' });
    expect(logo.statusCode).toBe(200);
    expect(logo.headers).toMatchObject({ 'content-type': 'image/png', 'content-security-policy': LOGO_CSP, 'x-content-type-options': 'nosniff' });
    expect(surfaceLogo(dataDir).present()).toBe(true);
  });

  it('matches If-None-Match lists and weak validators', () => {
    expect(etagMatches(undefined, '"a"')).toBe(false);
    expect(etagMatches('"b", W/"a"', '"a"')).toBe(true);
    expect(etagMatches('*', '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
  });
});
