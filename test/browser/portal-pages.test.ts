// The visitor's portal pages as a phone's sign-in sheet shows them, in Chromium at a phone's
// width with scripts switched off (a captive sheet may run none): signing in with a code works by
// the form alone, every page passes axe-core's WCAG A/AA rules, nothing scrolls sideways, and a
// screenshot of each page is kept for a person to look at.
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../firmware/paths.ts';
import { captiveFallback, captiveRoutes } from '../../firmware/portal/captive/routes.ts';
import { DEFAULT_TERMS } from '../../firmware/portal/captive/settings.ts';
import { VoucherService } from '../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { launchChromium } from '../support/browser.ts';

const SHOTS = join(APP_ROOT, 'tmp', 'screenshots');
const PHONE = { width: 390, height: 844 };

let app: FastifyInstance;
let base: string;
let vouchers: VoucherService;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let axeSource: string;
let axeContext: BrowserContext;

beforeAll(async () => {
  const state = StateDatabase.open(':memory:');
  vouchers = new VoucherService({
    store: state.vouchers, transaction: (fn) => state.transaction(fn), key: Buffer.alloc(32, 5),
    // Chromium asks from loopback: that is the guest device here.
    deviceAt: (address) => (address === '127.0.0.1' ? { mac: '02:00:00:00:00:01', networkId: 'guest' } : undefined),
    change: async () => true, events: state.networkEvents, now: () => new Date(),
  });
  const deps = {
    sessions: vouchers, now: () => new Date(),
    view: () => ({ siteName: 'Hillside Primary School', timezone: 'Europe/London', terms: DEFAULT_TERMS, privacyNoticeUrl: 'https://hillside.example/privacy', venueInfoUrl: null }),
  };
  app = fastify();
  await captiveRoutes(app, deps);
  app.setNotFoundHandler(captiveFallback(deps));
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  ({ browser, close: closeBrowser } = await launchChromium());
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await mkdir(SHOTS, { recursive: true });
  axeContext = await browser.newContext({ viewport: PHONE, bypassCSP: true });
});

afterAll(async () => {
  await closeBrowser?.();
  await app?.close();
});

/**
 * axe-core's WCAG 2 A/AA violations on the page, by rule id. The page itself runs no script, so
 * its HTML is checked in a second page that may (same origin, so the stylesheet applies).
 */
async function violations(page: Page): Promise<string[]> {
  const html = await page.content();
  const scratch = await axeContext.newPage();
  try {
    await scratch.goto(`${base}/portal/style.css`);
    await scratch.setContent(html);
    return await axeViolations(scratch);
  } finally {
    await scratch.close();
  }
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
}

async function check(page: Page, name: string): Promise<void> {
  expect(await violations(page), name).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(PHONE.width);
  const file = join(SHOTS, `portal-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
}

describe('the portal pages at a phone\'s width, without JavaScript', () => {
  it('enter a code (and a wrong one), online until, the visitor\'s own page, signed out', async () => {
    // No scripts, as in a captive sheet.
    const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      // Where the redirect of any site or probe leads (the redirect itself: unit and lab tests).
      const landed = await page.goto(`${base}/portal`);
      expect(landed?.status()).toBe(200);
      await check(page, 'code');

      await page.getByLabel('Your code').fill('KXM4P-7TRAW-9HCDE');
      await page.getByLabel(/I accept these terms/).check();
      await page.getByRole('button', { name: 'Go online' }).click();
      expect(await page.getByRole('alert').innerText()).toMatch(/not one of our codes|cannot be used now/);
      await check(page, 'code-error');

      const { code } = vouchers.issue({ kind: 'single', validSeconds: 3 * 3600, maxDevices: 1 }, 'ssh:office');
      await page.getByLabel('Your code').fill(code.toLowerCase());
      await page.getByLabel(/I accept these terms/).check();
      await page.getByRole('button', { name: 'Go online' }).click();
      expect(await page.locator('h1').innerText()).toBe('You are online');
      await check(page, 'online');

      await page.getByRole('link', { name: 'your guest Wi-Fi page' }).click();
      // After 21:00 the three hours end tomorrow, and the page names the day.
      expect(await page.getByRole('status').innerText()).toMatch(/You're online until ([A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}, )?\d\d:\d\d \((2 hours 59 minutes|3 hours) left\)/);
      await check(page, 'session');

      await page.getByRole('button', { name: 'Sign out of the guest Wi-Fi' }).click();
      expect(await page.locator('h1').innerText()).toBe('You have signed out');
      await check(page, 'signed-out');
      expect(vouchers.sessionAt('127.0.0.1')).toBeUndefined();
    } finally {
      await context.close();
    }
  });
});
