// Every page of the web UI, for every role, at a phone's width, on the demo's configuration: setup
// is completed in Chromium as a school would, the headteacher makes one account per role, and each
// person then opens every page the role may see. Each page loads without an error notice, has one
// h1, does not scroll sideways on a 390 px phone, and axe finds nothing serious or critical. One
// daemon and one browser serve the whole walk. Screenshots go to
// tmp/screenshots/review-<role>-<page>-phone.png; with SCHOOLGATE_REVIEW_SHOTS=1 the walk also
// photographs each page at 1280 px (…-desktop.png) and as printed (…-print.png), for a person to
// look at every page together.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf, ROLES, type Role } from '../../firmware/admin/roles.ts';
import { resolve, ROUTES } from '../../webui/src/router.ts';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { Authenticator, axeSerious, setupCode, SHOTS } from './support/webui.ts';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const REVIEW = process.env.SCHOOLGATE_REVIEW_SHOTS === '1';
/** Pages every account passes through on the way somewhere, not destinations. */
const SKIP = new Set(['/sign-in', '/setup', '/sign-out']);

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
const authenticator = new Authenticator();
const people = new Map<Role, { username: string; password: string }>();

/** A signed-in API client outside the browser, to make the accounts the walk signs in as. */
class ApiSession {
  cookie = '';
  csrf = '';
  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const headers: Record<string, string> = { accept: 'application/json', origin: base };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
    const set = r.headers.getSetCookie().find((c) => c.startsWith('schoolgate_session='));
    if (set) this.cookie = set.split(';')[0]!;
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
  }
  async signIn(username: string, password: string, totp?: string): Promise<void> {
    const r = await this.request('POST', '/api/session', { username, password, ...(totp ? { totp } : {}) });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    this.csrf = String(r.json.csrfToken);
  }
  async enrolTotp(username: string): Promise<void> {
    const start = await this.request('POST', '/api/account/totp');
    expect(start.status, JSON.stringify(start.json)).toBe(200);
    authenticator.enrol(username, String(start.json.secret));
    const confirmed = await this.request('POST', '/api/account/totp/confirm', { code: authenticator.code(username) });
    expect(confirmed.status, JSON.stringify(confirmed.json)).toBe(200);
  }
}

/** First-run setup as the school does it, in the browser: the headteacher and the online-safety lead. */
async function setupInBrowser(): Promise<void> {
  const page = await browser.newPage({ viewport: DESKTOP });
  try {
    await page.goto(`${base}/`);
    await page.waitForURL(/\/setup$/);
    await page.getByLabel('Setup code').fill(await setupCode(daemon));
    await page.getByLabel('School name').fill('St Mary\'s C of E Primary');
    await page.getByRole('button', { name: 'Next: the first accounts' }).click();
    const first = [
      { role: 'headteacher' as const, label: 'Headteacher', username: 'a.head', displayName: 'Alex Head', password: 'brass lantern over the hill' },
      { role: 'online-safety-lead' as const, label: 'Online-safety lead', username: 'b.online', displayName: 'Bo Online', password: 'seven quiet herons at dawn' },
    ];
    for (const [i, a] of first.entries()) {
      await page.locator(`#f-accounts-${i}-displayName`).fill(a.displayName);
      await page.locator(`#f-accounts-${i}-username`).fill(a.username);
      await page.locator(`#f-accounts-${i}-roles`).getByLabel(a.label).check();
      await page.locator(`#f-accounts-${i}-password`).fill(a.password);
      await page.locator(`#f-accounts-${i}-repeat`).fill(a.password);
      people.set(a.role, { username: a.username, password: a.password });
    }
    await page.getByRole('button', { name: 'Finish setup' }).click();
    await page.locator('#bg-password').waitFor();
    if (REVIEW) await photograph(page, 'setup', 'break-glass');
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  // The embedded defaults (the demo's networks, policies and lists) on free loopback ports.
  const config = await testConfig({ address: '127.0.0.1', port: 9 });
  // Every sign-in here comes from 127.0.0.1, more than a school's ten a minute from one address.
  config.web.signInsPerMinute = 600;
  daemon = await startDaemonProcess(config);
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  base = `http://${config.web.admin.address}:${config.web.admin.port}`;

  await setupInBrowser();
  const head = new ApiSession();
  await head.signIn('a.head', people.get('headteacher')!.password);
  await head.enrolTotp('a.head');
  // Each other role gets an account with a temporary password, changed at once as its holder would,
  // and two-factor where the role requires it, so the browser lands straight on the role's pages.
  for (const role of ROLES) {
    if (people.has(role)) continue;
    const username = `c.${role.replace(/[^a-z]/g, '')}`;
    const made = await head.request('POST', '/api/accounts', { username, displayName: `Person ${role}`, roles: [role] });
    expect(made.status, JSON.stringify(made.json)).toBe(200);
    const password = `amber kites over ${username.length} quiet fields`;
    const own = new ApiSession();
    await own.signIn(username, String(made.json.temporaryPassword));
    const changed = await own.request('POST', '/api/account/password', { current: String(made.json.temporaryPassword), next: password });
    expect(changed.status, JSON.stringify(changed.json)).toBe(200);
    if (role === 'technician' || role === 'dsl') {
      await own.signIn(username, password);
      await own.enrolTotp(username);
    }
    people.set(role, { username, password });
  }
});

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

async function photograph(page: Page, who: string, slug: string, width: 'phone' | 'desktop' | 'print' = 'desktop'): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `review-${who}-${slug}-${width}.png`), fullPage: true });
}

async function signIn(page: Page, p: { username: string; password: string }): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Username').fill(p.username);
  await page.getByLabel('Password').fill(p.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const asked = page.getByLabel('Code from your authenticator app');
  const outcome = await Promise.race([
    asked.waitFor().then(() => 'totp' as const),
    page.waitForURL((u) => !u.pathname.startsWith('/sign-in')).then(() => 'in' as const),
  ]);
  if (outcome === 'totp') {
    await asked.fill(authenticator.code(p.username));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  }
}

/** The page is done loading: the app's and the page's own "Loading…" gone. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => document.querySelector('.loading') === null && document.querySelector('h1') !== null);
}

describe.each(ROLES)('the %s', (role) => {
  it('opens every page the role may see at a phone\'s width: no error, one heading, no sideways scroll, axe-clean', async () => {
    const permissions = permissionsOf([role]);
    const page = await browser.newPage({ viewport: PHONE });
    try {
      await signIn(page, people.get(role)!);
      const pages = ROUTES.filter((r) => !SKIP.has(r.path) && resolve(r.path, permissions).kind === 'page');
      expect(pages.length).toBeGreaterThan(2);
      for (const route of pages) {
        const where = `${role} at ${route.path}`;
        const slug = route.path.slice(1).replace(/\//g, '-');
        await page.goto(`${base}${route.path}`);
        await settled(page);
        expect.soft(new URL(page.url()).pathname, where).toBe(route.path);
        expect.soft(await page.locator('.notice-error').allInnerTexts(), where).toEqual([]);
        expect.soft(await page.locator('h1').count(), where).toBe(1);
        expect.soft(await page.evaluate(() => document.documentElement.scrollWidth), where).toBeLessThanOrEqual(PHONE.width);
        expect.soft(await axeSerious(page), where).toEqual([]);
        await photograph(page, role, slug, 'phone');
        if (REVIEW) {
          await page.setViewportSize(DESKTOP);
          await photograph(page, role, slug, 'desktop');
          await page.emulateMedia({ media: 'print' });
          await photograph(page, role, slug, 'print');
          await page.emulateMedia({ media: 'screen' });
          await page.setViewportSize(PHONE);
        }
      }
    } finally {
      await page.close();
    }
    // The headteacher sees some 25 pages, each checked by axe: past a minute on a loaded machine.
  }, 240_000);
});
