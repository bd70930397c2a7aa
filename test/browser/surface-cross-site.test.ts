// Cross-site posts to the port-80 surface as Chromium really sends them, on loopback: a page of
// another origin that submits the AUP splash's "I agree" form is refused with the surface's 403
// page (in the pupils' words) and nothing is recorded; the splash's own page, served with
// Referrer-Policy same-origin, submits the same form and the acceptance is recorded. Screenshots of
// the refusal and the acceptance at a phone's width go to tmp/screenshots/surface-cross-site-*.png.
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClientInfo } from '../../firmware/clients/directory.ts';
import { defaultConfig } from '../../firmware/config/defaults.ts';
import { silentLogger } from '../../firmware/log.ts';
import { APP_ROOT } from '../../firmware/paths.ts';
import { startSurface, type RunningSurface } from '../../firmware/portal/server.ts';
import { splashHandler } from '../../firmware/portal/splash/handler.ts';
import { ACCEPT_PATH } from '../../firmware/portal/splash/page.ts';
import { launchChromium } from '../support/browser.ts';
import { freePort } from '../support/ports.ts';

const SHOTS = join(APP_ROOT, 'tmp', 'screenshots');
const PHONE = { width: 390, height: 844 };
const MAC = '02:5c:00:20:00:10';

let browser: Browser;
let closeBrowser: () => Promise<void>;
let surface: RunningSurface;
let other: Server;
let surfaceBase: string;
let otherBase: string;
const accepted: string[] = [];

beforeAll(async () => {
  const config = defaultConfig();
  config.aup = { version: '2026-27', text: 'Use the network for school work.', splashOn: ['pupil'] };
  const pupil = config.networks.find((n) => n.kind === 'pupil')!;
  const splash = splashHandler({
    config: () => config,
    hasAccepted: () => false,
    accept: async (input) => { accepted.push(`${input.mac} ${input.version}`); },
  });
  const lookup = (): ClientInfo => ({ network: pupil, device: { id: MAC } });
  const port = await freePort();
  surface = await startSurface({ logger: silentLogger(), handlers: () => [splash], lookup, isGatewayHost: () => false, siteName: () => config.site.name }, [{ address: '127.0.0.1', port }]);
  surfaceBase = `http://127.0.0.1:${port}`;
  // Another origin (another port) whose page posts the splash's form the moment it loads.
  other = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Free games</title>
<form id="f" method="post" action="${surfaceBase}${ACCEPT_PATH}"><input type="hidden" name="version" value="2026-27"></form>
<script>document.getElementById('f').submit()</script>`);
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await closeBrowser?.();
  await surface?.close();
  await new Promise<void>((resolve) => (other ? other.close(() => resolve()) : resolve()));
});

it('another site\'s page posting "I agree" gets the refusal and records nothing; the splash\'s own page records it', async () => {
  const context = await browser.newContext({ viewport: PHONE });
  try {
    const page = await context.newPage();
    const refused = page.waitForResponse((r) => r.url() === `${surfaceBase}${ACCEPT_PATH}`);
    await page.goto(otherBase);
    const response = await refused;
    expect(response.status()).toBe(403);
    expect(response.headers()['x-schoolgate-handler']).toBe('cross-site');
    await page.getByRole('heading', { name: 'That did not work' }).waitFor();
    expect(accepted).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'surface-cross-site-refused-phone.png'), fullPage: true });
    // 127.0.0.1 on another port is the same site, judged by Origin; localhost is another site,
    // judged by Sec-Fetch-Site.
    const crossSite = page.waitForRequest((r) => r.url() === `${surfaceBase}${ACCEPT_PATH}`);
    await page.goto(otherBase.replace('127.0.0.1', 'localhost'));
    expect((await (await crossSite).allHeaders())['sec-fetch-site']).toBe('cross-site');
    await page.getByRole('heading', { name: 'That did not work' }).waitFor();
    expect(accepted).toEqual([]);

    await page.goto(`${surfaceBase}/`);
    await page.getByRole('button', { name: 'I agree to these rules' }).click();
    await page.waitForURL(`${surfaceBase}${ACCEPT_PATH}`);
    expect(accepted).toEqual([`${MAC} 2026-27`]);
    await page.screenshot({ path: join(SHOTS, 'surface-cross-site-own-page-phone.png'), fullPage: true });
  } finally {
    await context.close();
  }
});
