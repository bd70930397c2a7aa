// The web UI in Chromium, served by a real daemon from a fresh `npm run build` of webui/: the pages
// a person meets first, at a desktop and a phone width, each checked with axe-core (no serious or
// critical WCAG 2.2 AA violation), with no CSP violation, and screenshotted to tmp/screenshots/
// for a person to look at. The steps that need the account API (setup, signing in with TOTP, the
// Status page, the lockout) run when the daemon offers it (GET /api/setup answers) and are
// skipped, saying so, when it does not.
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { SetupState } from '../../firmware/admin/api/session-schema.ts';
import { FIRST_LOAD_BUDGET_KB, readWebuiBuild } from '../../scripts/build-webui.ts';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { Authenticator, axeSerious, setupCode as printedSetupCode, shot, SHOTS } from './support/webui.ts';

const WIDTHS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'tablet', viewport: { width: 820, height: 1180 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
/** Whether this daemon has the account API (it lands on its own branch): the steps needing it run only then. */
let apiPresent = false;

beforeAll(async () => {
  const built = readWebuiBuild();
  expect(built.firstLoadJsGzipBytes / 1024).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_KB);
  const config = await testConfig({ address: '127.0.0.1', port: 9 });
  // Every sign-in here comes from 127.0.0.1, a dozen within the minute: the per-address limit a
  // school keeps (10) would answer the lockout test's last try with 429 instead of "locked".
  config.web.signInsPerMinute = 60;
  daemon = await startDaemonProcess(config);
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  const { address, port } = daemon.config.web.admin;
  base = `http://${address}:${port}`;
  apiPresent = (await fetch(`${base}/api/setup`)).status === 200;
});

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

function needsApi(ctx: TestContext): void {
  if (!apiPresent) ctx.skip('needs the account API (GET /api/setup answers 404 on this branch)');
}

interface Opened { page: Page; cspViolations: string[] }

async function open(path: string, viewport: { width: number; height: number }): Promise<Opened> {
  const page = await browser.newPage({ viewport });
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => console.log(`pageerror: ${e.stack ?? e.message}`));
  const response = await page.goto(`${base}${path}`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  return { page, cspViolations };
}

/** Nothing makes the page scroll sideways at this width. */
async function fitsWidth(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

describe.each(WIDTHS)('first-run setup at $name width', ({ name, viewport }) => {
  it('asks for the code, the school and its time zone, and puts each error beside its field with nothing typed lost', async () => {
    const { page, cspViolations } = await open('/setup', viewport);
    try {
      await page.getByRole('heading', { level: 1, name: 'First-run setup' }).waitFor();
      expect(await page.locator('.skip-link').getAttribute('href')).toBe('#main');
      expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/London');
      expect(await axeSerious(page)).toEqual([]);
      await fitsWidth(page, viewport.width);
      await shot(page, `setup-school-${name}`);

      // A school name typed, the code forgotten: the code's field is marked, described by its
      // error and focused; the name stays as typed.
      await page.getByLabel('School name').fill('St Mary\'s C of E Primary');
      await page.getByRole('button', { name: 'Next: the first accounts' }).click();
      const code = page.getByLabel('Setup code');
      expect(await code.getAttribute('aria-invalid')).toBe('true');
      expect(await code.getAttribute('aria-describedby')).toContain('f-code-error');
      expect(await page.locator('#f-code-error').innerText()).toContain('Enter the setup code');
      expect(await activeId(page)).toBe('f-code');
      expect(await page.getByLabel('School name').inputValue()).toBe('St Mary\'s C of E Primary');
      expect(await page.locator('form').getByRole('alert').innerText()).toContain('Some answers need changing');
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, `setup-school-errors-${name}`);

      // On to the accounts: two approvers are required, and a short password is refused beside it.
      await code.fill('123456');
      await page.getByRole('button', { name: 'Next: the first accounts' }).click();
      await page.getByText('Step 2 of 2').waitFor();
      await page.getByLabel('Full name').first().fill('Alex Head');
      await page.getByLabel('Username').first().fill('a.head');
      await page.locator('#f-accounts-0-roles').getByLabel('Headteacher').check();
      await page.locator('#f-accounts-0-password').fill('too short');
      await page.getByRole('button', { name: 'Finish setup' }).click();
      expect(await page.locator('form').getByRole('alert').innerText()).toMatch(/two accounts need an approving role/);
      expect(await page.locator('#f-accounts-0-password-error').innerText()).toContain('needs at least 12');
      expect(await activeId(page)).toBe('f-accounts-0-password');
      expect(await page.locator('#f-accounts-0-username').inputValue()).toBe('a.head');
      expect(await page.locator('#f-accounts-0-roles').getByLabel('Headteacher').isChecked()).toBe(true);
      expect(await page.locator('#f-accounts-0-password').inputValue()).toBe('too short');
      expect(await axeSerious(page)).toEqual([]);
      await fitsWidth(page, viewport.width);
      await shot(page, `setup-accounts-errors-${name}`);

      // Back keeps what was typed on the first step.
      await page.getByRole('button', { name: 'Back' }).click();
      expect(await page.getByLabel('School name').inputValue()).toBe('St Mary\'s C of E Primary');
      expect(cspViolations).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('with the account API', () => {
  const accounts = [
    { username: 'a.head', displayName: 'Alex Head', roles: ['Headteacher', 'Designated safeguarding lead'], password: 'brass lantern over the hill' },
    { username: 'b.online', displayName: 'Bo Online', roles: ['Online-safety lead'], password: 'seven quiet herons at dawn' },
    { username: 'c.staff', displayName: 'Cam Staff', roles: ['Staff'], password: 'paper boats on a wet tuesday' },
  ];

  it('completes first-run setup and shows the break-glass password once, with a print view', async (ctx) => {
    needsApi(ctx);
    const state = await (await fetch(`${base}/api/setup`)).json() as SetupState;
    expect(state.needed).toBe(true);
    const { page, cspViolations } = await open('/', WIDTHS[0].viewport);
    try {
      await page.waitForURL(/\/setup$/);
      await page.getByLabel('Setup code').fill(await printedSetupCode(daemon));
      await page.getByLabel('School name').fill('St Mary\'s C of E Primary');
      await page.getByRole('button', { name: 'Next: the first accounts' }).click();
      await page.getByRole('button', { name: 'Add another account' }).click();
      for (const [i, a] of accounts.entries()) {
        await page.locator(`#f-accounts-${i}-displayName`).fill(a.displayName);
        await page.locator(`#f-accounts-${i}-username`).fill(a.username);
        for (const role of a.roles) await page.locator(`#f-accounts-${i}-roles`).getByLabel(role).check();
        await page.locator(`#f-accounts-${i}-password`).fill(a.password);
        await page.locator(`#f-accounts-${i}-repeat`).fill(a.password);
      }
      await page.getByRole('button', { name: 'Finish setup' }).click();
      const password = await page.locator('#bg-password').innerText();
      expect(password.length).toBeGreaterThanOrEqual(12);
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, 'setup-break-glass-desktop');
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.actions').first().isVisible()).toBe(false);
      await shot(page, 'setup-break-glass-print');
      await page.emulateMedia({ media: 'screen' });
      // Leaving needs the tick: the dialog says so first.
      await page.getByRole('button', { name: /I have stored it/ }).click();
      await page.getByRole('dialog', { name: 'Tick the box first' }).waitFor();
      await page.getByRole('button', { name: 'Stay here' }).click();
      await page.getByLabel(/I have printed or written down/).check();
      await page.getByRole('button', { name: /I have stored it/ }).click();
      await page.getByRole('button', { name: 'Yes, go to sign in' }).click();
      await page.waitForURL(/\/sign-in$/);
      expect(cspViolations).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('signs in with TOTP after enrolling it, shows the Status page, and signs out', async (ctx) => {
    needsApi(ctx);
    const { page, cspViolations } = await open('/status', WIDTHS[0].viewport);
    try {
      await page.waitForURL(/\/sign-in\?next=%2Fstatus$/);
      await signIn(page, accounts[0]!);
      await owedPages(page, accounts[0]!);
      // The owed pages done, the headteacher lands on the dashboard (homeFor); Status is one link away.
      await page.waitForURL(/\/dashboard$/);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Status' }).click();
      await page.waitForURL(/\/status$/);
      await page.locator('#networks tbody tr').first().waitFor();
      expect(await page.locator('.school').innerText()).toBe('St Mary\'s C of E Primary');
      const nav = page.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Dashboard', 'Alerts', 'Weekly review', 'Incidents', 'Your classes', 'Visitors', 'Acceptable use', 'Networks', 'Devices', 'Lists', 'Change requests', 'Reports', 'Annual review', 'Audit log', 'Status', 'Health', 'Accounts', 'Settings', 'IT provider tasks', 'Your account']);
      // In sections, each a list named for its part of the school's work, in a column beside the page.
      expect(await nav.getByRole('list', { name: 'Safeguarding' }).getByRole('link').allInnerTexts()).toEqual(['Alerts', 'Weekly review', 'Incidents', 'Your classes']);
      expect(await nav.getByRole('list', { name: 'System' }).getByRole('link', { name: 'Status' }).getAttribute('aria-current')).toBe('page');
      expect((await nav.boundingBox())!.x + (await nav.boundingBox())!.width).toBeLessThanOrEqual((await page.locator('main').boundingBox())!.x + 1);
      expect(await page.locator('#networks tbody tr').count()).toBe(daemon.config.networks.length);
      // A fresh box has no backup passphrase: that comes first, with what to do, above the facts
      // that say the same (no backup yet, none to come), beside the release that runs.
      const attention = page.locator('[aria-labelledby="attention"]');
      expect(await attention.locator('[data-attention="backup.no-passphrase"]').innerText()).toContain('Store a backup passphrase');
      expect((await attention.boundingBox())!.y).toBeLessThan((await page.locator('[aria-labelledby="gw"]').boundingBox())!.y);
      const facts = Object.fromEntries(await page.locator('[aria-labelledby="gw"] dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent ?? ''])));
      expect(facts).toMatchObject({ 'Last upgrade': 'none yet', 'Last backup': 'none yet', 'Next backup': 'none: no backup passphrase is set' });
      expect(facts.Version).toMatch(/, a development checkout, not an installed release$/);
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, 'status-desktop');
      await page.setViewportSize(WIDTHS[2].viewport);
      await fitsWidth(page, WIDTHS[2].viewport.width);
      await shot(page, 'status-phone');
      await page.emulateMedia({ media: 'print' });
      expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
      await page.emulateMedia({ media: 'screen' });
      await page.getByRole('link', { name: 'Sign out' }).click();
      await page.waitForURL(/\/sign-in$/);
      expect(await page.getByRole('status').first().innerText()).toContain('You have signed out');
      // Signed in again, the code is asked for after the password.
      await signIn(page, accounts[0]!);
      await page.waitForURL(/\/dashboard$/);
      expect(cspViolations).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('refuses a page the account\'s roles do not carry', async (ctx) => {
    needsApi(ctx);
    const { page } = await open('/status', WIDTHS[2].viewport);
    try {
      await signIn(page, accounts[2]!);
      await owedPages(page, accounts[2]!);
      await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
      // On a phone the navigation opens from its Menu button, and Escape gives focus back to it.
      const nav = page.getByRole('navigation', { name: 'Main' });
      const menu = nav.getByRole('button', { name: /^Menu/ });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await nav.getByRole('link').count()).toBe(0);
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, 'forbidden-phone');
      await menu.focus();
      await page.keyboard.press('Enter');
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      expect(await page.locator(`#${await menu.getAttribute('aria-controls')}`).isVisible()).toBe(true);
      expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Your classes', 'Visitors', 'Acceptable use', 'Networks', 'Change requests', 'Your account']);
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, 'forbidden-phone-menu');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Escape');
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await page.evaluate(() => document.activeElement?.classList.contains('menu-button'))).toBe(true);
      expect(await nav.getByRole('link').count()).toBe(0);
      // A chosen page closes the menu behind it.
      await menu.click();
      await nav.getByRole('link', { name: 'Your account' }).click();
      await page.waitForURL(/\/account$/);
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await menu.innerText()).toContain('Your account');
    } finally {
      await page.close();
    }
  });

  it('says an account is locked after six wrong passwords', async (ctx) => {
    needsApi(ctx);
    const { page } = await open('/sign-in', WIDTHS[0].viewport);
    try {
      for (let i = 0; i < 6; i += 1) {
        await page.getByLabel('Username').fill('b.online');
        await page.getByLabel('Password').fill(`wrong password ${i}`);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('alert').first().waitFor();
      }
      await page.getByLabel('Password').fill(accounts[1]!.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(/unlock it/).waitFor();
      expect(await page.getByLabel('Username').inputValue()).toBe('b.online');
      await shot(page, 'sign-in-locked-desktop');
    } finally {
      await page.close();
    }
  });

  const authenticator = new Authenticator();

  /** Username and password, then the current TOTP code if the API asks for one. */
  async function signIn(page: Page, a: { username: string; password: string }): Promise<void> {
    await page.getByLabel('Username').fill(a.username);
    await page.getByLabel('Password').fill(a.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const asked = page.getByLabel('Code from your authenticator app');
    const outcome = await Promise.race([
      asked.waitFor().then(() => 'totp' as const),
      page.waitForURL((u) => !u.pathname.startsWith('/sign-in')).then(() => 'in' as const),
    ]);
    if (outcome === 'totp') {
      await asked.fill(authenticator.code(a.username));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    }
  }

  /** A temporary password to change and two-factor to enrol, where the account owes them. */
  async function owedPages(page: Page, a: { username: string; password: string }): Promise<void> {
    await page.waitForLoadState('networkidle');
    if (new URL(page.url()).pathname === '/account/password') {
      await page.getByLabel(/password you were given|Current password/).fill(a.password);
      a.password = `${a.password} again`;
      await page.getByLabel('New password', { exact: true }).fill(a.password);
      await page.getByLabel('New password again').fill(a.password);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.waitForURL((u) => u.pathname !== '/account/password');
    }
    if (new URL(page.url()).pathname === '/account/two-factor') {
      await page.getByRole('button', { name: 'Start' }).click();
      const secret = (await page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
      authenticator.enrol(a.username, secret);
      expect(await page.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, 'two-factor-desktop');
      await page.getByLabel(/six-digit code/).fill(authenticator.code(a.username));
      await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
      await page.waitForURL((u) => u.pathname !== '/account/two-factor');
    }
  }
});

describe.each(WIDTHS)('the sign-in page at $name width', ({ name, viewport }) => {
  it('renders, is accessible, and marks an empty username and password beside each field', async () => {
    const { page, cspViolations } = await open('/sign-in', viewport);
    try {
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect(await page.title()).toMatch(/^Sign in — Schoolgate/);
      expect(await axeSerious(page)).toEqual([]);
      await fitsWidth(page, viewport.width);
      await shot(page, `sign-in-${name}`);

      // The keyboard reaches the skip link first, and it moves focus to the page's content.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
      expect(await page.locator('.skip-link').isVisible()).toBe(true);
      await page.keyboard.press('Enter');
      expect(await activeId(page)).toBe('main');

      await page.getByLabel('Password').fill('typed but no name');
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect(await page.getByLabel('Username').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('#f-username-error').innerText()).toContain('Enter your username');
      expect(await activeId(page)).toBe('f-username');
      expect(await page.getByLabel('Password').inputValue()).toBe('typed but no name');
      expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBeNull();
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, `sign-in-errors-${name}`);

      expect(cspViolations).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

it('sends a signed-out deep link to sign-in, remembering where it was going, and answers unknown API paths with an ApiError', async () => {
  const { page } = await open('/status', WIDTHS[0].viewport);
  try {
    await page.waitForURL(apiPresent ? /\/(sign-in\?next=%2Fstatus|setup)$/ : /\/sign-in\?next=%2Fstatus$/);
  } finally {
    await page.close();
  }
  const r = await fetch(`${base}/api/no-such-route`);
  expect(r.status).toBe(404);
  expect(await r.json()).toMatchObject({ code: 'not-found' });
});
