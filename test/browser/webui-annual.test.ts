// The annual review in Chromium against a real daemon built from webui/: the headteacher opens
// this school year's review, records its four participants and two sign-offs and an external
// filter test through the page's forms; a governor reads the page without its forms and opens the
// pack; the pack renders under its own CSP (no violation, axe-clean) and is printed through
// Chromium's PDF output; the CLI writes the same pack to a file; staff are refused it. Screenshots
// and the PDF go to tmp/screenshots/annual-pack*.{png,pdf} and webui-annual-*.png.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { setUpSchoolWithRoles, type AdminApi, type ApiSession } from './support/admin-api.ts';
import { axeSerious, SHOTS, shot as webuiShot } from './support/webui.ts';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let admin: AdminApi;
let head: ApiSession;
let governor: ApiSession;
let staff: ApiSession;
let year: string;

beforeAll(async () => {
  daemon = await startDaemonProcess(await testConfig({ address: '127.0.0.1', port: 9 }));
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  ({ admin, head, governor, staff } = await setUpSchoolWithRoles(daemon, { governor: ['e.governor', 'governor'], staff: ['f.staff', 'staff'] }));
  const now = new Date();
  const first = now.getUTCMonth() >= 8 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
  year = `${first}-${String((first + 1) % 100).padStart(2, '0')}`;
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

const shot = (page: Page, name: string): Promise<void> => webuiShot(page, `annual-${name}`);

async function fill(page: Page, label: string | RegExp, value: string): Promise<void> {
  await page.getByLabel(label, { exact: typeof label === 'string' }).fill(value);
}

it('the headteacher opens the review, records participants, sign-offs and an external test through the page', async () => {
  const { page, cspViolations } = await admin.openAs(browser, head, '/annual', DESKTOP);
  try {
    await page.getByRole('heading', { level: 1, name: 'Annual review' }).waitFor();
    await page.getByRole('button', { name: 'Open the review' }).click();
    await page.getByRole('heading', { level: 3, name: 'Add a participant' }).waitFor();

    const participants: [string, string, string][] = [
      ['Alex Head', 'senior-leader', 'Headteacher'], ['Bo Dsl', 'dsl', 'Deputy headteacher'], ['Chris Provider', 'it-provider', 'ICT Services Ltd'], ['Dee Governor', 'governor', 'Chair of governors'],
    ];
    for (const [name, role, title] of participants) {
      await fill(page, 'Name', name);
      await page.getByLabel('Part in the review').selectOption(role);
      await fill(page, /Their title/, title);
      await page.getByRole('button', { name: 'Add to the review' }).click();
      await page.getByRole('cell', { name: new RegExp(name) }).waitFor();
    }
    // A sign-off dated after today is refused, the error beside the date.
    await page.getByLabel('Day they signed').fill('2099-01-01');
    await page.getByRole('button', { name: 'Record the sign-off' }).click();
    await expect.poll(() => page.locator('#f-signedOn-error').innerText()).toContain('cannot be dated after today');
    const today = await page.getByLabel('Day they signed').getAttribute('max');
    for (const [who, comment] of [['Alex Head', 'Filtering and monitoring reviewed; the P2P block on guest is to stay.'], ['Dee Governor', 'Governors are assured; next review in July.']] as const) {
      await page.getByLabel('Who signed').selectOption((await page.locator('#f-participant option', { hasText: who }).getAttribute('value'))!);
      await page.getByLabel('Day they signed').fill(today!);
      await fill(page, /^Comment/, comment);
      await page.getByRole('button', { name: 'Record the sign-off' }).click();
      await page.getByRole('cell', { name: comment }).waitFor();
    }

    await fill(page, /Who ran it/, 'Chris Provider, ICT Services Ltd');
    await fill(page, /Result per test category/, 'child-abuse=pass, terrorism=pass, adult=pass, not-a-rule');
    await fill(page, 'What it found', 'Every test URL was blocked on the pupil network.');
    await page.getByRole('button', { name: 'Record the test' }).click();
    await expect.poll(() => page.locator('#f-categories-error').innerText()).toContain('name=pass or name=fail');
    await fill(page, /Result per test category/, 'child-abuse=pass, terrorism=pass, adult=pass');
    await fill(page, /Report reference/, 'SWGFL-TF-0412');
    await page.getByRole('button', { name: 'Record the test' }).click();
    await page.getByRole('cell', { name: 'SWGFL-TF-0412' }).waitFor();

    const rows = await page.locator('#participants tbody tr').allInnerTexts();
    expect(rows).toHaveLength(4);
    expect(rows.filter((r) => /Not yet/.test(r))).toHaveLength(2);
    expect(await page.locator('#external tbody tr').allInnerTexts()).toEqual([expect.stringContaining('child-abuse: pass')]);
    await page.getByRole('region', { name: /Who took part/ }).scrollIntoViewIfNeeded();
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'headteacher-desktop');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'headteacher-phone');
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  // Each recording is in the audit log under the headteacher's account.
  const audit = await admin.call('GET', '/api/audit?action=annual.*', undefined, head);
  expect(audit.json.entries.map((e: { action: string }) => e.action)).toEqual(['annual.open', 'annual.participant', 'annual.participant', 'annual.participant', 'annual.participant', 'annual.sign-off', 'annual.sign-off']);
  expect(new Set(audit.json.entries.map((e: { actor: string }) => e.actor))).toEqual(new Set(['account:a.head']));
}, 120_000);

it('a governor reads the page and the statement without a way to change them; staff are refused the pack', async () => {
  const { page, cspViolations } = await admin.openAs(browser, governor, '/annual', PHONE);
  try {
    await page.getByRole('heading', { level: 2, name: `The ${year} review pack` }).waitFor();
    await page.locator('#participants').waitFor();
    expect(await page.getByRole('button', { name: /Add to the review|Record the sign-off|Record the test/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Open the pack to read or print' }).getAttribute('href')).toBe(`/api/annual/pack?year=${year}`);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'governor-phone');
    await page.getByRole('link', { name: 'data-processing statement' }).click();
    await page.getByRole('heading', { level: 1, name: 'Data-processing statement' }).waitFor();
    await page.locator('.statement-item').first().waitFor();
    expect(await page.locator('.statement-item').count()).toBeGreaterThan(12);
    expect(await page.getByRole('region', { name: 'Alerts' }).innerText()).toContain('Designated safeguarding lead');
    expect(await axeSerious(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'statement-phone');
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  expect((await admin.call('POST', '/api/annual', { year: '2030-31' }, governor)).status).toBe(403);
  const refused = await fetch(`${admin.base}/api/annual/pack?year=${year}`, { headers: { cookie: staff.cookie } });
  expect(refused.status).toBe(403);
});

it('the pack renders under its own CSP, axe-clean, and prints through Chromium\'s PDF output', async () => {
  const { page, cspViolations } = await admin.openAs(browser, governor, `/api/annual/pack?year=${year}`, DESKTOP);
  try {
    await page.getByRole('heading', { level: 1, name: `Annual review of filtering and monitoring, ${year}` }).waitFor();
    const text = await page.locator('body').innerText();
    for (const part of ['1. Filtering as configured', '2. Who holds which role', '3. Filter self-tests', '4. Changes to filtering and configuration', '5. Weekly monitoring reviews',
      '6. Incidents (anonymised)', '7. Alerts', '8. Data-processing statement', '9. Participants and sign-off']) expect(text).toContain(part);
    expect(text).toContain('SWGFL-TF-0412');
    expect(text).toContain('Governors are assured; next review in July.');
    expect(text).toContain("St Mary's C of E Primary");
    expect(text).toMatch(/The audit log's hash chain verifies/);
    // The style is applied (its hash allowed), so a part's heading is the pack's blue, not the default black.
    expect(await page.locator('h2#configuration').evaluate((h) => getComputedStyle(h).color)).toBe('rgb(29, 79, 145)');
    expect(await page.locator('script').count()).toBe(0);
    expect(await axeSerious(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'annual-pack.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width + 1);
    await page.screenshot({ path: join(SHOTS, 'annual-pack-phone.png') });
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.screenshot({ path: join(SHOTS, 'annual-pack-print.png') });
    await page.emulateMedia({ media: 'screen' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, path: join(SHOTS, 'annual-pack.pdf') });
    // Each of the nine parts starts a page, so the printed pack is at least ten pages long.
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(10);
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  const response = await fetch(`${admin.base}/api/annual/pack?year=${year}&download=1`, { headers: { cookie: governor.cookie } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; /);
  expect(response.headers.get('content-disposition')).toBe(`attachment; filename="annual-review-${year}.html"`);
});

it('the CLI writes the same pack to a file and records an external test in full', async () => {
  const added = await daemon.cli(['selftest', 'external', 'add', '--network', 'staff', '--tester', 'Chris Provider', '--result', 'fail', '--categories', 'adult=fail',
    '--note', 'An adult test URL loaded on the staff network', '--reference', 'SWGFL-TF-0413']);
  expect(added.code, added.stderr).toBe(0);
  expect(added.stdout).toContain('SWGfL Test Filtering');
  const history = await daemon.cli(['selftest', '--history']);
  expect(history.stdout).toContain('SWGFL-TF-0413');
  const out = join(daemon.dataDir, 'pack.html');
  const made = await daemon.cli(['annual', 'pack', '--year', year, '--out', out]);
  expect(made.code, made.stderr).toBe(0);
  expect(made.stdout).toMatch(/rendered in [\d.]+ ms/);
  const html = await readFile(out, 'utf8');
  expect(html).toContain('SWGFL-TF-0413');
  expect(html).toContain('Dee Governor');
  const list = await daemon.cli(['annual']);
  expect(list.stdout).toContain('Chris Provider');
  await writeFile(join(SHOTS, 'annual-pack-cli.html'), html);
});
