// The settings page, the school's logo and the AUP table on a phone, in Chromium against a real
// daemon built from webui/: the technician changes settings (a refused save keeps what was typed,
// with the error beside its field), adds the logo the header then shows, and is refused a file
// that is not an image; the headteacher reads the settings without a way to change them; each
// account lands on its own start page; the AUP table on a phone is a row per category that opens
// into radios saving like the table's, and paper still gets the table. Screenshots at desktop and phone
// widths go to tmp/screenshots/webui-settings-*.png.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_LOAD_BUDGET_KB, readWebuiBuild } from '../../scripts/build-webui.ts';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { axeSerious, SHOTS, setupCode, shot, totpAt } from './support/webui.ts';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
// A crest as a school might draw one; the script inside must never run.
const LOGO_SVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
  <script>document.title = 'script ran';</script>
  <path d="M32 4 L58 14 L58 34 C58 48 46 58 32 62 C18 58 6 48 6 34 L6 14 Z" fill="#1d4f91" stroke="#f2c230" stroke-width="3"/>
  <path d="M32 16 L36 28 L48 28 L38 36 L42 48 L32 40 L22 48 L26 36 L16 28 L28 28 Z" fill="#f2c230"/>
</svg>`;

const ACCOUNTS = [
  { username: 'jo.head', displayName: 'Jo Head', roles: ['headteacher'], password: 'Heron-Lantern-42' },
  { username: 'sam.dsl', displayName: 'Sam Dsl', roles: ['dsl'], password: 'Quiet-Meadow-Owl-7' },
];

interface Session { cookie: string; csrf: string }
interface Answer { status: number; json: any; cookie: string | undefined }

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
const sessions = new Map<string, Session>();

beforeAll(async () => {
  const built = readWebuiBuild();
  expect(built.firstLoadJsGzipBytes / 1024).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_KB);
  daemon = await startDaemonProcess(await testConfig({ address: '127.0.0.1', port: 9 }));
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  base = `http://${daemon.config.web.admin.address}:${daemon.config.web.admin.port}`;
  const setup = await request('POST', '/api/setup', { code: await setupCode(daemon), site: { name: 'St Mary Primary', timezone: 'Europe/London' }, accounts: ACCOUNTS });
  expect(setup.status, JSON.stringify(setup.json)).toBe(200);
  for (const a of ACCOUNTS) sessions.set(a.username, await readySession(a.username, a.password));
  for (const [username, roles, password] of [['lee.tech', ['technician'], 'Copper-Kettle-Fjord'], ['kim.staff', ['staff'], 'Willow-Barge-Lamp-5']] as const) {
    const made = await api('POST', '/api/accounts', { username, displayName: username, roles }, sessions.get('jo.head'));
    expect(made.status, JSON.stringify(made.json)).toBe(200);
    sessions.set(username, await readySession(username, made.json.temporaryPassword, password));
  }
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

async function api(method: string, path: string, body?: unknown, session?: Session): Promise<Answer> {
  return request(method, path, body, session?.cookie, session?.csrf);
}

async function request(method: string, path: string, body?: unknown, cookie?: string, csrf?: string): Promise<Answer> {
  const headers: Record<string, string> = { origin: base };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  const r = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  const set = r.headers.get('set-cookie');
  return { status: r.status, json: text ? JSON.parse(text) : undefined, cookie: set ? set.split(';')[0] : undefined };
}

/** Signs in, changes a temporary password when given a new one, enrols TOTP. */
async function readySession(username: string, password: string, newPassword?: string): Promise<Session> {
  const signed = await request('POST', '/api/session', { username, password });
  expect(signed.status, JSON.stringify(signed.json)).toBe(200);
  const cookie = signed.cookie!;
  const csrf = signed.json.csrfToken as string;
  if (newPassword !== undefined) {
    const changed = await request('POST', '/api/account/password', { current: password, next: newPassword }, cookie, csrf);
    expect(changed.status, JSON.stringify(changed.json)).toBe(200);
  }
  const start = await request('POST', '/api/account/totp', undefined, cookie, csrf);
  expect(start.status, JSON.stringify(start.json)).toBe(200);
  const confirm = await request('POST', '/api/account/totp/confirm', { code: totpAt(start.json.secret, Math.floor(Date.now() / 30_000)) }, cookie, csrf);
  expect(confirm.status, JSON.stringify(confirm.json)).toBe(200);
  return { cookie, csrf };
}

interface Opened { page: Page; context: BrowserContext; cspViolations: string[] }

async function open(path: string, as: string, viewport: { width: number; height: number }): Promise<Opened> {
  const context = await browser.newContext({ viewport });
  const [name, value] = sessions.get(as)!.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: base }]);
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => console.log(`pageerror: ${e.stack ?? e.message}`));
  await page.goto(`${base}${path}`);
  return { page, context, cspViolations };
}

async function fitsWidth(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

describe('settings', () => {
  it('the technician saves settings (a refused save keeps what was typed), adds the logo the header shows, and is refused a file that is not an image', async () => {
    const { page, context, cspViolations } = await open('/settings', 'lee.tech', DESKTOP);
    try {
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      const name = page.getByLabel('School name');
      await name.waitFor();
      expect(await name.inputValue()).toBe('St Mary Primary');
      expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/London');
      expect(await axeSerious(page)).toEqual([]);
      await fitsWidth(page, DESKTOP.width);
      await shot(page, 'settings-desktop');

      // Two minutes idle is below the floor: refused beside the field, focus on it, the name typed kept.
      await name.fill('St Mary\'s C of E Primary');
      await page.getByLabel('Sign out after this many idle minutes').fill('2');
      await page.getByRole('button', { name: 'Save the settings' }).click();
      const idle = page.getByLabel('Sign out after this many idle minutes');
      await page.locator('#f-sessions-idleMinutes-error').waitFor();
      expect(await idle.getAttribute('aria-invalid')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-sessions-idleMinutes');
      expect(await name.inputValue()).toBe('St Mary\'s C of E Primary');
      expect((await api('GET', '/api/settings', undefined, sessions.get('lee.tech'))).json.site.name).toBe('St Mary Primary');
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, 'settings-error-desktop');

      // Put right, with e-mail delivery and its password: saved, the password then only "set".
      await idle.fill('45');
      await page.getByLabel('Send alerts by e-mail').check();
      await page.getByLabel('SMTP server').fill('smtp.stmary.example');
      await page.getByLabel('From address').fill('gateway@stmary.example');
      await page.getByLabel('User name').fill('gateway');
      await page.locator('#f-alerts-email-password').fill('Smtp-Secret-99');
      await page.getByRole('button', { name: 'Save the settings' }).click();
      await page.getByText('Saved. The gateway uses the new settings now.').waitFor();
      expect(await page.locator('#f-alerts-email-password').inputValue()).toBe('');
      await page.getByText('Set. Leave blank to keep it; it is never shown again.').waitFor();
      await page.locator('.school', { hasText: 'St Mary\'s C of E Primary' }).waitFor();
      const saved = (await api('GET', '/api/settings', undefined, sessions.get('lee.tech'))).json;
      expect(saved).toMatchObject({ site: { name: 'St Mary\'s C of E Primary' }, sessions: { idleMinutes: 45 }, alerts: { email: { host: 'smtp.stmary.example', password: 'set' } } });
      expect(await page.content()).not.toContain('Smtp-Secret-99');

      // A file that is not an image: refused beside the field.
      await page.getByLabel('Add a logo').setInputFiles({ name: 'crest.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a\x01\x00\x01\x00') });
      await page.locator('#f-logo-error').getByText('not a PNG, JPEG or SVG').waitFor();
      // The SVG crest: stored, shown in the header and the preview, its script never run.
      await page.getByLabel('Add a logo').setInputFiles({ name: 'crest.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(LOGO_SVG) });
      await page.getByText('The logo is now crest.svg.').waitFor();
      const headerLogo = page.locator('header img.school-logo');
      await expect.poll(() => headerLogo.isVisible()).toBe(true);
      expect(await headerLogo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
      expect(await page.title()).not.toBe('script ran');
      const served = await fetch(`${base}/logo`);
      expect(served.headers.get('content-security-policy')).toContain('sandbox');
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, 'settings-logo-desktop');
      await page.setViewportSize(PHONE);
      await fitsWidth(page, PHONE.width);
      await shot(page, 'settings-phone');
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the headteacher reads the settings and cannot change them; the API refuses her save', async () => {
    const { page, context } = await open('/settings', 'jo.head', PHONE);
    try {
      await page.getByLabel('School name').waitFor();
      expect(await page.getByLabel('School name').isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Save the settings' }).count()).toBe(0);
      expect(await page.getByLabel('Add a logo').count()).toBe(0);
      expect(await axeSerious(page)).toEqual([]);
      await fitsWidth(page, PHONE.width);
      await shot(page, 'settings-readonly-phone');
      const view = (await api('GET', '/api/settings', undefined, sessions.get('jo.head'))).json;
      const { editable: _e, logo: _l, ...rest } = view;
      const refused = await api('PUT', '/api/settings', { ...rest, alerts: { ...rest.alerts, email: null } }, sessions.get('jo.head'));
      expect(refused.status).toBe(403);
    } finally {
      await context.close();
    }
  });

  it('lands each account on its start page: the dashboard where allowed, otherwise its first page', async () => {
    for (const [as, home] of [['jo.head', '/dashboard'], ['lee.tech', '/dashboard'], ['kim.staff', '/visitors']] as const) {
      const { page, context } = await open('/', as, DESKTOP);
      try {
        await page.waitForURL((u) => u.pathname === home);
        await page.getByRole('heading', { level: 1 }).waitFor();
        expect(await page.getByRole('heading', { level: 1, name: 'Not allowed' }).count()).toBe(0);
      } finally {
        await context.close();
      }
    }
  });
});

describe('lists', () => {
  it('the technician imports a list from the page and removes it again (audited); an illegal-content list must stay', async () => {
    // An illegal-content list as the school's filtering provider supplies one: hashed names.
    const hashed = createHash('sha256').update('hidden.example').digest('hex');
    const imported = await api('POST', '/api/lists/import', { text: `${hashed}\n`, fileName: 'ctiru.txt', category: 'extremism', format: 'sha256', restricted: true, name: 'CTIRU (test)' }, sessions.get('lee.tech'));
    expect(imported.status, JSON.stringify(imported.json)).toBe(200);
    const illegal = imported.json as { id: string };
    const { page, context, cspViolations } = await open('/lists', 'lee.tech', DESKTOP);
    try {
      await page.locator('#lists').waitFor();
      const before = await page.locator('#lists tbody tr').count();
      await page.locator('#f-text').setInputFiles({ name: 'casinos.txt', mimeType: 'text/plain', buffer: Buffer.from('bet.example\ncasino.example\n') });
      await page.getByLabel('Category').fill('gambling');
      await page.getByLabel(/^Name/).fill('Local casinos');
      await page.getByRole('button', { name: 'Import' }).click();
      const row = page.locator('#lists tbody tr', { hasText: 'Local casinos' });
      await row.waitFor();
      expect(await page.locator('#lists tbody tr').count()).toBe(before + 1);
      // Illegal-content lists offer no removal.
      expect(await page.locator('#lists tbody tr', { hasText: 'CTIRU (test)' }).getByText(/Must stay/).count()).toBe(1);
      await row.getByRole('button', { name: 'Remove Local casinos' }).click();
      const dialog = page.getByRole('dialog', { name: 'Remove Local casinos?' });
      await dialog.waitFor();
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, 'lists-remove-confirm-desktop');
      await dialog.getByRole('button', { name: 'Remove the list' }).click();
      await page.getByText(/Local casinos was removed/).waitFor();
      expect(await page.locator('#lists tbody tr').count()).toBe(before);
      const audit = (await api('GET', '/api/audit?action=lists.*', undefined, sessions.get('lee.tech'))).json;
      expect(audit.entries.map((e: { action: string; actor: string }) => `${e.actor} ${e.action}`)).toEqual(expect.arrayContaining(['account:lee.tech lists.import', 'account:lee.tech lists.remove']));
      await shot(page, 'lists-removed-desktop');
      expect(cspViolations).toEqual([]);

      const refused = await api('POST', '/api/lists/remove', { id: illegal.id }, sessions.get('lee.tech'));
      expect(refused.status).toBe(409);
      expect(refused.json.error).toMatch(/illegal-content list/);
      expect((await api('GET', '/api/lists', undefined, sessions.get('lee.tech'))).json.lists.some((l: { id: string }) => l.id === illegal.id)).toBe(true);
    } finally {
      await context.close();
    }
  });
});

describe('the AUP table on a phone', () => {
  it('is a row per category that opens into a radio group sent for approval like the table, and prints as the table', async () => {
    const { page, context, cspViolations } = await open('/policies?policy=pupil', 'lee.tech', PHONE);
    try {
      await page.getByRole('heading', { level: 2, name: /Pupils/ }).waitFor();
      const card = page.locator('.aup-card', { hasText: 'Social networking' });
      await card.waitFor();
      expect(await page.locator('table.aup-table').isVisible()).toBe(false);
      // Closed, the row says what is chosen; opened, its five choices are one radio group.
      const group = card.getByRole('group');
      expect(await group.getByRole('radio').count()).toBe(0);
      await card.locator('summary').click();
      expect(await group.getByRole('radio').count()).toBe(5);
      await fitsWidth(page, PHONE.width);
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, 'settings-aup-cards-phone');

      const before = (await api('GET', '/api/policies', undefined, sessions.get('lee.tech'))).json;
      const row = (t: any) => t.policies.find((p: any) => p.id === 'pupil').rows.find((r: any) => r.title === 'Social networking');
      expect(row(before).rule.disposition).not.toBe('acceptable');
      await group.getByLabel('Acceptable', { exact: true }).check();
      await group.getByLabel(/^Watched/).check();
      await page.getByLabel('The educational reason').fill('Year 6 study how social media shapes the news');
      await page.getByLabel('Benefit against risk').fill('Watched: every visit is in the weekly review.');
      await page.getByRole('button', { name: /Send the .* policy for approval/ }).click();
      const sent = page.getByRole('status').filter({ hasText: /Sent for approval as change request \d+/ }).first();
      await sent.waitFor();
      await fitsWidth(page, PHONE.width);
      await shot(page, 'settings-aup-cards-sent-phone');
      // Approved by the head and the DSL, applied by the technician, the row reads the new choice.
      const id = Number(/change request (\d+)/.exec(await sent.innerText())![1]);
      for (const approver of ['jo.head', 'sam.dsl']) expect((await api('POST', `/api/changes/${id}/approve`, {}, sessions.get(approver))).status).toBe(200);
      expect((await api('POST', `/api/changes/${id}/apply`, {}, sessions.get('lee.tech'))).status).toBe(200);
      const after = (await api('GET', '/api/policies', undefined, sessions.get('lee.tech'))).json;
      expect(row(after).rule).toMatchObject({ disposition: 'acceptable', watch: true });
      await page.reload();
      await card.waitFor();
      expect(await card.locator('summary').innerText()).toContain('Acceptable · watched');
      await shot(page, 'settings-aup-cards-saved-phone');

      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('table.aup-table').isVisible()).toBe(true);
      expect(await page.locator('.aup-cards').isVisible()).toBe(false);
      await shot(page, 'settings-aup-print-phone');
      await page.emulateMedia({ media: 'screen' });
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
