// The weekly review in Chromium, over the real admin app (fastify, state.db in memory, the built
// webui/dist), the daemon's own review control methods called in-process and a real query log on
// disk, on the server's fake clock (Monday 7 December 2026, 09:00): the headteacher walks the week
// of 30 November — every alert given an outcome (one a false positive proposing a list change, one
// corrected), the week's record (trends, a bypass attempt, a block-page report, a filtering
// change, a review due), sign-off — and prints it; the online-safety lead signs the week before
// on the head's behalf. Desktop and phone widths, axe-core finding no serious or critical
// violation; screenshots and the printed PDF in tmp/screenshots/.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../firmware/admin/auth/password.ts';
import { totpCode } from '../../firmware/admin/auth/totp.ts';
import type { Role } from '../../firmware/admin/roles.ts';
import { ControlServer } from '../../firmware/control/server.ts';
import { EventBuffer } from '../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../firmware/log.ts';
import { QueryLog } from '../../firmware/monitor/query-log/query-log.ts';
import { registerReviewMethods } from '../../firmware/monitor/review/review-methods.ts';
import { launchChromium } from '../support/browser.ts';
import { testAdmin, type TestAdmin } from '../unit/admin/admin-app.ts';
import { axeSerious, SHOTS } from './support/webui.ts';

const PASSWORD = 'Heron-Lantern-42-x';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const ZONE = 'Europe/London';

let t: TestAdmin;
let log: QueryLog;
let dir: string;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
const ids: number[] = [];
let earlier = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schoolgate-review-browser-'));
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ control });
  const now = () => t.clock.now;
  const buffer = new EventBuffer(65_536);
  log = await QueryLog.open(join(dir, 'logs.db'), { events: buffer, logger: silentLogger(), flushIntervalMs: 60_000, timezone: ZONE });
  // Nine weeks of questions, more blocked in the reviewed week.
  for (let week = 0; week < 9; week++) {
    const monday = Date.parse('2026-10-05T09:00:00Z') + week * 7 * 86_400_000;
    for (let i = 0; i < 400; i++) {
      const blocked = i < (week === 8 ? 90 : 20 + week * 4);
      buffer.push({ at: monday + (i % 5) * 86_400_000 + i * 1000, network: 'pupil', client: '10.20.0.5', device: i % 2 === 0 ? '02:00:00:00:00:01' : '02:00:00:00:00:02', transport: 'udp',
        name: 'x.example', qtype: 1, verdict: blocked ? 'blocked' : 'forwarded', rcode: 0, latencyMs: 1, ...(blocked ? { category: i % 3 === 0 ? 'gambling' : 'games' } : {}) });
    }
  }
  log.flush();
  const alert = (at: string, kind: 'dns.category' | 'dns.keyword' | 'net.bypass', severity: 'high' | 'medium', subject: string, mac: string, reason: string) =>
    t.state.alerts.record({ kind, severity, at, networkId: 'pupil', mac, address: null, subject, reason }, new Date(Date.parse(at))).alert.id;
  ids.push(
    alert('2026-12-01T10:12:00.000Z', 'dns.category', 'medium', 'slots-casino.example', '02:00:00:00:00:01', 'A blocked category (gambling) was looked up'),
    alert('2026-12-02T13:40:00.000Z', 'dns.keyword', 'high', 'how-to-hack-school-wifi.example', '02:00:00:00:00:02', 'A name looked up matched the keyword list (hacking)'),
    alert('2026-12-03T11:05:00.000Z', 'net.bypass', 'high', 'dns.quad9.example:853', '02:00:00:00:00:03', 'Encrypted DNS (DoT) to an outside resolver was refused'),
  );
  earlier = alert('2026-11-25T14:00:00.000Z', 'dns.category', 'medium', 'games.example', '02:00:00:00:00:04', 'A blocked category (games) was looked up');
  t.state.networkEvents.append({ at: new Date('2026-12-03T11:05:00Z'), kind: 'net.bypass', networkId: 'pupil', mac: '02:00:00:00:00:03', details: { port: 853, address: '192.0.2.53' } });
  t.state.siteReports.addReport({ at: '2026-12-02T09:30:00.000Z', blockedAt: '2026-12-02T09:29:00.000Z', networkId: 'pupil', mac: '02:00:00:00:00:01', address: '10.20.0.5', name: 'mathsgames.example', category: 'games', verdict: 'blocked', kind: 'should-not-be-blocked', comment: 'We use this in Year 4 maths' });
  const visitor = t.state.vouchers.createVisitor({ name: 'Pat Visitor', organisation: 'County Music Service', sponsorAccount: 'amy', sponsorName: 'Amy Teacher', created: new Date('2026-12-02T08:50:00Z') });
  const voucher = t.state.vouchers.insert({
    codeHash: 'a'.repeat(64), kind: 'single', label: null, visitorId: visitor.id, validFrom: new Date('2026-12-02T08:50:00Z'), validUntil: new Date('2026-12-02T16:00:00Z'),
    maxDevices: 1, downKbit: null, upKbit: null, policyId: null, issuedBy: 'account:office', issuedAt: new Date('2026-12-02T08:50:00Z'),
  });
  t.state.vouchers.authorise({ voucherId: voucher.id, mac: '02:00:00:00:00:09', address: '10.30.0.100', networkId: 'guest', until: new Date('2026-12-02T16:00:00Z'), termsVersion: null, at: new Date('2026-12-02T09:00:00Z') });
  const clockNow = t.clock.now;
  t.clock.now = new Date('2026-12-01T16:00:00Z');
  t.state.audit.append({ actor: 'account:tech', action: 'policy.edit', subject: 'pupils', details: { changed: ['categories'] } });
  t.state.reviews.addDue('filtering-change', 'filtering changed: policies (categories, schedules, safe search)', t.clock.now);
  t.clock.now = clockNow;
  // Installed in the week of 16 November: the list goes back to it, no further.
  t.state.reviews.recordStart('0.1.0', new Date('2026-11-18T08:00:00Z'));
  registerReviewMethods(control, {
    page: () => ({
      reviews: t.state.reviews, alerts: t.state.alerts, queryLog: log, networkEvents: t.state.networkEvents, siteReports: t.state.siteReports,
      vouchers: t.state.vouchers, audit: t.state.audit, timezone: ZONE, now,
    }),
    reviews: t.state.reviews, alerts: t.state.alerts, accounts: () => t.state.accounts.list(), audit: t.state.audit,
    transaction: (fn) => t.state.transaction(fn), timezone: () => ZONE, now,
  });
  const hash = await hashPassword(PASSWORD);
  const add = (username: string, displayName: string, roles: Role[]) => t.state.accounts.insert({ username, displayName, email: null, passwordHash: hash, mustChangePassword: false, breakGlass: false, roles, createdAt: now().toISOString() });
  t.state.accounts.update(add('head', 'Alex Head', ['headteacher']).id, { totpSecret: TOTP_SECRET });
  add('osl', 'Olu Lead', ['online-safety-lead']);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server!.address() as AddressInfo).port}`;
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await closeBrowser?.();
  log?.close();
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function signedIn(username: string, path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: DESKTOP });
  // The pages judge "overdue" and "over" by the browser's clock: it must read the server's.
  await page.clock.setFixedTime(t.clock.now);
  await page.goto(`${base}${path}`);
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
  // Signing in returns to the page's path; its query (the week) is given again.
  if (!page.url().endsWith(path)) await page.goto(`${base}${path}`);
  return page;
}

async function both(page: Page, name: string): Promise<void> {
  expect(await axeSerious(page)).toEqual([]);
  await page.screenshot({ path: join(SHOTS, `webui-review-${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  expect(await axeSerious(page)).toEqual([]);
  await page.screenshot({ path: join(SHOTS, `webui-review-${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

async function recordOutcome(page: Page, id: number, outcome: string, note: string, proposed?: { name: string; action: string }): Promise<void> {
  const correct = page.getByText(`Correct the outcome of #${id}`);
  if (await correct.isVisible()) await correct.click();
  const form = page.getByRole('form', { name: new RegExp(`^(Outcome|Correct the outcome) of alert ${id}$`) });
  await form.getByRole('combobox').first().selectOption({ label: outcome });
  await form.getByLabel('Note: what was done, and why').fill(note);
  if (proposed) {
    await form.getByLabel('Site to change on the lists').fill(proposed.name);
    await form.getByLabel('Proposed change').selectOption({ label: proposed.action });
  }
  await form.getByRole('button', { name: `Record outcome for #${id}` }).click();
  await page.getByText(`Outcome recorded for alert ${id}.`).waitFor();
  // The page has loaded the week again once the outcome is listed under its alert.
  await page.getByRole('list', { name: `Outcomes of alert ${id}` }).getByText(note).waitFor();
}

it('the headteacher works through every alert of the week, signs it off and prints it', async () => {
  const page = await signedIn('head', '/review');
  try {
    await page.getByRole('link', { name: 'Weekly review' }).first().waitFor();
    const weeks = page.getByRole('region', { name: 'The weeks to review, newest first' });
    await expect.poll(() => weeks.getByRole('row').count()).toBe(4);
    expect(await page.getByRole('row').nth(3).innerText()).toMatch(/16 November 2026\s+Overdue: was due by 27 Nov 2026, 17:00\s+0\s+0/);
    await expect.poll(() => page.getByRole('row').nth(1).innerText()).toMatch(/30 November 2026\s+Open: due by 11 Dec 2026, 17:00\s+3\s+3/);
    expect(await page.getByText('Filtering changed').isVisible()).toBe(true);
    await both(page, 'list');

    await page.getByRole('link', { name: /30 November 2026/ }).click();
    await page.getByRole('heading', { name: /Week of Mon,? 30 November 2026/ }).waitFor();
    expect(await page.getByText('3 of 3 alerts need an outcome and a note.').isVisible()).toBe(true);
    // The names looked up are text: no link anywhere names them.
    expect(await page.locator('a', { hasText: 'slots-casino.example' }).count()).toBe(0);
    expect(await page.getByText('how-to-hack-school-wifi.example').isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'Attempts the firewall saw this week' }).getByText('Getting round the filter').isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'Sites reported this week' }).getByText('mathsgames.example').isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'Guest devices signed in this week' }).getByText('visitor Pat Visitor (County Music Service), sponsored by Amy Teacher').isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'From the audit log, this week' }).getByText('policy.edit pupils').isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: "Each week's questions, blocked and allowed, and alerts" }).getByText('2026-11-30 (this week)').isVisible()).toBe(true);
    expect(await page.locator('.week-chart svg').count()).toBe(2);

    // Signing off with outcomes missing is refused, saying how many.
    await page.getByRole('button', { name: /^Sign off the week/ }).click();
    await page.getByText(/3 of the week's 3 alerts have no outcome yet/).waitFor();

    await recordOutcome(page, ids[0]!, 'No concern', 'A Year 6 pupil on a football site whose advert was for betting; nothing further.');
    // A false positive without the site to change is held back beside the field.
    const form = page.getByRole('form', { name: `Outcome of alert ${ids[1]}` });
    await form.getByRole('combobox').first().selectOption({ label: 'False positive: list change proposed' });
    await form.getByLabel('Note: what was done, and why').fill('A computing club page on network security.');
    await form.getByRole('button', { name: `Record outcome for #${ids[1]}` }).click();
    expect(await form.getByText('name the site to allow or block').isVisible()).toBe(true);
    await recordOutcome(page, ids[1]!, 'False positive: list change proposed', 'A computing club page on network security.', { name: 'how-to-hack-school-wifi.example', action: 'Allow it' });
    await recordOutcome(page, ids[2]!, 'No concern', 'A visitor phone with encrypted DNS on by default.');
    // On reflection, corrected: both stay, the latest counts.
    await recordOutcome(page, ids[2]!, 'Spoke to the pupil', 'It was a pupil\'s phone after all: spoke to them about the AUP.');
    expect(await page.getByText('Every one of the 3 alerts has an outcome.').isVisible()).toBe(true);
    expect(await page.locator('.outcome-corrected').count()).toBe(1);
    expect(await page.locator('.outcomes').getByText('how-to-hack-school-wifi.example').isVisible()).toBe(true);

    await page.getByLabel('Summary of the week').fill('Three alerts, none a safeguarding concern; one list change proposed.');
    await page.getByRole('button', { name: /^Sign off the week/ }).click();
    await page.getByText('The week of 2026-11-30 is signed off.').waitFor();
    await page.getByText('Signed off by Alex Head (head) on', { exact: false }).first().waitFor();
    expect(t.state.reviews.signOffOf('2026-11-30')).toMatchObject({ reviewedBy: 'account:head', onBehalfOf: null, alerts: 3 });
    expect(t.state.audit.list({ action: 'review.*' }).map((e) => e.action)).toEqual(['review.outcome', 'review.outcome', 'review.outcome', 'review.outcome', 'review.sign-off']);
    await both(page, 'week');

    // The record as filed: no forms or buttons, every section; Chromium's own PDF.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    expect(await page.locator('form').first().isVisible()).toBe(false);
    expect(await page.getByText('Seen by (headteacher)', { exact: false }).isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'webui-review-week-print.png'), fullPage: true });
    const pdf = join(SHOTS, 'review-week.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: false });
    expect((await stat(pdf)).size).toBeGreaterThan(10_000);
    await page.emulateMedia({ media: 'screen' });

    // The CSV of the week, as the download link fetches it.
    const csv = await page.evaluate(async (week) => (await fetch(`/api/review/week.csv?week=${week}`)).text(), '2026-11-30');
    expect(csv).toMatch(/^outcome \(corrected\),.*No concern,A visitor phone/m);
    expect(csv).toMatch(/^sign-off,.*account:head/m);
  } finally {
    await page.close();
  }
});

it('the online-safety lead reviews the week before and signs it off on the head\'s behalf', async () => {
  const page = await signedIn('osl', '/review/week?week=2026-11-23');
  try {
    await page.getByRole('heading', { name: /Week of Mon,? 23 November 2026/ }).waitFor();
    expect(await page.getByText('Overdue', { exact: true }).first().isVisible()).toBe(true);
    await recordOutcome(page, earlier, 'Escalated to the DSL', 'Repeated games lookups in lessons: passed to the DSL with the class teacher.');
    await page.getByLabel('Signing').selectOption({ label: 'On behalf of Alex Head (head)' });
    await page.getByRole('button', { name: /^Sign off the week/ }).click();
    await page.getByText('The week of 2026-11-23 is signed off.').waitFor();
    expect(t.state.reviews.signOffOf('2026-11-23')).toMatchObject({ reviewedBy: 'account:osl', onBehalfOf: 'head' });
    await page.goto(`${base}/review`);
    await expect.poll(() => page.getByRole('row').nth(2).innerText()).toMatch(/23 November 2026\s+Signed off by Olu Lead \(osl\) on behalf of Alex Head \(head\)/);
    expect(await page.getByText('Weeks signed off in a row:').innerText()).toMatch(/2/);
    await both(page, 'list-signed');
  } finally {
    await page.close();
  }
});
