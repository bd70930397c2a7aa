// The Reports page in Chromium, over the real admin app (fastify, state.db in memory, the built
// webui/dist) with the daemon's own report methods called in-process over a real logs.db: the
// governor sees the assurance summary and the anonymised report, prints the summary on one A4
// page (tmp/screenshots/governor-summary.pdf) and has no export form; the DSL exports a device's
// records with a passphrase, downloads the sealed file and the test opens it with openExport; the
// online-safety lead sends the governor report now (a confirmation first), told beside the button that no e-mail
// relay is configured, and a governor is offered no such button.
// Desktop and phone screenshots (tmp/screenshots/webui-reports-*.png), axe-core on each.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../firmware/admin/auth/password.ts';
import { totpCode } from '../../firmware/admin/auth/totp.ts';
import type { Role } from '../../firmware/admin/roles.ts';
import { ControlServer } from '../../firmware/control/server.ts';
import { EventBuffer, type QueryEvent } from '../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../firmware/log.ts';
import { QueryLog } from '../../firmware/monitor/query-log/query-log.ts';
import { openExport } from '../../firmware/monitor/reports/export-seal.ts';
import { governorRecipients, sendGovernorReport } from '../../firmware/monitor/reports/governor-mail.ts';
import { governorReport } from '../../firmware/monitor/reports/governor-report.ts';
import { registerReportsMethods } from '../../firmware/monitor/reports/report-methods.ts';
import type { NetworkRun } from '../../firmware/monitor/selftest/selftest-schema.ts';
import { launchChromium } from '../support/browser.ts';
import { testAdmin, type TestAdmin } from '../unit/admin/admin-app.ts';
import { axeSerious, SHOTS } from './support/webui.ts';

const PASSWORD = 'Heron-Lantern-42-x';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const MAC = '02:5c:00:20:00:10';
const DEVICE_NAME = 'Amelia Year 4 iPad';
const PASSPHRASE = 'kettle orchard lantern ninety';
const CONFIG = {
  site: { name: 'Test Primary', timezone: 'Europe/London' },
  networks: [{ id: 'pupil', name: 'Pupil Wi-Fi' }, { id: 'staff', name: 'Staff Wi-Fi' }, { id: 'guest', name: 'Visitors' }],
  reports: { nextAnnualReview: '2027-03-15' },
};

let t: TestAdmin;
let queryLog: QueryLog;
let dir: string;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;

const run = (network: string, passed: boolean): NetworkRun => ({
  network, policy: network, source: '10.20.0.1', server: '10.20.0.1:53', error: null, passed, untested: [],
  checks: [{ kind: 'category', subject: 'social', name: 'www.facebook.com', category: 'social', critical: false, expected: 'blocked', blockAnswer: 'block-page', got: '10.20.0.1', pass: passed, failOpen: false }],
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sg-reports-browser-'));
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ control });
  const now = () => t.clock.now;
  const DAY = 86_400_000;
  const at = (daysAgo: number, hour: number) => new Date(Date.parse('2026-12-07T00:00:00Z') - daysAgo * DAY + hour * 3_600_000);
  const buffer = new EventBuffer(8192);
  queryLog = await QueryLog.open(join(dir, 'logs.db'), { events: buffer, logger: silentLogger(), flushIntervalMs: 60_000, timezone: 'Europe/London' });
  const governor = { config: () => CONFIG, queryLog, alerts: t.state.alerts, selftest: t.state.selftest, visitors: t.state.vouchers, now };
  registerReportsMethods(control, {
    governor,
    summary: { config: () => CONFIG, alerts: t.state.alerts, selftest: t.state.selftest, audit: t.state.audit, now },
    records: { config: () => CONFIG, state: t.state, queryLog, now },
    // The daemon's sending, with no e-mail relay configured: the page must say so.
    sendGovernor: async (span, actor) => sendGovernorReport({ email: () => undefined, dataDir: dir, audit: t.state.audit }, await governorReport(governor, span),
      governorRecipients(t.state.accounts.list(), { schedule: 'off', recipients: ['clerk@governors.example'] }), actor),
  });
  // A month of a school: daily self-tests (guest failed twice), alerts, questions from pupils.
  for (let d = 1; d <= 30; d++) t.state.selftest.record({ at: at(d, 7), trigger: 'scheduled', actor: 'system', networks: [run('pupil', true), run('staff', true), run('guest', d % 15 !== 0)] });
  t.state.devices.upsertSeen(MAC, 'pupil', at(5, 9));
  t.state.devices.update(MAC, { name: DEVICE_NAME, owner: 'Amelia Hartley' });
  for (const [severity, kind, daysAgo] of [['critical', 'dns.category', 2], ['high', 'dns.keyword', 3], ['medium', 'dns.bypass', 4]] as const) {
    t.state.alerts.record({ kind, severity, at: at(daysAgo, 10).toISOString(), networkId: 'pupil', mac: MAC, address: '10.20.0.57', subject: 'casino.example', reason: `${DEVICE_NAME} looked it up`, category: 'gambling' }, at(daysAgo, 10));
  }
  const events: QueryEvent[] = [];
  for (let i = 0; i < 600; i++) {
    const blocked = i % 7 === 0;
    events.push({
      at: at(1 + (i % 20), 8 + (i % 7)).getTime(), network: ['pupil', 'staff', 'guest'][i % 3]!, client: '10.20.0.57', device: i % 3 === 0 ? MAC : `02:00:00:00:00:${String(i % 50).padStart(2, '0')}`,
      transport: 'udp', name: 'x.example', qtype: 1, verdict: blocked ? 'blocked' : 'forwarded', rcode: 0, latencyMs: 1,
      ...(blocked ? { category: ['gambling', 'social', 'adult'][i % 3]! } : i % 4 === 0 ? { category: 'education' } : {}),
    });
  }
  for (const e of events) buffer.push(e);
  queryLog.flush();

  const hash = await hashPassword(PASSWORD);
  const add = (username: string, displayName: string, roles: Role[]) => t.state.accounts.insert({ username, displayName, email: null, passwordHash: hash, mustChangePassword: false, breakGlass: false, roles, createdAt: now().toISOString() });
  add('gov', 'Gill Governor', ['governor']);
  add('olu', 'Olu Lead', ['online-safety-lead']);
  t.state.accounts.update(add('sam', 'Sam Lead', ['dsl']).id, { totpSecret: TOTP_SECRET });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server!.address() as AddressInfo).port}`;
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  queryLog?.close();
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(`${base}/reports`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const asked = page.getByLabel('Code from your authenticator app');
  const outcome = await Promise.race([asked.waitFor().then(() => 'totp' as const), page.waitForURL((u) => !u.pathname.startsWith('/sign-in')).then(() => 'in' as const)]);
  if (outcome === 'totp') {
    await asked.fill(totpCode(TOTP_SECRET, t.clock.now.getTime()));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  }
  await page.waitForURL((u) => u.pathname === '/reports');
}

async function shotBoth(page: Page, name: string): Promise<void> {
  expect(await axeSerious(page)).toEqual([]);
  await page.screenshot({ path: join(SHOTS, `webui-reports-${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  expect(await axeSerious(page)).toEqual([]);
  await page.screenshot({ path: join(SHOTS, `webui-reports-${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

it('shows a governor the assurance summary and the anonymised report, prints the summary on one A4 page, and offers no export', async () => {
  const page = await browser.newPage({ viewport: DESKTOP });
  await page.clock.setFixedTime(t.clock.now);
  try {
    await signIn(page, 'gov');
    const summary = page.getByRole('region', { name: 'Governor assurance summary' });
    await expect.poll(() => summary.getByText('Last weekly review').count()).toBe(1);
    await expect.poll(async () => (await summary.textContent()) ?? '').toMatch(/Not recorded yet/);
    const text = (await summary.textContent()) ?? '';
    expect(text).toMatch(/1 critical, 1 high, 1 medium, 0 low/);
    expect(text).toMatch(/15 March 2027/);
    const rates = await page.locator('#summary-selftest tbody tr').allTextContents();
    // 29 daily runs in the last 30 days (the 30th is just outside), guest failing one of them.
    expect(rates.some((r) => r.includes('Visitors') && r.includes('96.5%'))).toBe(true);
    expect(rates.some((r) => r.includes('Pupil Wi-Fi') && r.includes('100.0%'))).toBe(true);

    await page.getByLabel('From').fill('2026-11-17');
    await page.getByLabel('To').fill('2026-12-06');
    await page.getByRole('button', { name: 'Show the report' }).click();
    await page.locator('#gov-networks').waitFor();
    const report = (await page.locator('.governor-report').textContent()) ?? '';
    expect(report).toMatch(/600 look-ups, 86 blocked/);
    // Anonymised: no device, owner or MAC anywhere on the governor's page.
    const whole = (await page.locator('main').textContent()) ?? '';
    for (const personal of [MAC, DEVICE_NAME, 'Amelia', '10.20.0.57']) expect(whole).not.toContain(personal);
    expect(await page.getByRole('region', { name: 'Export records' }).count()).toBe(0);
    // Governors receive the report; they do not send it.
    expect(await page.getByRole('button', { name: 'Send the governor report now' }).count()).toBe(0);
    await shotBoth(page, 'governor');

    // Printed: the summary alone, on one A4 page.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.governor-report').isVisible()).toBe(false);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.screenshot({ path: join(SHOTS, 'webui-reports-governor-print.png'), fullPage: true });
    // Back to no emulation: an emulated "screen" would make Chromium's PDF use the screen styles.
    await page.emulateMedia({ media: null });
    await page.setViewportSize(DESKTOP);
    const pdfPath = join(SHOTS, 'governor-summary.pdf');
    const pdf = await page.pdf({ path: pdfPath, format: 'A4', printBackground: true });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    expect(pages).toBe(1);
    console.log(`pdf: ${pdfPath}`);
  } finally {
    await page.close();
  }
});

it('lets the online-safety lead send the governor report now, after a confirmation, and shows why it went nowhere: no e-mail relay', async () => {
  const page = await browser.newPage({ viewport: DESKTOP });
  await page.clock.setFixedTime(t.clock.now);
  try {
    await signIn(page, 'olu');
    const gov = page.locator('.governor-report');
    await gov.getByLabel('From').fill('2026-11-17');
    await gov.getByLabel('To').fill('2026-12-06');
    await page.getByRole('button', { name: 'Send the governor report now' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send the governor report now?' });
    await dialog.getByText('for 2026-11-17 to 2026-12-06', { exact: false }).waitFor();
    expect(await axeSerious(page)).toEqual([]);
    // Cancelled: nothing sent, nothing recorded.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(t.state.audit.list({ action: 'report.governor.send' })).toEqual([]);
    await page.getByRole('button', { name: 'Send the governor report now' }).click();
    await dialog.getByRole('button', { name: 'Send it' }).click();
    await page.getByRole('status').filter({ hasText: 'Not sent: no e-mail relay is configured' }).waitFor();
    expect(t.state.audit.list({ action: 'report.governor.send' })).toEqual([expect.objectContaining({
      actor: 'account:olu', details: expect.objectContaining({ from: '2026-11-17', to: '2026-12-06', sent: [], recipients: 1 }),
    })]);
    await shotBoth(page, 'send-no-relay');
  } finally {
    await page.close();
  }
});

it('lets the DSL export a device\'s records with a passphrase: the download is sealed and opens with openExport', async () => {
  const page = await browser.newPage({ viewport: DESKTOP, acceptDownloads: true });
  await page.clock.setFixedTime(t.clock.now);
  try {
    await signIn(page, 'sam');
    const form = page.getByRole('form', { name: 'Export records' });
    await form.getByLabel('Device MAC address').fill(MAC.toUpperCase());
    await form.locator('#f-passphrase').fill('short');
    await form.locator('#f-passphrase-again').fill('short');
    await form.getByRole('button', { name: 'Export and download' }).click();
    await expect.poll(() => form.getByText('At least 10 characters').count()).toBe(1);
    await shotBoth(page, 'export-error');

    await form.locator('#f-passphrase').fill(PASSPHRASE);
    await form.locator('#f-passphrase-again').fill(PASSPHRASE);
    const [download] = await Promise.all([page.waitForEvent('download'), form.getByRole('button', { name: 'Export and download' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^device-02-5c-00-20-00-10-2000-01-01-to-2026-12-07\.csv\.sgexport$/);
    const sealed = await readFile((await download.path())!);
    expect(() => openExport(sealed, 'the wrong passphrase')).toThrow(/passphrase is wrong/);
    const opened = openExport(sealed, PASSPHRASE);
    expect(opened.header).toMatchObject({ exportedBy: 'account:sam', auditHead: { verified: true } });
    const csv = opened.body.toString('utf8');
    expect(csv.split('\r\n').filter((l) => l.startsWith('alert,'))).toHaveLength(3);
    await page.getByText(/Downloaded device-02-5c/).waitFor();
    await shotBoth(page, 'export-done');
    expect(t.state.audit.list({ action: 'report.export' })).toEqual([expect.objectContaining({ actor: 'account:sam', subject: MAC })]);
  } finally {
    await page.close();
  }
});
