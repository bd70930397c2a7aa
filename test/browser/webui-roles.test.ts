// Each role's journey through the web UI in Chromium, against a real daemon: after setup, the
// headteacher makes one account per role through the API; each person signs in (a temporary
// password changed first, two-factor enrolled where the role requires it, the code asked for
// after), then visits every page of the UI's router. A page the role may see renders without an
// error notice and its data request is answered; a page it may not see shows "Not allowed" and
// the server refuses the same data request with 403, so the UI's hiding is never the only guard.
// A governor sees no device name anywhere; six wrong passwords lock an account until an account
// manager unlocks it. Every page a role can see is screenshotted at desktop width to
// tmp/screenshots/webui-role-*.png (the phone walk, with axe, is webui-every-page.test.ts).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf, ROLES, TOTP_REQUIRED_ROLES, type Role } from '../../firmware/admin/roles.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { resolve, ROUTES } from '../../webui/src/router.ts';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { Authenticator, setupCode, shot, SHOTS } from './support/webui.ts';

const DESKTOP = { width: 1280, height: 800 };
/** A device named on the gateway: personal data a governor (anonymised reports only) must not meet. */
const DEVICE = { mac: '02:5c:00:20:00:99', name: 'Amelia Y6 iPad' };
/** Pages every account passes through, not destinations. */
const SKIP = new Set(['/sign-in', '/setup', '/sign-out']);

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
const authenticator = new Authenticator();

interface Person { username: string; password: string; id?: number }
const people = new Map<Role, Person>();

/** A signed-in API client outside the browser (the headteacher's, to make and unlock accounts). */
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
}
const head = new ApiSession();

beforeAll(async () => {
  const config = await testConfig({ address: '127.0.0.1', port: 9 });
  // Every sign-in here comes from 127.0.0.1, far more than a school's ten a minute from one address.
  config.web.signInsPerMinute = 600;
  daemon = await startDaemonProcess(config);
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  base = `http://${config.web.admin.address}:${config.web.admin.port}`;

  // A device as DHCP would record it (written beside the running daemon, as SQLite allows),
  // then named through the daemon as the office would.
  const seenBy = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  try {
    seenBy.devices.upsertSeen(DEVICE.mac, config.networks[0]!.id, new Date());
  } finally {
    seenBy.close();
  }
  const named = await daemon.cli(['devices', 'name', DEVICE.mac, DEVICE.name]);
  expect(named.code, named.stderr).toBe(0);

  // Setup: the headteacher and the online-safety lead are the two approvers.
  people.set('headteacher', { username: 'a.head', password: 'brass lantern over the hill' });
  people.set('online-safety-lead', { username: 'b.online', password: 'seven quiet herons at dawn' });
  const setup = await head.request('POST', '/api/setup', {
    code: await setupCode(daemon),
    site: { name: 'St Mary\'s C of E Primary', timezone: 'Europe/London' },
    accounts: [
      { username: 'a.head', displayName: 'Alex Head', roles: ['headteacher'], password: people.get('headteacher')!.password },
      { username: 'b.online', displayName: 'Bo Online', roles: ['online-safety-lead'], password: people.get('online-safety-lead')!.password },
    ],
  });
  expect(setup.status, JSON.stringify(setup.json)).toBe(200);

  // The headteacher enrols two-factor through the API (the browser journey shows enrolment for
  // the technician and the DSL), then makes the other accounts with temporary passwords.
  await head.signIn('a.head', people.get('headteacher')!.password);
  const start = await head.request('POST', '/api/account/totp');
  expect(start.status).toBe(200);
  authenticator.enrol('a.head', String(start.json.secret));
  const confirmed = await head.request('POST', '/api/account/totp/confirm', { code: authenticator.code('a.head') });
  expect(confirmed.status, JSON.stringify(confirmed.json)).toBe(200);
  for (const role of ROLES) {
    if (people.has(role)) continue;
    const username = `c.${role.replace(/[^a-z]/g, '')}`;
    const made = await head.request('POST', '/api/accounts', { username, displayName: `Person ${role}`, roles: [role] });
    expect(made.status, JSON.stringify(made.json)).toBe(200);
    people.set(role, { username, password: String(made.json.temporaryPassword), id: Number((made.json.account as { id: number }).id) });
  }
});

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

/** Username and password, then the current TOTP code if the API asks for one. */
async function signIn(page: Page, p: Person): Promise<void> {
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

async function changeTemporaryPassword(page: Page, p: Person): Promise<void> {
  await page.waitForURL((u) => u.pathname === '/account/password');
  // Nothing else opens first: the page asked for is sent back here, and the API refuses it too.
  await page.goto(`${base}/account`);
  await page.waitForURL((u) => u.pathname === '/account/password');
  const refused = await page.request.get(`${base}/api/accounts`);
  expect(refused.status()).toBe(403);
  expect((await refused.json() as { code: string }).code).toBe('password-change-required');
  await page.getByLabel('The password you were given').fill(p.password);
  // Not containing the username, which the gateway refuses.
  p.password = `amber kites over ${p.username.length} quiet fields`;
  await page.getByLabel('New password', { exact: true }).fill(p.password);
  await page.getByLabel('New password again').fill(p.password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL((u) => u.pathname !== '/account/password');
}

async function enrolTwoFactor(page: Page, p: Person): Promise<void> {
  await page.waitForURL((u) => u.pathname === '/account/two-factor');
  await page.getByRole('button', { name: 'Start' }).click();
  authenticator.enrol(p.username, (await page.locator('#totp-secret').innerText()).replace(/\s+/g, ''));
  await page.getByLabel(/six-digit code/).fill(authenticator.code(p.username));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await page.waitForURL((u) => u.pathname !== '/account/two-factor');
}

describe.each(ROLES)('the %s', (role) => {
  it('signs in, sees the pages the role allows and is refused the others, by the UI and by the API', async () => {
    const p = people.get(role)!;
    const permissions = permissionsOf([role]);
    const page = await browser.newPage({ viewport: DESKTOP });
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    try {
      await page.goto(`${base}/sign-in`);
      await signIn(page, p);
      if (p.id !== undefined) await changeTemporaryPassword(page, p);
      if (TOTP_REQUIRED_ROLES.includes(role) && !authenticator.has(p.username)) await enrolTwoFactor(page, p);
      await settled(page);
      expect(new URL(page.url()).pathname).not.toMatch(/^\/(sign-in|account\/password|account\/two-factor)$/);

      // Every route, by the server: the page's data is given to a role that may see it and refused
      // to one that may not. Opening each allowed page (no error, one heading, axe, no sideways
      // scroll) is webui-every-page.test.ts's walk; this one is about who may see what.
      const refusedPages: string[] = [];
      for (const route of ROUTES) {
        if (SKIP.has(route.path)) continue;
        const expected = resolve(route.path, permissions).kind;
        if (expected === 'page') {
          if (route.data) expect((await page.request.get(`${base}${route.data}`)).status(), `${role} GET ${route.data}`).toBe(200);
        } else {
          expect(expected, route.path).toBe('forbidden');
          refusedPages.push(route.path);
          if (route.data) {
            const refused = (await page.request.get(`${base}${route.data}`)).status();
            // A few reads (the status) answer the gateway itself without any session, for
            // monitoring on the box, and this browser is on loopback: then the role must get no
            // more than no session gets. role-limits.test.ts proves the 403 from the network.
            if (refused !== 403) expect((await fetch(`${base}${route.data}`)).status, `${role} GET ${route.data} answered ${refused}`).toBe(refused);
          }
        }
      }
      // And by the UI: a refused page says so (the first and the last, to keep the walk short;
      // which paths resolve to "forbidden" is router.test.ts's).
      for (const path of new Set([refusedPages[0], refusedPages.at(-1)].filter((x): x is string => x !== undefined))) {
        await page.goto(`${base}${path}`);
        await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
      }
      // A governor reads anonymised reports only: no page of theirs names a pupil's device.
      if (role === 'governor') {
        for (const route of ROUTES) {
          if (SKIP.has(route.path) || resolve(route.path, permissions).kind !== 'page') continue;
          await page.goto(`${base}${route.path}`);
          await settled(page);
          expect(await page.locator('.notice-error').count(), `${role} at ${route.path}`).toBe(0);
          expect(await page.evaluate(() => document.body.innerText), route.path).not.toContain(DEVICE.name);
        }
      }
      await page.goto(`${base}/`);
      await settled(page);
      await shot(page, `role-${role}-home-desktop`);
      // The navigation offers exactly the pages the role may open.
      const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
      expect(nav).toEqual(ROUTES.filter((r) => r.nav === true && resolve(r.path, permissions).kind === 'page').map((r) => r.title));
      expect(cspViolations).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

it('locks an account after six wrong passwords, and an account manager unlocks it', async () => {
  const staff = people.get('staff')!;
  const page = await browser.newPage({ viewport: DESKTOP });
  try {
    await page.goto(`${base}/sign-in`);
    for (let i = 0; i < 6; i += 1) {
      await page.getByLabel('Username').fill(staff.username);
      await page.getByLabel('Password').fill(`wrong password ${i}`);
      // Each try answered before the next, so all six count.
      await Promise.all([
        page.waitForResponse((r) => r.url() === `${base}/api/session` && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
    }
    await page.getByText(/unlock it/).waitFor();
    // The right password does not get in while it is locked.
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(/unlock it/).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await shot(page, 'role-staff-locked-desktop');

    // The headteacher (accounts.manage) unlocks it; the same password now gets in.
    await head.signIn('a.head', people.get('headteacher')!.password, authenticator.code('a.head'));
    const unlocked = await head.request('POST', `/api/accounts/${staff.id}/unlock`);
    expect(unlocked.status, JSON.stringify(unlocked.json)).toBe(200);
    await signIn(page, staff);
    await settled(page);
    expect(new URL(page.url()).pathname).toBe('/visitors');
  } finally {
    await page.close();
  }
});
