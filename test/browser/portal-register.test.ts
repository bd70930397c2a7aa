// The registration pages as a phone's sign-in sheet shows them, in Chromium at a phone's width
// with scripts off: the form (a field left empty named beside it, nothing typed lost), waiting
// for the sponsor, the sponsor code at reception (a wrong one, then the right one) and online.
// Each page passes axe-core's WCAG A/AA rules, scrolls no sideways, and is kept as a screenshot
// in tmp/screenshots/portal-register-*.png.
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { APP_ROOT } from '../../firmware/paths.ts';
import { captiveFallback, captiveRoutes } from '../../firmware/portal/captive/routes.ts';
import { DEFAULT_TERMS, type PortalView } from '../../firmware/portal/captive/settings.ts';
import { registrationRoutes } from '../../firmware/portal/registration/routes.ts';
import { RegistrationService } from '../../firmware/portal/registration/service.ts';
import { VoucherService } from '../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { launchChromium } from '../support/browser.ts';

const SHOTS = join(APP_ROOT, 'tmp', 'screenshots');
const PHONE = { width: 390, height: 844 };
const VIEW: PortalView = { siteName: 'Hillside Primary School', timezone: 'Europe/London', terms: DEFAULT_TERMS, privacyNoticeUrl: 'https://hillside.example/privacy', venueInfoUrl: null };

let app: FastifyInstance;
let base: string;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let axeSource: string;
let axeContext: BrowserContext;
let state: StateDatabase;

beforeAll(async () => {
  state = StateDatabase.open(':memory:');
  const key = Buffer.alloc(32, 5);
  const now = () => new Date();
  // Chromium asks from loopback: that is the guest device here.
  const deviceAt = (address: string) => (address === '127.0.0.1' ? { mac: '02:00:00:00:00:01', networkId: 'guest' } : undefined);
  const vouchers = new VoucherService({ store: state.vouchers, transaction: (fn) => state.transaction(fn), key, deviceAt, change: async () => true, events: state.networkEvents, now });
  const registration = new RegistrationService({ requests: state.visitorRequests, vouchers: state.vouchers, service: vouchers, accounts: state.accounts, audit: state.audit, transaction: (fn) => state.transaction(fn), key, deviceAt, now, timezone: () => 'Europe/London' });
  for (const [username, displayName] of [['amy', 'Amy Patel'], ['ben', 'Ben Okafor'], ['cat', 'Mrs Cat Hughes']] as const) {
    const a = state.accounts.insert({ username, displayName, email: null, passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles: ['staff'], createdAt: now().toISOString() });
    if (username === 'ben') registration.setSponsorCode(a, '480213');
  }
  app = fastify();
  await captiveRoutes(app, { sessions: vouchers, view: () => VIEW, now });
  await registrationRoutes(app, { registration, view: () => VIEW, now });
  app.setNotFoundHandler(captiveFallback({ sessions: vouchers, view: () => VIEW, now }));
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
  state?.close();
});

/** axe on the page's HTML in a second page that may run scripts (the page itself runs none). */
async function check(page: Page, name: string): Promise<void> {
  const html = await page.content();
  const scratch = await axeContext.newPage();
  try {
    await scratch.goto(`${base}/portal/style.css`);
    await scratch.setContent(html);
    await scratch.evaluate(axeSource);
    const result = await scratch.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe;
      return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    });
    expect(result.violations.map((v) => `${v.id} (${v.nodes.length})`), name).toEqual([]);
  } finally {
    await scratch.close();
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(PHONE.width);
  await page.screenshot({ path: join(SHOTS, `portal-register-${name}.png`), fullPage: true });
}

it('register naming a sponsor, wait, and the sponsor\'s code at reception, by the forms alone', async () => {
  const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await page.goto(`${base}/portal`);
    await page.getByRole('link', { name: 'Register as a visitor' }).click();
    await page.getByRole('heading', { level: 1, name: 'Register as a visitor' }).waitFor();
    await check(page, 'form');

    await page.getByLabel('Your full name').fill('Ada Lovelace');
    await page.getByLabel('Purpose of your visit').fill('Supply teaching, Year 4');
    await page.getByLabel('Who you are visiting').selectOption({ label: 'Ben Okafor' });
    await page.getByLabel(/I accept these terms/).check();
    await page.getByRole('button', { name: 'Ask to go online' }).click();
    expect(await page.locator('#organisation-error').innerText()).toContain('Type your organisation');
    expect(await page.getByLabel('Your full name').inputValue()).toBe('Ada Lovelace');
    expect(await page.getByLabel('Who you are visiting').inputValue()).not.toBe('');
    await check(page, 'form-error');

    expect(await page.getByLabel(/I accept these terms/).isChecked()).toBe(true);
    await page.getByLabel('Organisation').fill('County Supply');
    await page.getByRole('button', { name: 'Ask to go online' }).click();
    await page.getByRole('heading', { level: 1, name: 'Waiting for Ben Okafor to approve' }).waitFor();
    await check(page, 'waiting');

    await page.getByRole('link', { name: /type their sponsor code/ }).click();
    await page.getByLabel('Sponsor code').fill('111111');
    await page.getByRole('button', { name: 'Approve' }).click();
    expect(await page.getByRole('alert').innerText()).toContain('That is not the sponsor code');
    await check(page, 'sponsor-code-error');
    await page.getByLabel('Sponsor code').fill('480213');
    await page.getByRole('button', { name: 'Approve' }).click();
    expect(await page.locator('h1').innerText()).toBe('You are online');
    await check(page, 'online');
    expect(state.visitorRequests.list()[0]).toMatchObject({ state: 'approved', decidedBy: 'account:ben', visitor: { name: 'Ada Lovelace', sponsorName: 'Ben Okafor' } });
  } finally {
    await context.close();
  }
});
