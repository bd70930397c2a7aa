// The dashboard, alerts and health pages in Chromium, served by a real daemon from a fresh build
// of webui/: the daemon is set up through its API, asked real DNS questions from a pupil's and a
// staff member's loopback address (a gambling site and a VPN among them), and the pages must show
// what those questions left in the rollups and the alert store. Each page at a desktop and a phone
// width: axe-core finds no serious or critical violation, nothing scrolls sideways, no CSP
// violation; screenshots go to tmp/screenshots/webui-<page>-*.png for a person to look at.
import { createSocket } from 'node:dgram';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertListView } from '../../firmware/admin/api/alerts-schema.ts';
import type { DashboardView } from '../../firmware/admin/api/dashboard-schema.ts';
import { totpCode } from '../../firmware/admin/auth/totp.ts';
import { APP_ROOT } from '../../firmware/paths.ts';
import { FIRST_LOAD_BUDGET_KB, readWebuiBuild } from '../../scripts/build-webui.ts';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts';

const SHOTS = join(APP_ROOT, 'tmp', 'screenshots');
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;
const HEAD = { username: 'jo.head', password: 'Heron-Lantern-42' };

let upstream: TestUpstream;
let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
let cookie: { name: string; value: string };

/** One DNS question over UDP from `from` (a loopback address of a demo network); resolves to the rcode. */
async function ask(name: string, from: string): Promise<string> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((r) => socket.bind(0, from, r));
    const answered = new Promise<Buffer>((r) => socket.once('message', r));
    const { address, port } = daemon.config.dns.listen[0]!;
    socket.send(dnsPacket.encode({ type: 'query', id: 1 + Math.floor(Math.random() * 65000), flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, address);
    return String((dnsPacket.decode(await answered) as { rcode?: string }).rcode);
  } finally {
    socket.close();
  }
}

async function api<T>(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; json: T; headers: Headers }> {
  const r = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { origin: base, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: r.status, json: await r.json() as T, headers: r.headers };
}

beforeAll(async () => {
  const built = readWebuiBuild();
  expect(built.firstLoadJsGzipBytes / 1024).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_KB);
  upstream = await startTestUpstream('192.0.2.77');
  daemon = await startDaemonProcess(await testConfig(upstream));
  const { address, port } = daemon.config.web.admin;
  base = `http://${address}:${port}`;

  // First-run setup and the headteacher's two-factor, through the API the setup page uses.
  const status = JSON.parse((await daemon.cli(['status', '--json'])).stdout) as { admin: { setupCode: string } };
  const setup = await api('/api/setup', { method: 'POST', body: { code: status.admin.setupCode, site: { name: 'St Mary Primary', timezone: 'Europe/London' }, accounts: [
    { username: HEAD.username, displayName: 'Jo Head', roles: ['headteacher'], password: HEAD.password },
    { username: 'sam.dsl', displayName: 'Sam Dsl', roles: ['dsl'], password: 'Quiet-Meadow-Owl-7' },
  ] } });
  expect(setup.status, JSON.stringify(setup.json)).toBe(200);
  const first = await fetch(`${base}/api/session`, { method: 'POST', headers: { origin: base, 'content-type': 'application/json' }, body: JSON.stringify(HEAD) });
  const firstCookie = /schoolgate_session=([^;]+)/.exec(first.headers.get('set-cookie') ?? '')![1]!;
  const { csrfToken } = await first.json() as { csrfToken: string };
  const signed = { cookie: `schoolgate_session=${firstCookie}`, 'x-csrf-token': csrfToken };
  const enrol = await api<{ secret: string }>('/api/account/totp', { method: 'POST', headers: signed });
  const confirmed = await api('/api/account/totp/confirm', { method: 'POST', headers: signed, body: { code: totpCode(enrol.json.secret, Date.now()) } });
  expect(confirmed.status, JSON.stringify(confirmed.json)).toBe(200);
  // The next step's code: the current one was spent confirming, and the window allows one ahead.
  const session = await fetch(`${base}/api/session`, { method: 'POST', headers: { origin: base, 'content-type': 'application/json' }, body: JSON.stringify({ ...HEAD, totp: totpCode(enrol.json.secret, Date.now() + 30_000) }) });
  expect(session.status, await session.clone().text()).toBe(200);
  cookie = { name: 'schoolgate_session', value: /schoolgate_session=([^;]+)/.exec(session.headers.get('set-cookie') ?? '')![1]! };

  // What a school morning leaves: ordinary questions, a gambling site, a VPN, from a pupil device
  // and a staff device.
  for (let i = 0; i < 12; i++) expect(await ask(`site${i}.example.com`, '127.20.0.5')).toBe('NOERROR');
  for (let i = 0; i < 3; i++) expect(await ask('www.bet365.com', '127.20.0.5')).toBe('NOERROR');
  await ask('nordvpn.com', '127.20.0.5');
  await ask('www.facebook.com', '127.20.0.6');
  for (let i = 0; i < 5; i++) await ask(`staff${i}.example.org`, '127.10.0.9');
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
  await upstream?.close();
});

/** The dashboard's answer once the questions asked above are in the rollups (the writer hands them over within seconds). */
async function dashboardWithData(): Promise<DashboardView> {
  const headers = { cookie: `${cookie.name}=${cookie.value}` };
  let view: DashboardView | undefined;
  await expect.poll(async () => {
    const r = await api<DashboardView>('/api/dashboard', { headers });
    if (r.status !== 200) throw new Error(`${JSON.stringify(r.json)}\n${daemon.output().split('\n').filter((l) => /admin API error/.test(l)).slice(-1).join('')}`);
    view = r.json;
    return view.totals.questions;
  }, { timeout: 20_000, interval: 250 }).toBeGreaterThanOrEqual(22);
  await expect.poll(async () => (await api<AlertListView>('/api/alerts', { headers })).json.alerts.length, { timeout: 20_000, interval: 250 }).toBeGreaterThan(0);
  return view!;
}

interface Opened { page: Page; context: BrowserContext; cspViolations: string[] }

async function open(path: string, viewport: { width: number; height: number }): Promise<Opened> {
  const context = await browser.newContext({ viewport });
  await context.addCookies([{ ...cookie, url: base }]);
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

describe.each(WIDTHS)('at $name width', ({ name, viewport }) => {
  it("the dashboard shows the morning's questions, blocks, top category and device, open alerts and lists", async () => {
    const expected = await dashboardWithData();
    expect(expected.topCategories.map((c) => c.category)).toContain('gambling');
    const { page, context, cspViolations } = await open('/dashboard', viewport);
    try {
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await page.getByRole('heading', { name: 'Needing attention' }).waitFor();
      const facts = page.locator('section[aria-labelledby="over-time"] dl');
      expect(await facts.innerText()).toMatch(/DNS questions\s+\d+/);
      expect(Number((await facts.locator('dd').first().innerText()).replace(/,/g, ''))).toBeGreaterThanOrEqual(22);
      expect(await page.locator('#top-categories').innerText()).toContain('gambling');
      expect(await page.locator('#top-devices-table').innerText()).toContain('pupil');
      expect(await page.locator('.severity-counts').innerText()).toMatch(/\d+\s+critical/i);
      await page.getByRole('link', { name: 'Go to the alerts' }).waitFor();
      expect(await page.locator('#list-freshness tbody tr').count()).toBeGreaterThan(0);
      // The chart is drawn (uPlot, loaded with this page), and its numbers are a table too.
      await page.locator('.hour-chart canvas').waitFor();
      const summary = page.getByText('Show these numbers as a table');
      await summary.focus();
      await page.keyboard.press('Enter');
      await page.locator('#hours').waitFor();
      expect(await page.locator('#hours tbody tr').count()).toBeGreaterThan(0);
      expect(await axeSerious(page)).toEqual([]);
      await fitsWidth(page, viewport.width);
      await shot(page, `dashboard-${name}`);

      // The week: 168 hours in the table.
      await page.getByRole('button', { name: 'Last 7 days' }).click();
      await page.getByRole('heading', { name: /the last 7 days/ }).waitFor();
      expect(await page.getByRole('button', { name: 'Last 7 days' }).getAttribute('aria-pressed')).toBe('true');
      if (name === 'desktop') {
        await page.emulateMedia({ media: 'print' });
        // The paper says whose gateway, which period (with its year) and when it was printed.
        // (once the week's answer is in: the heading follows the button at once, the numbers a moment later)
        const caption = page.locator('.print-caption', { hasText: 'the last 7 days' });
        await caption.waitFor();
        expect(await caption.innerText()).toMatch(/: the gateway's dashboard for the last 7 days, \d{1,2} \w{3} \d{4} to \d{1,2} \w{3} \d{4}; printed \d{1,2} \w{3} \d{4}, \d{2}:\d{2} by \S/);
        await shot(page, 'dashboard-print');
        await page.emulateMedia({ media: 'screen' });
      }
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the health page shows the box, its interfaces, the upstream and the lists', async () => {
    const { page, context, cspViolations } = await open('/health', viewport);
    try {
      await page.getByRole('heading', { level: 1, name: 'Health' }).waitFor();
      await page.locator('#interfaces').waitFor();
      expect(await page.locator('#interfaces').innerText()).toMatch(/lo\s+up/);
      expect(await page.locator('#upstreams-table').innerText()).toContain('test-upstream');
      expect(await page.locator('section[aria-labelledby="host"]').innerText()).toMatch(/Memory\s+[\d.]+ [KMGT]?B of/);
      // No backup passphrase here: first on the page, with what to do; the head may not open the
      // Backups page, so it is named as a technician's rather than linked.
      const problem = page.locator('[data-attention="backup.no-passphrase"]');
      expect(await problem.innerText()).toMatch(/No backup passphrase is stored: no nightly backup is made, and an upgrade is refused[\s\S]*On the Backups page, a technician's\.[\s\S]*schoolgate backup passphrase --passphrase-file FILE/);
      expect(await problem.getByRole('link').count()).toBe(0);
      expect(await axeSerious(page)).toEqual([]);
      await fitsWidth(page, viewport.width);
      await shot(page, `health-${name}`);
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

it('the alerts page lists the alerts with their subject as text, filters them, and acknowledges one with a note beside which an error shows', async () => {
  await dashboardWithData();
  for (const { name, viewport } of WIDTHS) {
    const { page, context, cspViolations } = await open('/alerts', viewport);
    try {
      await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
      await page.locator('.alert-card').first().waitFor();
      // What was looked up is text, never a link a click away.
      expect(await page.locator('.alert-card .subject').count()).toBeGreaterThan(0);
      expect(await page.locator('.alert-card .subject a').count()).toBe(0);
      expect(await axeSerious(page)).toEqual([]);
      await fitsWidth(page, viewport.width);
      await shot(page, `alerts-${name}`);
      if (name === 'desktop') {
        await page.emulateMedia({ media: 'print' });
        await shot(page, 'alerts-print');
        await page.emulateMedia({ media: 'screen' });
      }
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  }

  const { page, context } = await open('/alerts', WIDTHS[0].viewport);
  try {
    const card = page.locator('.alert-card').first();
    await card.waitFor();
    const before = await page.locator('.alert-card').count();
    const id = /#(\d+)/.exec(await card.locator('.alert-title').innerText())![1]!;
    // An empty note: the error beside the field, focus on it, nothing lost when a note is typed after.
    await card.getByLabel('What was done about it').fill('   ');
    await card.getByRole('button', { name: `Acknowledge #${id}` }).click();
    await page.locator(`#f-note-${id}-error`).waitFor();
    expect(await page.locator(`#f-note-${id}-error`).innerText()).toMatch(/what was done/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`f-note-${id}`);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'alerts-ack-error-desktop');
    await page.locator(`#f-note-${id}`).fill('Spoke to the class teacher; the pupil was shown the AUP again.');
    await page.getByRole('button', { name: `Acknowledge #${id}` }).click();
    await page.getByText(`Alert ${id} acknowledged.`).waitFor();
    await expect.poll(() => page.locator('.alert-card').count()).toBe(before - 1);

    // "all" brings it back, acknowledged, with the note and who.
    await page.locator('#f-status').selectOption('all');
    const acknowledged = page.locator('.alert-card', { hasText: `#${id}` });
    await acknowledged.getByText('Spoke to the class teacher').waitFor();
    expect(await acknowledged.innerText()).toContain(HEAD.username);
    const audit = await daemon.cli(['audit', '--action', 'alert.acknowledge', '--json']);
    expect(audit.stdout).toContain(`account:${HEAD.username}`);
    expect(audit.stdout).toContain(`alert ${id}`);

    // A filter by severity shows only that severity.
    const severity = (await acknowledged.locator('.sev').first().innerText()).trim().toLowerCase();
    await page.locator('#f-severity').selectOption(severity);
    await expect.poll(async () => (await page.locator('.alert-card .alert-title .sev').allInnerTexts()).every((s) => s.trim().toLowerCase() === severity)).toBe(true);
  } finally {
    await context.close();
  }
});
