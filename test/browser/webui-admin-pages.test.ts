// The devices, lists, accounts, access-matrix and audit-log pages in Chromium, served by a real
// daemon from a fresh build of webui/: each at a desktop and a phone width, checked with axe-core
// (no serious or critical WCAG 2.2 AA violation) and screenshotted to tmp/screenshots/. The DSL
// suspends a device with a reason and an expiry (a refused first try keeps what was typed), and
// the audit log shows it under her account; the headteacher creates an account and prints the
// access matrix; the technician sees a bad list file refused by line number.
import { createHmac } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../firmware/paths.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { FIRST_LOAD_BUDGET_KB, readWebuiBuild } from '../../scripts/build-webui.ts';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';

const SHOTS = join(APP_ROOT, 'tmp', 'screenshots');
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const IPAD = '3c:22:fb:01:a2:9f';
const PHONE_MAC = '3a:22:fb:01:a2:9e'; // locally administered: randomised

const ACCOUNTS = [
  { username: 'jo.head', displayName: 'Jo Head', roles: ['headteacher'], password: 'Heron-Lantern-42' },
  { username: 'sam.dsl', displayName: 'Sam Dsl', roles: ['dsl'], password: 'Quiet-Meadow-Owl-7' },
];

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
/** A ready session per username (password set, two-factor enrolled): its cookie and CSRF token. */
const cookies = new Map<string, Session>();
interface Session { cookie: string; csrf: string }

beforeAll(async () => {
  const built = readWebuiBuild();
  expect(built.firstLoadJsGzipBytes / 1024).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_KB);
  const config = await testConfig({ address: '127.0.0.1', port: 9 });
  config.deviceGroups = [{ id: 'year3', name: 'Year 3' }, { id: 'staff-laptops', name: 'Staff laptops', policy: 'staff' }];
  config.aup = { version: '2026-27', text: 'Use the school network for your work.', splashOn: ['pupil'] };
  daemon = await startDaemonProcess(config);
  // Devices come from leases; written as the DHCP service would, beside the daemon.
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  state.devices.upsertSeen(IPAD, 'pupil', new Date(Date.now() - 3_600_000));
  state.devices.upsertSeen(PHONE_MAC, 'pupil', new Date(Date.now() - 7_200_000));
  state.leases.bind({
    networkId: 'pupil', address: '10.20.0.77', clientKey: `mac:${IPAD}`, mac: IPAD, clientId: null, hostname: 'ipad-12',
    vendorClass: '', parameters: [1, 3, 6], relayAgent: null, relayInfo: null, state: 'bound',
    expires: new Date(Date.now() + 3_600_000).toISOString(), updated: new Date().toISOString(),
  });
  // Accepted on the splash last September, as the surface would record it.
  state.aupAcceptances.accept({ mac: IPAD, networkId: 'pupil', version: '2026-27', at: '2026-09-03T08:50:00.000Z', address: '10.20.0.77' });
  state.close();
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  const { address, port } = daemon.config.web.admin;
  base = `http://${address}:${port}`;

  const setup = await request('POST', '/api/setup', { code: await setupCode(), site: { name: 'St Mary Primary', timezone: 'Europe/London' }, accounts: ACCOUNTS });
  expect(setup.status, JSON.stringify(setup.json)).toBe(200);
  for (const a of ACCOUNTS) cookies.set(a.username, await readySession(a.username, a.password));
  // A technician made by the headteacher, as the accounts page would, then made ready.
  const made = await api('POST', '/api/accounts', { username: 'lee.tech', displayName: 'Lee Tech', roles: ['technician'] }, cookies.get('jo.head'));
  expect(made.status, JSON.stringify(made.json)).toBe(200);
  cookies.set('lee.tech', await readySession('lee.tech', made.json.temporaryPassword, 'Copper-Kettle-Fjord'));
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

interface Answer { status: number; json: any; cookie: string | undefined }

/** A request as the UI makes it: same origin, the session cookie, its CSRF token on changes. */
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

/** Signs in, changes a temporary password when given a new one, enrols TOTP: a session that may use every page its roles allow. */
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
  const confirm = await request('POST', '/api/account/totp/confirm', { code: totp(start.json.secret) }, cookie, csrf);
  expect(confirm.status, JSON.stringify(confirm.json)).toBe(200);
  return { cookie, csrf };
}

interface Opened { page: Page; context: BrowserContext; cspViolations: string[] }

async function open(path: string, as: string, viewport: { width: number; height: number }): Promise<Opened> {
  const context = await browser.newContext({ viewport });
  const [name, value] = cookies.get(as)!.cookie.split('=') as [string, string];
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

async function axeSerious(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  for (const v of violations) console.log(`axe ${v.impact}: ${v.id} — ${v.help} (${v.targets.join(', ')})`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} at ${v.targets.join(', ')}`);
}

async function shot(page: Page, name: string): Promise<void> {
  const file = join(SHOTS, `webui-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
}

async function fitsWidth(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

/** Checks a page at both widths: axe, no sideways scroll, no CSP violation, a screenshot each. */
async function bothWidths(path: string, as: string, name: string, ready: (page: Page) => Promise<void>): Promise<void> {
  for (const [width, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const { page, context, cspViolations } = await open(path, as, viewport);
    try {
      await ready(page);
      expect(await axeSerious(page)).toEqual([]);
      await fitsWidth(page, viewport.width);
      await shot(page, `${name}-${width}`);
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  }
}

describe('devices', () => {
  it('lists the devices with the randomised MAC marked, and the DSL suspends one with a reason and an expiry', async () => {
    await bothWidths('/devices', 'sam.dsl', 'devices-table', async (page) => {
      await page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor();
      await page.locator('#devices').getByText('10.20.0.77').waitFor();
      // The AUP acceptances under the table: who accepted which version, when, from where.
      await page.locator('#aup-acceptances').getByText(IPAD).waitFor();
      expect(await page.locator('#aup-acceptances tbody tr').first().innerText()).toMatch(/3 Sept 2026[\s\S]*Pupils?[\s\S]*2026-27[\s\S]*10\.20\.0\.77/);
    });
    const { page, context, cspViolations } = await open('/devices', 'sam.dsl', DESKTOP);
    try {
      const table = page.locator('#devices');
      await table.getByText('10.20.0.77').waitFor();
      expect(await table.locator('tr', { hasText: PHONE_MAC }).getByText('randomised').count()).toBe(1);
      // The search narrows the table to the iPad by its hostname.
      await page.getByLabel('Search').fill('ipad-12');
      expect(await table.locator('tbody tr').count()).toBe(1);

      await table.getByRole('button', { name: 'ipad-12' }).click();
      const panel = page.locator('.device-panel');
      await panel.getByRole('heading', { level: 2 }).waitFor();
      // Who it belongs to, as free text beside school-owned: shown in the table and found by the search.
      const owner = panel.getByRole('textbox', { name: /^Owner/ });
      await owner.fill('Mrs Patel (Year 4)');
      await panel.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText(`Saved ${IPAD}.`).waitFor();
      expect(await table.locator('tr', { hasText: IPAD }).innerText()).toContain('Mrs Patel (Year 4) · personal');
      await page.getByLabel('Search').fill('patel');
      expect(await table.locator('tbody tr').count()).toBe(1);
      await page.getByLabel('Search').fill('ipad-12');
      // No reason: refused beside the field, focus on it, the duration typed kept.
      await panel.getByLabel('For how long').fill('2');
      await panel.getByRole('button', { name: 'Suspend' }).click();
      const reason = panel.getByLabel('Reason');
      expect(await reason.getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('#f-reason-error').innerText()).toContain('Say why');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-reason');
      expect(await panel.getByLabel('For how long').inputValue()).toBe('2');
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, 'devices-suspend-error-desktop');

      await reason.fill('Repeated attempts to reach proxy sites');
      await panel.getByRole('button', { name: 'Suspend' }).click();
      await page.getByText('ipad-12 is suspended.').waitFor();
      const row = table.locator('tr', { hasText: IPAD });
      expect(await row.innerText()).toContain('Repeated attempts to reach proxy sites');
      expect(await row.innerText()).toMatch(/until /);
      await panel.getByRole('button', { name: 'Resume access now' }).waitFor();
      await shot(page, 'devices-suspended-desktop');
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
    // Stored, two days long, and audited under the DSL's account: what `schoolgate devices` reads.
    const listed = await daemon.cli(['devices', '--json']);
    const device = (JSON.parse(listed.stdout) as { devices: { mac: string; suspendedUntil: string | null; suspendReason: string | null }[] }).devices.find((d) => d.mac === IPAD)!;
    expect(device.suspendReason).toBe('Repeated attempts to reach proxy sites');
    const days = (Date.parse(device.suspendedUntil!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(1.9);
    expect(days).toBeLessThanOrEqual(2);
    const audit = await api('GET', '/api/audit?action=device.suspend', undefined, cookies.get('jo.head'));
    expect(audit.json.entries.map((e: { actor: string; subject: string }) => `${e.actor} ${e.subject}`)).toEqual([`account:sam.dsl ${IPAD}`]);
  });

  it('adds a laptop by its MAC before it joins, with its name and group; a bad MAC is refused beside the field, nothing typed lost', async () => {
    const LAPTOP = '00:1b:63:aa:bb:05';
    const { page, context, cspViolations } = await open('/devices', 'lee.tech', PHONE);
    try {
      await page.locator('#devices').getByText('10.20.0.77').waitFor();
      await page.getByText('Add a device before it joins').click();
      await page.getByLabel('MAC address').fill('00:1b:63:aa:bb');
      await page.locator('#f-add-name').fill('Mrs Patel\'s laptop');
      await page.locator('#f-add-group').selectOption({ label: 'Year 3' });
      await page.getByRole('button', { name: 'Add the device' }).click();
      await page.locator('#f-add-mac-error').getByText('is not a MAC address').waitFor();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-add-mac');
      expect(await page.locator('#f-add-name').inputValue()).toBe('Mrs Patel\'s laptop');
      expect(await axeSerious(page)).toEqual([]);
      await fitsWidth(page, PHONE.width);
      await shot(page, 'devices-add-error-phone');
      await page.getByLabel('MAC address').fill('00-1B-63-AA-BB-05');
      await page.getByRole('button', { name: 'Add the device' }).click();
      await page.getByText(`Added Mrs Patel's laptop (${LAPTOP})`).waitFor();
      expect(await page.locator('#devices tr', { hasText: LAPTOP }).innerText()).toMatch(/Mrs Patel's laptop[\s\S]*Year 3/);
      await shot(page, 'devices-added-phone');
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
    const listed = JSON.parse((await daemon.cli(['devices', '--json'])).stdout) as { devices: { mac: string; groupId: string | null; name: string }[] };
    expect(listed.devices.find((d) => d.mac === LAPTOP)).toMatchObject({ name: 'Mrs Patel\'s laptop', groupId: 'year3' });
  });

  it('refuses moving the iPad into a group that lets it reach more, and sends the move as a change request instead', async () => {
    const { page, context, cspViolations } = await open('/devices', 'lee.tech', DESKTOP);
    try {
      const table = page.locator('#devices');
      await table.getByRole('button', { name: 'ipad-12' }).click();
      const panel = page.locator('.device-panel');
      await panel.getByLabel('Device group').selectOption({ label: 'Staff laptops' });
      await panel.getByRole('button', { name: 'Save', exact: true }).click();
      const offer = panel.locator('form.move-request');
      await offer.getByRole('heading', { name: 'The group was not changed' }).waitFor();
      expect(await offer.innerText()).toMatch(/Moving ipad-12 from the network's default to Staff laptops lets it reach .*Social networking.*: that is a filtering change; ask for it as a change request\./);
      expect(await axeSerious(page)).toEqual([]);
      await offer.getByRole('button', { name: 'Send the move as a change request' }).click();
      expect(await offer.getByLabel('The reason').getAttribute('aria-invalid')).toBe('true');
      await offer.scrollIntoViewIfNeeded();
      await mkdir('/tmp/sg/shots', { recursive: true });
      await page.screenshot({ path: '/tmp/sg/shots/device-move-offer-desktop.png', fullPage: true });
      await page.setViewportSize(PHONE);
      await fitsWidth(page, PHONE.width);
      await offer.screenshot({ path: '/tmp/sg/shots/device-move-offer-phone.png' });
      await offer.getByLabel('The reason').fill('The iPad is now the staff room display for training');
      await offer.getByLabel('Benefit against risk').fill('It stays in the staff room; pupils never use it');
      await offer.getByRole('button', { name: 'Send the move as a change request' }).click();
      await panel.getByText(/sent for approval as change request \d+/).waitFor();
      await panel.screenshot({ path: '/tmp/sg/shots/device-move-sent-phone.png' });
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
    const device = (await api('GET', '/api/devices', undefined, cookies.get('lee.tech'))).json.devices.find((d: { mac: string }) => d.mac === IPAD);
    expect(device.groupId).toBeNull();
    const changes = (await api('GET', '/api/changes', undefined, cookies.get('jo.head'))).json.changes;
    expect(changes.find((c: { kind: string }) => c.kind === 'device-group')).toMatchObject({ needsHead: true, title: `Move ipad-12 (${IPAD}) from the network's default to Staff laptops` });
  });

  it('shows the headteacher the table without the means to change it, and refuses her a suspension', async () => {
    const { page, context } = await open('/devices', 'jo.head', DESKTOP);
    try {
      await page.locator('#devices').getByText('10.20.0.77').waitFor();
      expect(await page.locator('#devices').getByRole('button', { name: 'ipad-12' }).count()).toBe(0);
    } finally {
      await context.close();
    }
    expect((await api('POST', `/api/devices/${IPAD}/resume`, undefined, cookies.get('jo.head'))).status).toBe(403);
  });
});

describe('audit log', () => {
  it('verifies the chain, showing the newest hash to note down, and searches by actor', async () => {
    await bothWidths('/audit', 'jo.head', 'audit', async (page) => {
      await page.locator('#audit').getByText('account.login').first().waitFor();
      await page.getByRole('button', { name: 'Verify the chain' }).click();
      await page.getByText(/entries check out/).waitFor();
      expect(await page.locator('.hash').innerText()).toMatch(/^[0-9a-f]{64}$/);
    });
    const { page, context } = await open('/audit', 'jo.head', DESKTOP);
    try {
      await page.locator('#audit').getByText('account.login').first().waitFor();
      await page.getByLabel('Who').fill('account:sam.dsl');
      await page.getByLabel('Action').fill('device.*');
      await page.getByRole('button', { name: 'Search' }).click();
      // The unfiltered log holds device.suspend too: wait for the search's answer (no sign-in rows
      // left, every row a device change), then find the suspension among them.
      await page.waitForFunction(() => {
        const rows = [...document.querySelectorAll('#audit tbody tr')];
        return rows.length > 0 && rows.every((r) => r.textContent!.includes('device.') && !r.textContent!.includes('account.login'));
      });
      await page.locator('#audit').getByText('device.suspend').waitFor();
      expect(await page.locator('#audit tbody tr', { hasText: 'account.login' }).count()).toBe(0);
      // Printed, an entry's details read as key: value lines, not JSON.
      await page.emulateMedia({ media: 'print' });
      const suspended = page.locator('#audit tbody tr', { hasText: 'device.suspend' }).first();
      expect(await suspended.locator('code.details').isVisible()).toBe(false);
      const lines = await suspended.locator('.details-lines li').allInnerTexts();
      expect(lines.some((l) => /^reason: \S/.test(l)), lines.join(' | ')).toBe(true);
      expect(lines.join('\n')).not.toContain('{"');
      await shot(page, 'audit-search-print');
      await page.emulateMedia({ media: 'screen' });
      await page.getByLabel('Action').fill('not an action!');
      await page.getByRole('button', { name: 'Search' }).click();
      expect(await page.locator('#f-action-error').innerText()).toContain('device.*');
      expect(await page.getByLabel('Who').inputValue()).toBe('account:sam.dsl');
    } finally {
      await context.close();
    }
  });
});

describe('accounts', () => {
  it('creates an account and shows its temporary password once', async () => {
    await bothWidths('/accounts', 'jo.head', 'accounts', async (page) => {
      await page.locator('#accounts').getByText('lee.tech').waitFor();
    });
    const { page, context } = await open('/accounts', 'jo.head', DESKTOP);
    try {
      await page.locator('#accounts').getByText('lee.tech').waitFor();
      await page.getByLabel('Username').fill('pat.office');
      await page.getByRole('button', { name: 'Create account' }).click();
      expect(await page.locator('#f-displayName-error').innerText()).toContain('Enter the person');
      expect(await page.getByLabel('Username').inputValue()).toBe('pat.office');
      await page.getByLabel('Name', { exact: true }).fill('Pat Office');
      await page.locator('#f-roles').getByLabel('School office').check();
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Created the account pat.office.').waitFor();
      expect(await page.locator('.notice code.secret').innerText()).toMatch(/\S{12,}/);
      await page.locator('#accounts').getByText('pat.office').waitFor();
      await shot(page, 'accounts-created-desktop');
    } finally {
      await context.close();
    }
  });

  it('prints the access matrix, dated, with each account\'s roles', async () => {
    await bothWidths('/accounts/matrix', 'jo.head', 'accounts-matrix', async (page) => {
      await page.locator('#matrix').getByText('Sam Dsl').waitFor();
    });
    const { page, context } = await open('/accounts/matrix', 'jo.head', DESKTOP);
    try {
      await page.locator('#matrix').getByText('Sam Dsl').waitFor();
      const row = page.locator('#matrix tr', { hasText: 'Sam Dsl' });
      expect(await row.getByLabel('holds this role').count()).toBe(1);
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.site-nav').isVisible()).toBe(false);
      expect(await page.getByText('Reviewed by:').isVisible()).toBe(true);
      // On A4 portrait (210 mm less Chromium's default margins: 718 CSS px) every column is on the
      // paper: neither table is wider than the page's content box.
      await page.setViewportSize({ width: 718, height: 1000 });
      const widths = await page.evaluate(() => [...document.querySelectorAll('.access-review table')].map((t) => Math.ceil(t.getBoundingClientRect().right)));
      expect(widths).toHaveLength(2);
      for (const right of widths) expect(right).toBeLessThanOrEqual(718);
      await shot(page, 'accounts-matrix-print');
      const pdf = await page.pdf({ format: 'A4', path: join(SHOTS, 'webui-accounts-matrix.pdf') });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    } finally {
      await context.close();
    }
  });
});

describe('lists', () => {
  it('shows each list\'s state, and refuses a file with bad lines by number, nothing imported', async () => {
    await bothWidths('/lists', 'lee.tech', 'lists', async (page) => {
      await page.getByRole('heading', { level: 1, name: 'Lists' }).waitFor();
      await page.locator('#lists').waitFor();
    });
    const { page, context } = await open('/lists', 'lee.tech', DESKTOP);
    try {
      await page.locator('#lists').waitFor();
      const before = await page.locator('#lists tbody tr').count();
      await page.locator('#f-text').setInputFiles({ name: 'gambling.txt', mimeType: 'text/plain', buffer: Buffer.from('bet.example\nnot a name at all\ncasino.example\n') });
      await page.getByLabel('Category').fill('gambling');
      await page.getByRole('button', { name: 'Import' }).click();
      const error = page.locator('#f-text-error');
      await error.waitFor();
      expect(await error.innerText()).toMatch(/line 2/);
      expect(await page.getByLabel('Category').inputValue()).toBe('gambling');
      await shot(page, 'lists-import-refused-desktop');
      expect(await page.locator('#lists tbody tr').count()).toBe(before);
    } finally {
      await context.close();
    }
  });
});

/** The one-time setup code the daemon reports (`schoolgate status --json`) or printed. */
async function setupCode(): Promise<string> {
  const status = await daemon.cli(['status', '--json']);
  const fromStatus = /"setupCode"\s*:\s*"([^"]+)"/.exec(status.stdout)?.[1];
  const fromLog = /setup code[^A-Za-z0-9]*([A-Za-z0-9-]{4,})/i.exec(daemon.output())?.[1];
  const code = fromStatus ?? fromLog;
  if (code === undefined) throw new Error(`no setup code in schoolgate status --json or the daemon's log:\n${status.stdout}\n${daemon.output()}`);
  return code;
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits), as an authenticator app computes it. */
function totp(base32: string, now = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
