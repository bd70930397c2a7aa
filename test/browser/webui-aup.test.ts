// The AUP splash's settings on the Acceptable use page, in Chromium on a real daemon: a technician
// turns the splash on for the pupil network with the school's text (a bad version refused beside its
// field with everything typed kept), then changes the version and is told that every device will be
// asked again; a member of staff reads the same settings without a way to change them, and the API
// refuses their save. Screenshots at desktop and phone widths go to tmp/screenshots/webui-aup-*.png.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { setUpSchoolWithRoles, type AdminApi, type ApiSession } from './support/admin-api.ts';
import { axeSerious, SHOTS } from './support/webui.ts';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let admin: AdminApi;
let tech: ApiSession;
let staff: ApiSession;

beforeAll(async () => {
  daemon = await startDaemonProcess(await testConfig({ address: '127.0.0.1', port: 9 }));
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  ({ admin, tech, staff } = await setUpSchoolWithRoles(daemon, { tech: ['c.tech', 'technician'], staff: ['d.staff', 'staff'] }));
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

/** The AUP splash's section only: the tables above it have their own screenshots. */
async function shot(page: Page, name: string): Promise<void> {
  const file = join(SHOTS, `webui-aup-${name}.png`);
  await page.locator('.aup-splash').screenshot({ path: file });
  console.log(`screenshot: ${file}`);
}

const TEXT = 'This is the school\'s acceptable use policy for staff.\n\nUse of the school\'s Wi-Fi is logged and monitored.';

it('a technician turns the splash on: a bad version beside its field with nothing typed lost, then saved; a new version is said to ask every device again', async () => {
  const { page, cspViolations } = await admin.openAs(browser, tech, '/policies', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: 'AUP splash' }).waitFor();
    await page.getByLabel('Version').fill('2026/27');
    await page.getByLabel('The acceptable use policy (staff and other networks)').fill(TEXT);
    const pupil = daemon.config.networks.find((n) => n.kind === 'pupil')!;
    await page.getByLabel(`${pupil.name} (pupil)`).check();
    expect(await page.getByLabel(/Guest/).count()).toBe(0);
    await page.getByRole('button', { name: 'Save the AUP splash' }).click();
    const versionError = page.locator('#f-version-error');
    await versionError.waitFor();
    expect(await versionError.innerText()).toMatch(/use up to 32 letters, digits, dots, dashes and underscores/);
    expect(await page.locator('.aup-splash').getByRole('alert').first().innerText()).toMatch(/Nothing was saved: one problem/);
    expect(await page.getByLabel('Version').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-version');
    expect(await page.getByLabel('The acceptable use policy (staff and other networks)').inputValue()).toBe(TEXT);
    expect(await page.getByLabel(`${pupil.name} (pupil)`).isChecked()).toBe(true);
    expect((await admin.call('GET', '/api/aup/settings', undefined, tech)).json.aup).toBeNull();
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'invalid-desktop');

    await page.getByLabel('Version').fill('2026-27');
    await page.getByRole('button', { name: 'Save the AUP splash' }).click();
    await page.getByText(`Saved. The splash is shown on ${pupil.name}.`).waitFor();
    expect((await admin.call('GET', '/api/aup/settings', undefined, tech)).json.aup).toEqual({ version: '2026-27', text: TEXT, splashOn: [pupil.id] });

    await page.getByLabel('Version').fill('2027-28');
    await page.getByText(/You have changed the version from 2026-27 to 2027-28: when you save, every device on/).waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'version-desktop');
    await page.getByRole('button', { name: 'Save the AUP splash' }).click();
    await page.getByText(`Saved. Version 2027-28 is in force: every device on ${pupil.name} is asked to accept it again.`).waitFor();
    const audit = await daemon.cli(['audit', '--action', 'aup.edit', '--json']);
    expect(audit.stdout).toContain('account:c.tech');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'technician-phone');
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
});

it('a member of staff reads the splash\'s text and networks, cannot change them, and the API refuses their save', async () => {
  const { page } = await admin.openAs(browser, staff, '/policies', PHONE);
  try {
    await page.getByRole('heading', { level: 2, name: 'AUP splash' }).waitFor();
    await page.getByText('Use of the school\'s Wi-Fi is logged and monitored.').waitFor();
    expect(await page.getByRole('button', { name: 'Save the AUP splash' }).count()).toBe(0);
    expect(await page.locator('.aup-splash textarea').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'staff-phone');
  } finally {
    await page.context().close();
  }
  const refused = await admin.call('PUT', '/api/aup/settings', { version: '2099-00', text: 'x', splashOn: [] }, staff);
  expect(refused.status).toBe(403);
});
