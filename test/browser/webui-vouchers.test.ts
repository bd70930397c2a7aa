// The voucher pages in Chromium, over the real admin app (fastify, state.db in memory, the built
// webui/dist), the daemon's own voucher control methods called in-process and the real voucher
// and registration services: the office issues a voucher recording who got it and prints its
// slip, a member of staff issues an event's sheet of codes and revokes the group, a sponsor gives
// a regular visitor access to the end of term and renews it, the DSL sees every regular visitor
// with their sponsor and ends one's access. Each page at a desktop and a phone width, axe-core
// finding no serious or critical violation, the printed sheet as Chromium prints it;
// screenshots in tmp/screenshots/webui-vouchers-*.png.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../firmware/admin/auth/password.ts';
import type { Role } from '../../firmware/admin/roles.ts';
import { defaultConfig } from '../../firmware/config/defaults.ts';
import { ControlServer } from '../../firmware/control/server.ts';
import { silentLogger } from '../../firmware/log.ts';
import { RegistrationService } from '../../firmware/portal/registration/service.ts';
import { registerVoucherMethods } from '../../firmware/portal/vouchers/methods.ts';
import { VoucherService } from '../../firmware/portal/vouchers/service.ts';
import { launchChromium } from '../support/browser.ts';
import { testAdmin, type TestAdmin } from '../unit/admin/admin-app.ts';
import { AdminApi } from './support/admin-api.ts';
import { axeSerious, SHOTS } from './support/webui.ts';

const PASSWORD = 'Heron-Lantern-42-x';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/** An A4 page at 96 dpi, as Chromium lays out print. */
const A4 = { width: 794, height: 1123 };
const CODE = /^[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}$/;

let t: TestAdmin;
let vouchers: VoucherService;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
let admin: AdminApi;
const changes: string[][] = [];

beforeAll(async () => {
  const config = defaultConfig();
  config.site.terms = [{ name: 'Autumn 2', start: '2026-11-02', end: '2026-12-18' }, { name: 'Spring 1', start: '2027-01-05', end: '2027-02-12' }];
  const control = new ControlServer(silentLogger());
  let service: RegistrationService | undefined;
  t = await testAdmin({
    control, config: { current: () => config, update: async () => { throw new Error('vouchers never change the configuration'); } },
    visitors: new Proxy({} as RegistrationService, { get: (_t, p) => { const v = Reflect.get(service!, p, service) as unknown; return typeof v === 'function' ? v.bind(service) : v; } }),
  });
  const now = () => t.clock.now;
  const devices = new Map([['10.30.0.100', { mac: '02:00:00:00:00:01', networkId: 'guest' }], ['10.30.0.101', { mac: '02:00:00:00:00:02', networkId: 'guest' }]]);
  const key = Buffer.alloc(32, 5);
  vouchers = new VoucherService({ store: t.state.vouchers, transaction: (fn) => t.state.transaction(fn), key, deviceAt: (a) => devices.get(a), change: async (l) => { changes.push([...l]); return true; }, events: t.state.networkEvents, now });
  service = new RegistrationService({
    requests: t.state.visitorRequests, vouchers: t.state.vouchers, service: vouchers, accounts: t.state.accounts, audit: t.state.audit, transaction: (fn) => t.state.transaction(fn),
    key, deviceAt: (a) => devices.get(a), now, timezone: () => 'Europe/London', terms: () => config.site.terms ?? [], extend: (id, until, record) => vouchers.extend(id, until, record),
  });
  registerVoucherMethods(control, { config: { current: config }, vouchers, audit: t.state.audit });
  const hash = await hashPassword(PASSWORD);
  const add = (username: string, displayName: string, roles: Role[]) => t.state.accounts.insert({ username, displayName, email: null, passwordHash: hash, mustChangePassword: false, breakGlass: false, roles, createdAt: now().toISOString() });
  add('bo', 'Bo Office', ['office']);
  add('amy', 'Amy Teacher', ['staff']);
  t.state.accounts.update(add('sam', 'Sam Lead', ['dsl']).id, { totpSecret: TOTP_SECRET });
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
  await page.screenshot({ path: join(SHOTS, `webui-vouchers-${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  expect(await axeSerious(page)).toEqual([]);
  await page.screenshot({ path: join(SHOTS, `webui-vouchers-${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

/** The page as printed on A4: only the slips, two across, nothing of the page around them. */
async function shotPrinted(page: Page, name: string): Promise<void> {
  await page.setViewportSize(A4);
  await page.emulateMedia({ media: 'print' });
  expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
  expect(await page.locator('form').first().isVisible()).toBe(false);
  expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
  await page.screenshot({ path: join(SHOTS, `webui-vouchers-${name}-print.png`), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize(DESKTOP);
}

/** A page signed in as `username` through the admin API, its clock at the server's (fake) time. */
async function openAs(username: string, path: string): Promise<Page> {
  const session = await admin.signIn(username, PASSWORD, username === 'sam' ? TOTP_SECRET : undefined);
  return (await admin.openAs(browser, session, path, DESKTOP, { atServerTime: true })).page;
}


it('the office issues a voucher recording who got it, prints its slip, and revokes it with a reason', async () => {
  const page = await openAs('bo', '/vouchers');
  try {
    await page.waitForURL(/\/vouchers$/);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Vouchers' }).waitFor();
    await page.getByText('No voucher has been issued yet.').waitFor();
    await shotBoth(page, 'office');
    // No name: said beside the field, the organisation typed is kept.
    await page.getByLabel('Organisation').fill('Drains & Co');
    await page.getByRole('button', { name: 'Issue voucher' }).click();
    await page.getByText('Write the visitor\'s name').waitFor();
    expect(await page.getByLabel('Organisation').inputValue()).toBe('Drains & Co');
    await page.getByLabel('Visitor\'s name').fill('Pat Plumber');
    await page.getByLabel('How long').selectOption({ label: 'For 4 hours' });
    await page.getByRole('button', { name: 'Issue voucher' }).click();
    const slip = page.getByRole('article', { name: 'Voucher for Pat Plumber (Drains & Co)' });
    const code = (await slip.locator('.slip-code').innerText()).trim();
    expect(code).toMatch(CODE);
    expect(await slip.getByRole('img', { name: /QR code/ }).isVisible()).toBe(true);
    await slip.getByText('Use is logged and monitored').waitFor();
    await page.getByRole('cell', { name: 'Pat Plumber (Drains & Co)', exact: true }).waitFor();
    await shotBoth(page, 'office-slip');
    await shotPrinted(page, 'office-slip');
    // The code signs a guest in, and is never shown again once the slip is put away.
    expect(await vouchers.redeem('10.30.0.100', code, 'builtin-1')).toMatchObject({ outcome: 'signed-in' });
    await page.getByRole('button', { name: 'Done: hide the code' }).click();
    await page.reload();
    await page.getByRole('cell', { name: 'Pat Plumber (Drains & Co)', exact: true }).waitFor();
    expect(await page.content()).not.toContain(code);
    await page.getByRole('button', { name: /^Revoke the voucher for Pat Plumber/ }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('job finished early');
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke now' }).click();
    await page.getByText('The voucher for Pat Plumber (Drains & Co) is revoked.').waitFor();
    expect(changes.at(-1)!.join('\n')).toMatch(/delete element .*10\.30\.0\.100 \. 02:00:00:00:00:01/);
    await page.getByRole('cell', { name: /Revoked .* by bo: job finished early/ }).waitFor();
  } finally {
    await page.context().close();
  }
});

it('a member of staff issues an event\'s vouchers, prints the A4 sheet, and revokes the whole group', async () => {
  const page = await openAs('amy', '/visitors');
  try {
    await page.getByRole('link', { name: 'Vouchers for a group or event' }).click();
    await page.waitForURL(/\/vouchers\/groups$/);
    await page.getByLabel('Event or group').fill('Year 6 leavers\' assembly');
    await page.getByLabel('How many vouchers').fill('201');
    await page.getByRole('button', { name: 'Issue vouchers' }).click();
    await page.getByText('From 1 to 200 vouchers.').waitFor();
    expect(await page.getByLabel('Event or group').inputValue()).toBe('Year 6 leavers\' assembly');
    await page.getByLabel('How many vouchers').fill('10');
    await page.getByRole('button', { name: 'Issue vouchers' }).click();
    await page.getByRole('heading', { name: '10 vouchers for Year 6 leavers\' assembly' }).waitFor();
    expect(await page.getByRole('article').count()).toBe(10);
    const codes = await page.locator('.slip-code').allInnerTexts();
    expect(new Set(codes.map((c) => c.trim())).size).toBe(10);
    await shotBoth(page, 'group-sheet');
    await shotPrinted(page, 'group-sheet');
    await page.getByRole('button', { name: 'Done: hide the codes' }).click();
    await page.getByRole('cell', { name: 'Year 6 leavers\' assembly', exact: true }).waitFor();
    await page.getByRole('button', { name: /^Revoke all vouchers for Year 6 leavers/ }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('assembly cancelled');
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke all now' }).click();
    await page.getByText('Every voucher for Year 6 leavers\' assembly is revoked.').waitFor();
    expect(await vouchers.redeem('10.30.0.101', codes[0]!.trim(), 'builtin-1')).toMatchObject({ outcome: 'invalid' });
    await shotBoth(page, 'groups');
  } finally {
    await page.context().close();
  }
});

it('a sponsor gives a regular visitor access to the end of term and renews it; the DSL sees them with their sponsor and ends it', async () => {
  const page = await openAs('amy', '/visitors/regular');
  try {
    await page.waitForURL(/\/visitors\/regular$/);
    await page.getByLabel('Name', { exact: true }).fill('Dee Supply');
    await page.getByRole('button', { name: 'Give access' }).click();
    await page.getByText('Write who they are from').waitFor();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Dee Supply');
    await page.getByLabel('Organisation').fill('County Supply Ltd');
    await page.getByLabel('Why they visit').fill('Year 3 cover, Autumn 2');
    await page.getByRole('button', { name: 'Give access' }).click();
    await page.getByRole('heading', { name: 'Access for Dee Supply to the end of Autumn 2' }).waitFor();
    await shotBoth(page, 'regular-slip');
    await page.getByRole('button', { name: 'Done: hide the code' }).click();
    await page.getByRole('button', { name: 'Renew Dee Supply\'s access…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('A date').check();
    await dialog.getByLabel('Last day').fill('2027-01-29');
    await dialog.getByRole('button', { name: 'Renew' }).click();
    await page.getByText(/Dee Supply can use the guest Wi-Fi until Fri 29 Jan, 23:59/).waitFor();
  } finally {
    await page.context().close();
  }
  const dsl = await openAs('sam', '/visitors/regular');
  try {
    await dsl.waitForURL(/\/visitors\/regular$/);
    await dsl.getByRole('heading', { name: 'Every regular visitor' }).waitFor();
    const card = dsl.getByRole('listitem').filter({ hasText: 'Dee Supply' });
    expect(await card.innerText()).toContain('Amy Teacher');
    await shotBoth(dsl, 'regular-dsl');
    await dsl.getByRole('button', { name: 'End Dee Supply\'s access…' }).click();
    await dsl.getByRole('dialog').getByLabel('Reason').fill('placement ended');
    await dsl.getByRole('dialog').getByRole('button', { name: 'End access now' }).click();
    await dsl.getByText('Dee Supply\'s access has ended on every device.').waitFor();
    expect(await card.innerText()).toMatch(/Revoked .* by sam: placement ended/);
  } finally {
    await dsl.context().close();
  }
});
