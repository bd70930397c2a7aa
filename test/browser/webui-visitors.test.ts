// The visitors pages in Chromium, over the real admin app (fastify, state.db in memory, the built
// webui/dist) and the real registration and voucher services: a staff sponsor sees the visitor
// who named them (the navigation counts them), approves, sets a sponsor code; the DSL reads every
// visitor's record and ends one's access. Each page at a desktop and a phone width, axe-core
// finding no serious or critical violation, screenshots in tmp/screenshots/webui-visitors-*.png.
// The guest's side (registering on the portal) is test/unit/portal/registration-pages.test.ts.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../firmware/admin/auth/password.ts';
import { RegistrationService } from '../../firmware/portal/registration/service.ts';
import { VoucherService } from '../../firmware/portal/vouchers/service.ts';
import { launchChromium } from '../support/browser.ts';
import { testAdmin, type TestAdmin } from '../unit/admin/admin-app.ts';
import { AdminApi } from './support/admin-api.ts';
import { axeSerious, SHOTS } from './support/webui.ts';

const PASSWORD = 'Heron-Lantern-42-x';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let t: TestAdmin;
let registration: RegistrationService;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
let admin: AdminApi;
const changes: string[][] = [];

beforeAll(async () => {
  let service: RegistrationService | undefined;
  t = await testAdmin({ visitors: new Proxy({} as RegistrationService, { get: (_t, p) => { const v = Reflect.get(service!, p) as unknown; return typeof v === 'function' ? v.bind(service) : v; } }) });
  const now = () => t.clock.now;
  const devices = new Map([['10.30.0.100', { mac: '02:00:00:00:00:01', networkId: 'guest' }], ['10.30.0.101', { mac: '02:00:00:00:00:02', networkId: 'guest' }]]);
  const key = Buffer.alloc(32, 5);
  const vouchers = new VoucherService({ store: t.state.vouchers, transaction: (fn) => t.state.transaction(fn), key, deviceAt: (a) => devices.get(a), change: async (l) => { changes.push([...l]); return true; }, events: t.state.networkEvents, now });
  service = new RegistrationService({ requests: t.state.visitorRequests, vouchers: t.state.vouchers, service: vouchers, accounts: t.state.accounts, audit: t.state.audit, transaction: (fn) => t.state.transaction(fn), key, deviceAt: (a) => devices.get(a), now, timezone: () => 'Europe/London' });
  registration = service;
  const hash = await hashPassword(PASSWORD);
  const add = (username: string, displayName: string, roles: ('staff' | 'dsl')[]) => t.state.accounts.insert({ username, displayName, email: null, passwordHash: hash, mustChangePassword: false, breakGlass: false, roles, createdAt: now().toISOString() });
  const amy = add('amy', 'Amy Teacher', ['staff']);
  const sam = add('sam', 'Sam Lead', ['dsl']);
  t.state.accounts.update(sam.id, { totpSecret: TOTP_SECRET });
  for (const [address, name, org] of [['10.30.0.100', 'Ada Supply', 'County Supply Ltd'], ['10.30.0.101', 'Ravi Inspector', 'Local Authority']] as const) {
    registration.register(address, { name, organisation: org, purpose: 'Visit to Year 4', sponsorId: amy.id, email: null, phone: null, termsVersion: 'builtin-1' });
  }
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server!.address() as AddressInfo).port}`;
  admin = new AdminApi(base, { now: () => t.clock.now });
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await closeBrowser?.();
  await t?.close();
});

async function shotBoth(page: Page, name: string): Promise<void> {
  expect(await axeSerious(page)).toEqual([]);
  await page.screenshot({ path: join(SHOTS, `webui-visitors-${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  expect(await axeSerious(page)).toEqual([]);
  await page.screenshot({ path: join(SHOTS, `webui-visitors-${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

/** A page signed in as `username` through the admin API, its clock at the server's (fake) time. */
async function openAs(username: string, path: string): Promise<Page> {
  const session = await admin.signIn(username, PASSWORD, username === 'sam' ? TOTP_SECRET : undefined);
  return (await admin.openAs(browser, session, path, DESKTOP, { atServerTime: true })).page;
}

it('a staff sponsor sees who waits for them, approves one with a validity, and sets a sponsor code', async () => {
  const page = await openAs('amy', '/visitors');
  try {
    await page.waitForURL(/\/visitors$/);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Visitors (2 waiting)' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Ada Supply' }).waitFor();
    await shotBoth(page, 'queue');
    const ada = page.getByRole('form', { name: 'Approve Ada Supply' });
    await ada.getByLabel('How long').selectOption({ label: 'For 2 hours' });
    await ada.getByRole('button', { name: 'Approve Ada Supply' }).click();
    await page.getByText('Ada Supply is online now.').waitFor();
    expect(changes.at(-1)!.join('\n')).toContain('10.30.0.100 . 02:00:00:00:00:01');
    // Decline needs a reason: an empty one is named beside the field in the dialog.
    await page.getByRole('button', { name: 'Decline Ravi Inspector…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Decline' }).click();
    await dialog.getByText(/Give a reason/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.goto(`${base}/account/sponsor-code`);
    await page.getByLabel('New sponsor code').fill('1234');
    await page.getByRole('button', { name: 'Set sponsor code' }).click();
    await page.getByText('Use 6 to 12 digits.').waitFor();
    await page.getByLabel('New sponsor code').fill('480213');
    await page.getByLabel('The same code again').fill('480213');
    await page.getByRole('button', { name: 'Set sponsor code' }).click();
    await page.getByText('Your sponsor code is set').waitFor();
    await shotBoth(page, 'sponsor-code');
  } finally {
    await page.context().close();
  }
});

it('the DSL reads every visitor\'s record and ends a visitor\'s access with a reason', async () => {
  const page = await openAs('sam', '/visitors');
  try {
    await page.waitForURL(/\/visitors$/);
    await page.getByRole('heading', { level: 2, name: 'Visitors you let on' }).waitFor();
    await page.getByRole('button', { name: 'End Ada Supply\'s access…' }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('left the site early');
    await page.getByRole('dialog').getByRole('button', { name: 'End access now' }).click();
    await page.getByText("Ada Supply's access has ended on every device.").waitFor();
    expect(changes.at(-1)!.join('\n')).toMatch(/delete element .*10\.30\.0\.100 \. 02:00:00:00:00:01/);
    await page.getByRole('link', { name: 'Every visitor\'s record' }).click();
    await page.waitForURL(/\/visitors\/records$/);
    await page.getByRole('cell', { name: 'Ada Supply' }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'Ada Supply' }).innerText()).toContain('left the site early');
    await shotBoth(page, 'records');
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    // Filed on paper, a date says its year: the registration and the printing both.
    expect(await page.getByRole('row').filter({ hasText: 'Ada Supply' }).innerText()).toMatch(/Mon, 7 Dec 2026, 09:\d\d/);
    expect(await page.locator('.print-only').first().innerText()).toMatch(/visitor records, printed Mon, 7 Dec 2026, 09:\d\d by Sam Lead/);
    await page.screenshot({ path: join(SHOTS, 'webui-visitors-records-print.png'), fullPage: true });
  } finally {
    await page.context().close();
  }
});
