// System > Upgrade in Chromium against a real daemon: a technician chooses a release file signed
// by a key the gateway does not trust and is refused in the CLI's words; chooses a good one, sees
// its version and notes, confirms from the keyboard and is refused because no backup can be made
// without a passphrase; with one stored, confirms again, and the page shows it waiting for the
// switcher, asked by the technician by name; the Backups page shows the backup made before it.
// A rollback then shows in the history, stacked at a phone's width, and first on the health
// page with a link to the Upgrade page. Axe-clean at a phone's width; screenshots at both widths go to tmp/screenshots/webui-upgrade-*.png.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callDaemon } from '../../firmware/control/client.ts';
import { CONTROL_SOCKET_NAME } from '../../firmware/control/protocol.ts';
import { appendHistory } from '../../firmware/upgrade/upgrade-files.ts';
import { packRelease } from '../../scripts/release/pack.ts';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { setUpSchoolWithRoles, type AdminApi, type ApiSession } from './support/admin-api.ts';
import { axeSerious, SHOTS, shot } from './support/webui.ts';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let dir: string;
let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let admin: AdminApi;
let tech: ApiSession;
const trusted = generateKeyPairSync('ed25519');

async function releaseFile(name: string, version: string, key: KeyObject): Promise<string> {
  const stage = join(dir, name);
  mkdirSync(stage);
  writeFileSync(join(stage, 'VERSION'), JSON.stringify({ version, commit: '0123456789abcdef0123', arch: process.arch, builtAt: '2026-12-07T10:00:00.000Z' }));
  const out = join(dir, `schoolgate-${version}-${process.arch}.sgrel`);
  await packRelease({ stageDir: stage, out, privateKey: key, compression: 'none', minFromVersion: '0.0.1', notes: 'Lists reload with less memory.\nThe upgrade page.' });
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'schoolgate-upgrade-ui-'));
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys/release.pem'), trusted.publicKey.export({ type: 'spki', format: 'pem' }));
  // The daemon (a child of this test) trusts that key and keeps releases under the test's folder.
  process.env.SCHOOLGATE_RELEASE_KEYS = join(dir, 'keys');
  process.env.SCHOOLGATE_INSTALL_ROOT = join(dir, 'opt');
  daemon = await startDaemonProcess(await testConfig({ address: '127.0.0.1', port: 9 }));
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  ({ admin, tech } = await setUpSchoolWithRoles(daemon, { tech: ['lee.tech', 'technician', 'Lee Evans'] }));
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('refuses an untrusted release, then checks, shows and hands over a good one', async () => {
  const stranger = await releaseFile('stranger', '99.0.1', generateKeyPairSync('ed25519').privateKey);
  const good = await releaseFile('good', '99.1.0', trusted.privateKey);
  const { page, cspViolations } = await admin.openAs(browser, tech, '/upgrade', PHONE);
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Upgrade');
  await expect.poll(() => page.getByText(/This gateway runs Schoolgate/).count()).toBe(1);
  expect(await page.getByRole('cell', { name: 'No upgrades yet.' }).count() + await page.getByText('No upgrades yet.').count()).toBeGreaterThan(0);

  await page.getByLabel('Release file').setInputFiles(stranger);
  await page.getByRole('button', { name: 'Check release' }).click();
  await expect.poll(() => page.getByText(/which this gateway does not trust/).count()).toBe(1);
  expect(await page.getByRole('button', { name: /^Install/ }).count()).toBe(0);

  await page.getByLabel('Release file').setInputFiles(good);
  await page.getByRole('button', { name: 'Check release' }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'Release 99.1.0: signature good' }).count()).toBe(1);
  expect(await page.getByText('Lists reload with less memory.').count()).toBe(1);
  expect(await axeSerious(page)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await shot(page, 'upgrade-checked-phone');

  // From the keyboard: the install button, then the dialog's confirmation.
  const install = async (): Promise<void> => {
    await page.getByRole('button', { name: 'Install 99.1.0' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog', { name: 'Install 99.1.0?' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Install and restart' }).focus();
    await page.keyboard.press('Enter');
  };
  // No backup passphrase stored: no backup, so no upgrade, and the page says why.
  await install();
  await expect.poll(() => page.getByText(/no backup could be made before upgrading to 99\.1\.0, so the upgrade was refused and nothing was switched/).count()).toBe(1);
  expect(await page.getByText(/is waiting to be installed/).count()).toBe(0);
  await shot(page, 'upgrade-no-backup-phone');

  const passFile = join(dir, 'pass.txt');
  await writeFile(passFile, 'kept in the school safe\n', { mode: 0o600 });
  expect((await daemon.cli(['backup', 'passphrase', '--passphrase-file', passFile])).code).toBe(0);
  await install();
  await expect.poll(() => page.getByText(/Release 99\.1\.0 is waiting to be installed \(asked by Lee Evans \(lee\.tech\)/).count()).toBe(1);
  expect(await page.getByText(/A backup was made and release 99\.1\.0 is being installed/).count()).toBe(1);
  expect(await axeSerious(page)).toEqual([]);
  expect(cspViolations).toEqual([]);
  await shot(page, 'upgrade-pending-phone');
  await page.setViewportSize(DESKTOP);
  await shot(page, 'upgrade-pending-desktop');

  const audit = await admin.call('GET', '/api/audit?action=upgrade.*', undefined, tech);
  expect(audit.json.entries.map((e: { action: string; subject: string }) => `${e.action} ${e.subject}`)).toEqual(['upgrade.refused untrusted-key', 'upgrade.refused backup-failed', 'upgrade.request 99.1.0']);

  // The backup made before it, on the Backups page, by the technician's name.
  await page.goto(page.url().replace(/\/upgrade$/, '/backups'));
  await expect.poll(() => page.getByText('before upgrading to 99.1.0').count()).toBe(1);
  expect(await page.locator('table.data-table tbody tr').first().innerText()).toMatch(/Lee Evans \(lee\.tech\)/);
  await shot(page, 'upgrade-backups-desktop');

  // A rollback, as the switcher records it: the Upgrade page's history stacks each upgrade at a
  // phone's width (no column cut off inside the card), and the health page puts it first, with
  // what to do and a link to the Upgrade page, at both widths.
  await appendHistory(daemon.dataDir, {
    id: '2026-12-07T21:00:00.000Z-99.1.0', at: '2026-12-07T21:00:00.000Z', by: 'account:lee.tech', from: '99.0.0', to: '99.1.0', outcome: 'rolled-back',
    reason: 'the new release failed its health check (dns: no answer within 90 s)', checks: { dns: 'no answer within 90 s', control: 'ok', web: 'ok' }, restored: true,
  });
  await callDaemon(join(daemon.dataDir, CONTROL_SOCKET_NAME), 'upgrade.record');
  await page.goto(page.url().replace(/\/backups$/, '/upgrade'));
  await page.setViewportSize(PHONE);
  const row = page.locator('#upgrade-history tbody tr').first();
  await expect.poll(() => row.innerText()).toMatch(/Rolled back/);
  // Each cell a line of the row's card, within the phone's width; the headers for screen readers only.
  const cells = await row.locator('td').evaluateAll((tds) => tds.map((td) => ({ label: td.getAttribute('data-label'), right: td.getBoundingClientRect().right })));
  expect(cells.map((c) => c.label)).toEqual(['When', 'From', 'To', 'Outcome', 'By', 'Why']);
  expect(cells.every((c) => c.right <= PHONE.width)).toBe(true);
  expect(await row.locator('td[data-label="Why"]').innerText()).toMatch(/the new release failed its health check/);
  expect(await page.locator('#upgrade-history thead').boundingBox()).toMatchObject({ width: 1 });
  const wrap = page.locator('.table-wrap', { has: page.locator('#upgrade-history') });
  expect(await wrap.evaluate((w) => w.scrollWidth <= w.clientWidth)).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  expect(await axeSerious(page)).toEqual([]);
  await shot(page, 'upgrade-history-phone');
  await page.setViewportSize(DESKTOP);
  expect(await page.locator('#upgrade-history thead').isVisible()).toBe(true);
  await shot(page, 'upgrade-history-desktop');

  // The health page: what needs attention first, then the release this gateway runs (a checkout here) and the newest backup.
  await page.goto(page.url().replace(/\/upgrade$/, '/health'));
  // The host's facts are read when the page asks: slow on a busy machine.
  await expect.poll(() => page.getByText(/a development checkout, not an installed release/).count(), { timeout: 30_000 }).toBe(1);
  await expect.poll(() => page.getByText(/-before-upgrade-to-99\.1\.0\.sgexport/).count()).toBe(1);
  const problem = page.locator('[data-attention="upgrade.rolled-back"]');
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(viewport);
    expect(await problem.innerText()).toMatch(/The upgrade to 99\.1\.0 \(.*\) was rolled back to 99\.0\.0: the new release failed its health check/);
    expect(await problem.getByRole('link', { name: 'Open Upgrade' }).getAttribute('href')).toBe('/upgrade');
    // First on the page, above the box's facts.
    expect(await page.evaluate(() => {
      const box = document.querySelector('[aria-labelledby="attention"]')!.getBoundingClientRect();
      return box.bottom <= document.querySelector('[aria-labelledby="host"]')!.getBoundingClientRect().top;
    })).toBe(true);
    // A passphrase is stored and a backup was made: nothing about backups.
    expect(await page.locator('[data-attention^="backup."]').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, `upgrade-health-${name}`);
  }
  await problem.getByRole('link', { name: 'Open Upgrade' }).click();
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Upgrade');
});
