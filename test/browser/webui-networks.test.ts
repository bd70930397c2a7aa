// The networks page in Chromium on a real daemon: a technician adds a network (an error beside the
// gateway's field first, everything typed kept), changes its addressing after the warning that
// every device on it moves, and removes it; adds a schedule with its windows and is told which
// policy keeps Lunchtime; makes a device group with its policy and puts a device in it; after
// each save `schoolgate config validate` passes on the saved file. A member of staff reads the
// same page with nothing to type into. Screenshots at desktop and phone widths go to
// tmp/screenshots/webui-networks-*.png.
import { createHmac } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { APP_ROOT } from '../../firmware/paths.ts';
import { buildWebui } from '../../scripts/build-webui.ts';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { StateDatabase } from '../../firmware/state/database.ts';

const SHOTS = join(APP_ROOT, 'tmp', 'screenshots');
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
let tech: ApiSession;
let staff: ApiSession;

interface ApiSession { cookie: string; csrf: string }
const IPAD = '02:00:00:00:00:2a';
const LAPTOP = '02:00:00:00:00:2b';

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
  // Two devices the gateway has seen, one with a lease, written beside the daemon as DHCP would.
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  try {
    state.devices.upsertSeen(IPAD, 'pupil', new Date(Date.now() - 3_600_000));
    state.devices.upsertSeen(LAPTOP, 'pupil', new Date(Date.now() - 7_200_000));
    state.leases.bind({
      networkId: 'pupil', address: '10.20.0.77', clientKey: `mac:${IPAD}`, mac: IPAD, clientId: null, hostname: 'ipad-12',
      vendorClass: '', parameters: [1, 3, 6], relayAgent: null, relayInfo: null, state: 'bound',
      expires: new Date(Date.now() + 3_600_000).toISOString(), updated: new Date().toISOString(),
    });
  } finally {
    state.close();
  }
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
  const file = join(SHOTS, `webui-networks-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
}

/** The configuration file as the daemon saved it passes the same checks `schoolgate config validate` runs. */
async function validates(): Promise<void> {
  const r = await daemon.cli(['config', 'validate', daemon.configFile]);
  expect(r.code, r.stderr).toBe(0);
}

it('a technician adds a network, changes its addressing after a warning, and removes it', async () => {
  const { page, cspViolations } = await openAs(tech, '/networks', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: 'Networks' }).waitFor();
    await page.getByRole('button', { name: 'Add a network' }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Add a network' }) });
    await form.getByLabel(/Short name/).fill('library');
    await form.getByLabel('Name', { exact: true }).fill('Library');
    await form.getByLabel('Kind').selectOption('pupil');
    await form.getByLabel(/Wi-Fi name/).fill('StMarys-Library');
    await form.getByLabel(/Interface/).fill('lo');
    await form.getByLabel(/VLAN id/).fill('40');
    await form.getByLabel(/Subnets/).fill('127.40.0.0/16');
    await form.getByLabel(/Gateway's IPv4/).fill('127.41.0.1');
    await form.getByLabel('First address').fill('127.40.1.0');
    await form.getByLabel('Last address').fill('127.40.1.255');
    await form.getByRole('button', { name: 'Add the network' }).click();
    await page.locator('#f-gateway-ipv4-error').waitFor();
    expect(await page.locator('#f-gateway-ipv4-error').innerText()).toMatch(/127\.41\.0\.1/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-gateway-ipv4');
    expect(await form.getByLabel(/Wi-Fi name/).inputValue()).toBe('StMarys-Library');
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'add-error-desktop');
    await form.getByLabel(/Gateway's IPv4/).fill('127.40.0.1');
    await form.getByRole('button', { name: 'Add the network' }).click();
    await page.getByText('Added Library: the gateway serves it from now on.').waitFor();
    let view = (await api('GET', '/api/networks', undefined, tech)).json;
    expect(view.networks.find((n: { id: string }) => n.id === 'library')).toMatchObject({ interface: 'lo', vlan: 40, subnets: ['127.40.0.0/16'], gateway: { ipv4: '127.40.0.1' } });
    await validates();

    // New addressing: the warning first; cancelling it saves nothing, confirming saves.
    await page.getByRole('button', { name: 'Change Library' }).click();
    const edit = page.locator('form', { has: page.getByRole('heading', { name: 'Change Library' }) });
    await edit.getByLabel(/Subnets/).fill('127.42.0.0/16');
    await edit.getByLabel(/Gateway's IPv4/).fill('127.42.0.1');
    await edit.getByLabel('First address').fill('127.42.1.0');
    await edit.getByLabel('Last address').fill('127.42.1.99');
    await edit.getByRole('button', { name: 'Save Library' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change the addressing of Library?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/Every device on this network moves/);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'addressing-warning-desktop');
    await dialog.getByRole('button', { name: 'Change the addressing' }).click();
    await edit.getByText('Saved: the gateway uses it from now on.').waitFor();
    view = (await api('GET', '/api/networks', undefined, tech)).json;
    expect(view.networks.find((n: { id: string }) => n.id === 'library')).toMatchObject({ subnets: ['127.42.0.0/16'], gateway: { ipv4: '127.42.0.1' }, dhcp: { pools: [{ first: '127.42.1.0', last: '127.42.1.99' }] } });
    await validates();
    await shot(page, 'networks-desktop');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'networks-phone');
    await page.locator('form.network-form').screenshot({ path: join(SHOTS, 'webui-networks-form-phone.png') });
    await page.setViewportSize(DESKTOP);

    await page.getByRole('button', { name: 'Remove Library' }).click();
    await page.getByRole('dialog', { name: 'Remove Library?' }).getByRole('button', { name: 'Remove Library' }).click();
    await page.getByText('Removed Library.').waitFor();
    view = (await api('GET', '/api/networks', undefined, tech)).json;
    expect(view.networks.map((n: { id: string }) => n.id)).not.toContain('library');
    await validates();
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
});

it('a technician adds a schedule with its windows, and cannot remove one a policy uses', async () => {
  const { page } = await openAs(tech, '/networks', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: 'Schedules and term dates' }).waitFor();
    const n = daemon.config.schedules.length;
    await page.getByRole('button', { name: 'Add a schedule' }).click();
    await page.locator(`#f-schedules-${n}-name`).fill('After-school clubs');
    const days = page.locator(`#f-schedules-${n}-windows-0-days`);
    for (const d of ['Tue', 'Thu', 'Fri']) await days.getByLabel(d).uncheck();
    await page.locator(`#f-schedules-${n}-windows-0-from`).fill('17:00');
    await page.locator(`#f-schedules-${n}-windows-0-to`).fill('15:30');
    await page.getByRole('button', { name: 'Save schedules and terms' }).click();
    await page.locator(`#f-schedules-${n}-windows-0-to-error`).waitFor();
    expect(await page.locator(`#f-schedules-${n}-windows-0-to-error`).innerText()).toMatch(/later than "from"/);
    expect(await page.locator(`#f-schedules-${n}-name`).inputValue()).toBe('After-school clubs');
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'schedule-error-desktop');
    await page.locator(`#f-schedules-${n}-windows-0-from`).fill('15:30');
    await page.locator(`#f-schedules-${n}-windows-0-to`).fill('17:00');
    await page.getByRole('button', { name: 'Save schedules and terms' }).click();
    await page.getByText('Saved: the schedules follow the term dates from now on.').waitFor();
    const view = (await api('GET', '/api/networks', undefined, tech)).json;
    expect(view.schedules.at(-1)).toEqual({ id: 'after-school-clubs', name: 'After-school clubs', windows: [{ days: ['mon', 'wed'], from: '15:30', to: '17:00' }] });
    await validates();

    await page.getByRole('button', { name: 'Remove Lunchtime' }).click();
    await page.getByRole('button', { name: 'Save schedules and terms' }).click();
    await page.locator('#schedules-error').waitFor();
    expect(await page.locator('#schedules-error').innerText()).toMatch(/"Lunchtime" is used by policy "[^"]+" \(\w+\)/);
    expect((await api('GET', '/api/networks', undefined, tech)).json.schedules.map((s: { id: string }) => s.id)).toContain('lunchtime');
  } finally {
    await page.context().close();
  }
});

it('a technician makes a device group with its policy and puts a device in it; staff only read', async () => {
  const { page, cspViolations } = await openAs(tech, '/networks', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: 'Device groups' }).waitFor();
    await page.getByRole('button', { name: 'Add a group' }).click();
    await page.locator('#f-groups-0-name').fill('IT club');
    await page.locator('#f-groups-0-policy').selectOption({ label: daemon.config.policies.find((p) => p.id === 'staff')?.name ?? daemon.config.policies[0]!.name });
    await page.getByRole('button', { name: 'Save the device groups' }).click();
    await page.getByText('Saved: the groups apply from now on.').waitFor();
    expect((await api('GET', '/api/networks', undefined, tech)).json.deviceGroups).toEqual([{ id: 'it-club', name: 'IT club', policy: expect.any(String) }]);
    await validates();

    // The members' list follows the saved groups once the page has them again.
    await page.reload();
    await page.getByRole('heading', { level: 3, name: 'Members' }).waitFor();
    // A MAC the gateway has never seen: the reason beside the field, what was typed kept.
    await page.locator('#f-members-mac').fill('02:00:00:00:00:99');
    await page.getByRole('button', { name: 'Add to IT club' }).click();
    await page.locator('#f-members-mac-error').waitFor();
    expect(await page.locator('#f-members-mac-error').innerText()).toMatch(/02:00:00:00:00:99/);
    expect(await page.locator('#f-members-mac').inputValue()).toBe('02:00:00:00:00:99');
    await page.locator('#f-members-mac').fill(LAPTOP);
    await page.getByRole('button', { name: 'Add to IT club' }).click();
    await page.getByText(`Added ${LAPTOP} to IT club.`).waitFor();
    await page.locator('#f-members-pick').selectOption({ label: `ipad-12 (${IPAD}, 10.20.0.77)` });
    await page.getByRole('button', { name: 'Add to IT club' }).click();
    await page.getByText(`Added ${IPAD} to IT club.`).waitFor();
    await page.getByRole('button', { name: `Take ${LAPTOP} out of IT club` }).waitFor();
    const devices = (await api('GET', '/api/devices', undefined, tech)).json;
    expect(devices.devices.filter((d: { groupId: string | null }) => d.groupId === 'it-club').map((d: { mac: string }) => d.mac).sort()).toEqual([IPAD, LAPTOP]);
    expect(devices.groups.map((g: { id: string }) => g.id)).toEqual(['it-club']);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'groups-desktop');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'groups-phone');
    // The whole page at a phone's width is too long to read as one picture: the groups alone too.
    await page.locator('section[aria-labelledby="groups-h"]').screenshot({ path: join(SHOTS, 'webui-networks-groups-section-phone.png') });
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  const read = await openAs(staff, '/networks', PHONE);
  try {
    await read.page.getByRole('heading', { level: 2, name: 'Device groups' }).waitFor();
    expect(await read.page.getByText(/IT club/).first().isVisible()).toBe(true);
    expect(await read.page.locator('main input').count()).toBe(0);
    expect(await read.page.getByRole('button', { name: /Add a network|Add a group|Add a schedule/ }).count()).toBe(0);
    expect(await axeSerious(read.page)).toEqual([]);
    await shot(read.page, 'staff-phone');
  } finally {
    await read.page.context().close();
  }
  expect((await api('POST', '/api/networks', { id: 'x' }, staff)).status).toBe(403);
});
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
