// The Backups page in Chromium on a real daemon: before a passphrase is stored the page says no
// backup is made and how to set one; then a technician makes a backup now, sees it listed as
// verified and made by them by name, and downloads it byte for byte; restore is described, not offered. Keyboard-usable,
// axe-clean, no sideways scroll at a phone's width. Screenshots: tmp/screenshots/webui-backups-*.png.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { setUpSchoolWithRoles, type AdminApi, type ApiSession } from './support/admin-api.ts';
import { axeSerious, SHOTS, shot } from './support/webui.ts';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let admin: AdminApi;
let tech: ApiSession;

beforeAll(async () => {
  daemon = await startDaemonProcess(await testConfig({ address: '127.0.0.1', port: 9 }));
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  ({ admin, tech } = await setUpSchoolWithRoles(daemon, { tech: ['c.tech', 'technician', 'Chris Tech'] }));
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

it('a technician is told to set a passphrase, then makes a backup from the keyboard, sees it verified and downloads it', async () => {
  const { page, cspViolations } = await admin.openAs(browser, tech, '/backups', DESKTOP);
  try {
    await page.getByRole('heading', { level: 1, name: 'Backups' }).waitFor();
    await page.getByText(/No backup passphrase is set, so no backup is made/).waitFor();
    await page.getByText('No backups yet.').waitFor();
    expect(await page.getByRole('heading', { level: 2, name: 'Restoring a backup' }).isVisible()).toBe(true);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'backups-no-passphrase-desktop');

    const passFile = join(daemon.dataDir, 'pass.txt');
    await writeFile(passFile, 'kept in the school safe\n', { mode: 0o600 });
    expect((await daemon.cli(['backup', 'passphrase', '--passphrase-file', passFile])).code).toBe(0);
    await page.reload();
    await page.getByRole('button', { name: 'Make a backup now' }).waitFor();
    expect(await page.getByText(/No backup passphrase is set/).count()).toBe(0);
    await page.getByRole('button', { name: 'Make a backup now' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText(/Backup made: schoolgate-backup-.*read back and verified\./).waitFor({ timeout: 30_000 });
    const row = page.locator('table.data-table tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.first().innerText()).toMatch(/verified/);
    // Who made it, by name.
    expect(await row.first().innerText()).toMatch(/Chris Tech \(c\.tech\)/);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'backups-made-desktop');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^Download the backup of/ }).click()]);
    const saved = join(daemon.dataDir, 'downloaded.sgexport');
    await download.saveAs(saved);
    const listed = JSON.parse((await daemon.cli(['backup', 'list', '--json'])).stdout) as { backups: { path: string; file: string }[] };
    expect(download.suggestedFilename()).toBe(listed.backups[0]!.file);
    expect((await readFile(saved)).equals(await readFile(listed.backups[0]!.path))).toBe(true);

    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'backups-phone');
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
});
