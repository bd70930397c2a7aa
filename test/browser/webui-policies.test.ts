// The AUP tables in Chromium, on a real daemon: a technician changes a row of the pupil policy and
// `schoolgate check` answers differently at once; an invalid edit shows its message beside the
// row with every choice kept; a member of staff reads the same table without a way to change it,
// and the API refuses their save. Accounts are made through the API (the shell's test walks the
// setup and sign-in pages); the browser carries the session cookie. Screenshots at desktop and
// phone widths and in print go to tmp/screenshots/webui-policies-*.png.
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
  const file = join(SHOTS, `webui-policies-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
}

/** What `schoolgate check NAME --network pupil` answers, and the decision behind it. */
async function check(name: string): Promise<{ answer: string; action: string; reason: string; category?: string; watch: boolean }> {
  const r = await daemon.cli(['check', name, '--network', 'pupil', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as { answer: string; policy: { decision: { action: string; reason: string; category?: string; watch: boolean } } };
  return { answer: report.answer, ...report.policy.decision };
}

it('a technician\'s edit of the pupil AUP table changes what schoolgate check answers at once', async () => {
  expect(await check('www.tiktok.com')).toMatchObject({ answer: 'blocked', action: 'block', reason: 'category', category: 'social' });
  const { page, cspViolations } = await openAs(tech, '/policies?policy=pupil', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: /Acceptable use of the internet: Pupils/ }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts()).toContain('Acceptable use');
    expect(await page.getByLabel('Illegal content: Acceptable', { exact: true }).count()).toBe(0);
    expect(await page.getByLabel('Social networking: Unacceptable', { exact: true }).isChecked()).toBe(true);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'technician-desktop');

    await page.getByLabel('Social networking: Acceptable', { exact: true }).check();
    await page.getByLabel('Social networking: watched (every visit reviewed)').check();
    await page.getByRole('button', { name: /Save the Pupils policy \(1 changed\)/ }).click();
    await page.getByText(/Saved: one row changed/).waitFor();
    expect(await check('www.tiktok.com')).toMatchObject({ answer: 'allowed', action: 'allow', watch: true, category: 'social' });
    const audit = await daemon.cli(['audit', '--action', 'policy.edit', '--json']);
    expect(audit.stdout).toContain('account:c.tech');
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
});

it('an invalid edit shows each message beside its row, focuses it, and keeps every choice', async () => {
  const { page } = await openAs(tech, '/policies?policy=pupil', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: /Pupils/ }).waitFor();
    await page.getByLabel('Online gaming: Acceptable for nominated users', { exact: true }).check();
    await page.getByLabel('Video and music streaming: acceptable during which schedule').selectOption('');
    await page.getByLabel('Dating: Acceptable', { exact: true }).check();
    await page.getByRole('button', { name: /Save the Pupils policy/ }).click();
    const scheduleError = page.locator('#f-categories-streaming-schedule-error');
    await scheduleError.waitFor();
    expect(await scheduleError.innerText()).toMatch(/a schedule is required/);
    expect(await page.locator('#f-categories-gaming-groups-error').innerText()).toMatch(/at least one device group is required when the disposition is “acceptable for nominated users”/);
    expect(await page.getByRole('alert').first().innerText()).toMatch(/Nothing was saved: 2 problems/);
    expect(await page.getByLabel('Video and music streaming: acceptable during which schedule').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Dating: Acceptable', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Online gaming: Acceptable for nominated users', { exact: true }).isChecked()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
    // Nothing of the refused save was stored, the valid row included.
    const stored = (await api('GET', '/api/policies', undefined, tech)).json.policies.find((p: { id: string }) => p.id === 'pupil').rows;
    expect(['gaming', 'dating'].map((c) => stored.find((r: { category: string }) => r.category === c).rule.disposition)).toEqual(['unacceptable', 'unacceptable']);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'invalid-desktop');
  } finally {
    await page.context().close();
  }
});

it('a member of staff reads the table, cannot change it, and the API refuses their save', async () => {
  const { page } = await openAs(staff, '/policies?policy=pupil', PHONE);
  try {
    await page.getByRole('heading', { level: 2, name: /Pupils/ }).waitFor();
    expect(await page.locator('input[type=radio]').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Save/ }).count()).toBe(0);
    expect(await page.getByText(/You can read this table/).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'staff-phone');
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    expect(await page.locator('.aup-school').innerText()).toBe('St Mary\'s C of E Primary');
    expect(await page.locator('.aup-school').isVisible()).toBe(true);
    await page.setViewportSize({ width: 1000, height: 1400 });
    await shot(page, 'print');
  } finally {
    await page.context().close();
  }
  const refused = await api('PUT', '/api/policies/pupil', { categories: { social: { disposition: 'acceptable' } } }, staff);
  expect(refused.status).toBe(403);
});

it('networks, term dates and upstreams: a technician changes each, errors beside their fields', async () => {
  const { page, cspViolations } = await openAs(tech, '/networks', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: 'Networks' }).waitFor();
    expect(await page.locator('#networks-h ~ .table-wrap tbody tr').count()).toBe(daemon.config.networks.length);
    const pupil = daemon.config.networks.find((n) => n.kind === 'pupil')!;
    await page.getByRole('button', { name: `Change ${pupil.name}` }).click();
    await page.getByLabel(/Wi-Fi name \(SSID\)/).fill('StMarys-Pupils');
    await page.getByRole('button', { name: `Save ${pupil.name}` }).click();
    await page.getByText('Saved: the gateway uses it from now on.').waitFor();

    // A term ending before it starts: the message beside the last day, the name kept.
    await page.getByRole('button', { name: 'Add a term' }).click();
    await page.locator('#f-terms-0-name').fill('Spring 1');
    await page.locator('#f-terms-0-start').fill('2027-02-12');
    await page.locator('#f-terms-0-end').fill('2027-01-05');
    await page.getByLabel('Lunchtime: term time only').check();
    await page.getByRole('button', { name: 'Save schedules and terms' }).click();
    await page.locator('#f-terms-0-end-error').waitFor();
    expect(await page.locator('#f-terms-0-end-error').innerText()).toMatch(/on or after the start/);
    expect(await page.locator('#f-terms-0-name').inputValue()).toBe('Spring 1');
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'networks-errors-desktop');
    await page.locator('#f-terms-0-start').fill('2027-01-05');
    await page.locator('#f-terms-0-end').fill('2027-02-12');
    await page.getByRole('button', { name: 'Save schedules and terms' }).click();
    await page.getByText('Saved: the schedules follow the term dates from now on.').waitFor();

    // A provider fills the rows; the test keeps its loopback resolver (it sends nothing elsewhere).
    await page.getByRole('button', { name: "Use DNSFilter's addresses" }).click();
    expect(await page.locator('#f-upstreams-0-address').inputValue()).toBe('103.247.36.36');
    await page.getByRole('button', { name: 'Remove resolver 2' }).click();
    const upstream = daemon.config.dns.upstreams[0]!;
    await page.locator('#f-upstreams-0-name').fill('Test resolver');
    await page.locator('#f-upstreams-0-address').fill(upstream.address);
    await page.locator('#f-upstreams-0-port').fill('0');
    await page.getByRole('button', { name: 'Save the resolvers' }).click();
    await page.locator('#f-upstreams-0-port-error').waitFor();
    await page.locator('#f-upstreams-0-port').fill(String(upstream.port));
    await page.getByRole('button', { name: 'Save the resolvers' }).click();
    await page.getByText('Saved: questions go to these resolvers from now on.').waitFor();

    const view = (await api('GET', '/api/networks', undefined, tech)).json;
    expect(view.networks.find((n: { id: string }) => n.id === pupil.id).ssid).toBe('StMarys-Pupils');
    expect(view.terms).toEqual([{ name: 'Spring 1', start: '2027-01-05', end: '2027-02-12' }]);
    expect(view.schedules[0].termTimeOnly).toBe(true);
    expect(view.upstreams).toEqual([{ name: 'Test resolver', address: upstream.address, port: upstream.port }]);
    await shot(page, 'networks-desktop');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'networks-phone');
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
});

it('first-run setup goes on after the accounts: networks, upstreams, policies, each skippable', async () => {
  const { page } = await openAs(staff, '/account', DESKTOP);
  try {
    // What the setup page leaves behind when the accounts are made (the shell's test walks that page).
    await page.evaluate(() => window.sessionStorage.setItem('schoolgate.setup-continues', '1'));
    await page.goto(`${base}/status`);
    await page.waitForURL(/\/setup\/continue$/);
    await page.getByText('step 1 of 3, the networks').waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'setup-networks-desktop');
    await page.getByRole('button', { name: 'Next: the upstream resolvers' }).click();
    await page.getByText('step 2 of 3, the upstream resolvers').waitFor();
    expect(await page.getByText("Changing the resolvers is for the school's technician.").isVisible()).toBe(true);
    expect(await page.locator('main input').count()).toBe(0);
    await shot(page, 'setup-upstreams-desktop');
    await page.getByRole('button', { name: 'Skip: keep the current resolvers' }).click();
    await page.getByText('step 3 of 3, the policies').waitFor();
    await page.getByRole('heading', { level: 2, name: /Acceptable use of the internet/ }).waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await page.getByRole('button', { name: 'Finish setup' }).click();
    await page.waitForURL((u) => u.pathname !== '/setup/continue');
    expect(await page.evaluate(() => window.sessionStorage.getItem('schoolgate.setup-continues'))).toBeNull();
  } finally {
    await page.context().close();
  }
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
