// The AUP splash's settings on the Acceptable use page, in Chromium on a real daemon: a technician
// turns the splash on for the pupil network with the school's text (a bad version refused beside its
// field with everything typed kept), then changes the version and is told that every device will be
// asked again; a member of staff reads the same settings without a way to change them, and the API
// refuses their save. Screenshots at desktop and phone widths go to tmp/screenshots/webui-aup-*.png.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildWebui } from '../../scripts/build-webui.ts';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { axeSerious, SHOTS, totpAt } from './support/webui.ts';

const totp = (secret: string): string => totpAt(secret, Math.floor(Date.now() / 30_000));

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
let tech: ApiSession;
let staff: ApiSession;

interface ApiSession { cookie: string; csrf: string }

async function api(method: string, path: string, body?: unknown, s?: ApiSession): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { origin: base };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (s) {
    headers.cookie = s.cookie;
    headers['x-csrf-token'] = s.csrf;
  }
  const r = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined };
}

async function signIn(username: string, password: string, secret?: string): Promise<ApiSession> {
  const r = await fetch(`${base}/api/session`, {
    method: 'POST', headers: { origin: base, 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, ...(secret ? { totp: totp(secret) } : {}) }),
  });
  const json = await r.json() as { csrfToken: string };
  expect(r.status, JSON.stringify(json)).toBe(200);
  const cookie = /schoolgate_session=[^;]+/.exec(r.headers.get('set-cookie') ?? '')![0];
  return { cookie, csrf: json.csrfToken };
}

async function enrol(s: ApiSession): Promise<string> {
  const start = await api('POST', '/api/account/totp', undefined, s);
  const confirm = await api('POST', '/api/account/totp/confirm', { code: totp(start.json.secret) }, s);
  expect(confirm.status, JSON.stringify(confirm.json)).toBe(200);
  return start.json.secret as string;
}

async function makeAccount(head: ApiSession, username: string, roles: string[]): Promise<ApiSession> {
  const made = await api('POST', '/api/accounts', { username, displayName: username, roles }, head);
  expect(made.status, JSON.stringify(made.json)).toBe(200);
  const s = await signIn(username, made.json.temporaryPassword);
  const changed = await api('POST', '/api/account/password', { current: made.json.temporaryPassword, next: 'Marble-Otter-Tram-3' }, s);
  expect(changed.status, JSON.stringify(changed.json)).toBe(200);
  if (roles.includes('technician')) await enrol(s);
  return s;
}

beforeAll(async () => {
  await buildWebui({ quiet: true });
  daemon = await startDaemonProcess(await testConfig({ address: '127.0.0.1', port: 9 }));
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  const { address, port } = daemon.config.web.admin;
  base = `http://${address}:${port}`;
  const code = /"setupCode"\s*:\s*"([^"]+)"/.exec((await daemon.cli(['status', '--json'])).stdout)?.[1];
  const setup = await api('POST', '/api/setup', { code, site: { name: 'St Mary\'s C of E Primary', timezone: 'Europe/London' }, accounts: [
    { username: 'a.head', displayName: 'Alex Head', roles: ['headteacher'], password: 'brass lantern over the hill' },
    { username: 'b.dsl', displayName: 'Bo Dsl', roles: ['dsl'], password: 'seven quiet herons at dawn' },
  ] });
  expect(setup.status, JSON.stringify(setup.json)).toBe(200);
  const head = await signIn('a.head', 'brass lantern over the hill');
  await enrol(head);
  tech = await makeAccount(head, 'c.tech', ['technician']);
  staff = await makeAccount(head, 'd.staff', ['staff']);
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

async function openAs(s: ApiSession, path: string, viewport: { width: number; height: number }): Promise<{ page: Page; cspViolations: string[] }> {
  const context = await browser.newContext({ viewport });
  const [name, value] = s.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: base }]);
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => console.log(`pageerror: ${e.stack ?? e.message}`));
  expect((await page.goto(`${base}${path}`))?.status()).toBe(200);
  return { page, cspViolations };
}



/** The AUP splash's section only: the tables above it have their own screenshots. */
async function shot(page: Page, name: string): Promise<void> {
  const file = join(SHOTS, `webui-aup-${name}.png`);
  await page.locator('.aup-splash').screenshot({ path: file });
  console.log(`screenshot: ${file}`);
}

const TEXT = 'This is the school\'s acceptable use policy for staff.\n\nUse of the school\'s Wi-Fi is logged and monitored.';

it('a technician turns the splash on: a bad version beside its field with nothing typed lost, then saved; a new version is said to ask every device again', async () => {
  const { page, cspViolations } = await openAs(tech, '/policies', DESKTOP);
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
    expect(await page.getByRole('alert').first().innerText()).toMatch(/Nothing was saved: one problem/);
    expect(await page.getByLabel('Version').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-version');
    expect(await page.getByLabel('The acceptable use policy (staff and other networks)').inputValue()).toBe(TEXT);
    expect(await page.getByLabel(`${pupil.name} (pupil)`).isChecked()).toBe(true);
    expect((await api('GET', '/api/aup/settings', undefined, tech)).json.aup).toBeNull();
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'invalid-desktop');

    await page.getByLabel('Version').fill('2026-27');
    await page.getByRole('button', { name: 'Save the AUP splash' }).click();
    await page.getByText(`Saved. The splash is shown on ${pupil.name}.`).waitFor();
    expect((await api('GET', '/api/aup/settings', undefined, tech)).json.aup).toEqual({ version: '2026-27', text: TEXT, splashOn: [pupil.id] });

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
  const { page } = await openAs(staff, '/policies', PHONE);
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
  const refused = await api('PUT', '/api/aup/settings', { version: '2099-00', text: 'x', splashOn: [] }, staff);
  expect(refused.status).toBe(403);
});
