// The school's logo on the pages a pupil and a visitor meet, in Chromium at a phone's width: the
// block page (asked under the blocked name, as a pupil's phone does) and the portal's sign-in
// page, each with the logo the Settings page stored, under the pages' own CSP (img-src 'self'),
// checked by axe-core and kept as screenshots for a person to look at.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastify from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientDirectory } from '../../firmware/clients/directory.ts';
import { LogoStore } from '../../firmware/admin/logo.ts';
import { silentLogger } from '../../firmware/log.ts';
import { APP_ROOT } from '../../firmware/paths.ts';
import { captiveFallback, captiveRoutes } from '../../firmware/portal/captive/routes.ts';
import { portalView } from '../../firmware/portal/captive/settings.ts';
import { landingHandler, notBlockedHandler } from '../../firmware/portal/landing.ts';
import { logoRoute, surfaceLogo } from '../../firmware/portal/logo-route.ts';
import { startSurface, type RunningSurface } from '../../firmware/portal/server.ts';
import { VoucherService } from '../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { freePort } from '../support/ports.ts';
import { launchChromium } from '../support/browser.ts';
import { PUPIL } from '../unit/dns/filtering/harness.ts';
import { pageWorld } from '../unit/portal/support.ts';

const SHOTS = join(APP_ROOT, 'tmp', 'screenshots');
const PHONE = { width: 390, height: 844 };
// A wide, dark logo on a transparent background: the header's white plate must keep it visible.
const LOGO = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80" viewBox="0 0 240 80">
<rect x="4" y="4" width="72" height="72" rx="12" fill="#0b6e4f"/><path d="M40 16 L64 64 H16 Z" fill="#f2b600"/>
<text x="88" y="50" font-family="sans-serif" font-size="26" font-weight="700" fill="#0b3d2e">St Anne's</text></svg>`);

let dataDir: string;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let axeSource: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sg-brand-'));
  await new LogoStore(dataDir).save(LOGO);
  ({ browser, close: closeBrowser } = await launchChromium());
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await closeBrowser?.();
  await rm(dataDir, { recursive: true, force: true });
});

/** axe-core's serious and critical WCAG 2 A/AA violations (run in a copy of the page: the page itself allows no script). */
async function serious(page: Page): Promise<string[]> {
  const copy = await page.context().browser()!.newContext({ viewport: PHONE, bypassCSP: true });
  try {
    const scratch = await copy.newPage();
    await scratch.setContent(await page.content());
    await scratch.evaluate(axeSource);
    const result = await scratch.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; impact: string }> }> } }).axe;
      return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
  } finally {
    await copy.close();
  }
}

/** The logo image as Chromium laid it out: loaded (natural width) and its box. */
async function logoShown(page: Page): Promise<{ natural: number; height: number }> {
  return page.locator('header img.logo').evaluate((img: HTMLImageElement) => ({ natural: img.naturalWidth, height: img.getBoundingClientRect().height }));
}

describe('the logo on the block page and the portal', () => {
  it('shows on the block page a pupil meets, under its CSP, at a phone\'s width', async () => {
    const w = await pageWorld();
    const directory = new ClientDirectory(w.config.networks);
    const handlers = [landingHandler(() => w.config), w.handler, notBlockedHandler(() => w.config)];
    const port = await freePort();
    // Chromium asks from loopback: here it is the pupil's device.
    let surface: RunningSurface | undefined = await startSurface({ logger: silentLogger(), handlers: () => handlers, lookup: () => directory.lookup(PUPIL), logo: surfaceLogo(dataDir) }, [{ address: '127.0.0.1', port }]);
    const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    try {
      // The blocked name resolves to the gateway, as DNS answers it: every request to it goes to the surface with its Host.
      await context.route('http://chatter.test/**', async (route) => {
        const url = new URL(route.request().url());
        const answer = await new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: url.pathname + url.search, method: route.request().method(), headers: { host: 'chatter.test' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])), body: Buffer.concat(chunks) }));
          });
          req.on('error', reject);
          req.end();
        });
        await route.fulfill(answer);
      });
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) violations.push(m.text()); });
      const response = await page.goto('http://chatter.test/');
      expect(response?.status()).toBe(403);
      expect(response?.headers()['content-security-policy']).toContain("img-src 'self'");
      await page.getByRole('heading', { level: 1 }).waitFor();
      const logo = await logoShown(page);
      expect(logo.natural).toBeGreaterThan(0);
      expect(logo.height).toBeGreaterThan(20);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      expect(await serious(page)).toEqual([]);
      expect(violations).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'brand-block-page-phone.png'), fullPage: true });
    } finally {
      await context.close();
      await surface.close();
      surface = undefined;
    }
  });

  it('shows on the portal\'s sign-in page at a phone\'s width, and is absent where no logo is stored', async () => {
    const state = StateDatabase.open(':memory:');
    const vouchers = new VoucherService({
      store: state.vouchers, transaction: (fn) => state.transaction(fn), key: Buffer.alloc(32, 5),
      deviceAt: () => ({ mac: '02:00:00:00:00:01', networkId: 'guest' }), change: async () => true, events: state.networkEvents, now: () => new Date(),
    });
    const w = await pageWorld();
    w.config.site.name = 'St Anne\'s Primary School';
    let hasLogo = true;
    const logo = surfaceLogo(dataDir);
    const deps = { sessions: vouchers, now: () => new Date(), view: () => portalView(w.config, hasLogo && logo.present()) };
    const app = fastify();
    logoRoute(app, logo);
    await captiveRoutes(app, deps);
    app.setNotFoundHandler(captiveFallback(deps));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/portal`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect((await logoShown(page)).natural).toBeGreaterThan(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      expect(await serious(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'brand-portal-phone.png'), fullPage: true });
      hasLogo = false;
      await page.goto(`${base}/portal`);
      expect(await page.locator('header img').count()).toBe(0);
      await page.screenshot({ path: join(SHOTS, 'brand-portal-no-logo-phone.png'), fullPage: true });
    } finally {
      await context.close();
      await app.close();
      state.close();
    }
  });
});
