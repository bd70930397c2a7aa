// The AUP tables in Chromium, on a real daemon: a technician changes a row of the pupil policy,
// which goes for approval as a change request, and `schoolgate check` answers the same until the
// headteacher and the DSL approve it and the technician applies it; an invalid edit shows its
// message beside the row with every choice kept; a member of staff reads the same table without a way to change it,
// and the API refuses their save. Accounts are made through the API (the shell's test walks the
// setup and sign-in pages); the browser carries the session cookie. Screenshots at desktop and
// phone widths and in print go to tmp/screenshots/webui-policies-*.png.
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { setUpSchoolWithRoles, type AdminApi, type ApiSession } from './support/admin-api.ts';
import { axeSerious, SHOTS, shot as webuiShot } from './support/webui.ts';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let admin: AdminApi;
let tech: ApiSession;
let staff: ApiSession;
let head: ApiSession;
let dsl: ApiSession;

beforeAll(async () => {
  daemon = await startDaemonProcess(await testConfig({ address: '127.0.0.1', port: 9 }));
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  ({ admin, head, dsl, tech, staff } = await setUpSchoolWithRoles(daemon, { dsl: 'setup-dsl', tech: ['c.tech', 'technician'], staff: ['d.staff', 'staff'] }));
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

const shot = (page: Page, name: string): Promise<void> => webuiShot(page, `policies-${name}`);

/** What `schoolgate check NAME --network pupil` answers, and the decision behind it. */
async function check(name: string): Promise<{ answer: string; action: string; reason: string; category?: string; watch: boolean }> {
  const r = await daemon.cli(['check', name, '--network', 'pupil', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as { answer: string; policy: { decision: { action: string; reason: string; category?: string; watch: boolean } } };
  return { answer: report.answer, ...report.policy.decision };
}

it('a technician\'s edit of the pupil AUP table is a change request: schoolgate check answers differently only once it is approved and applied', async () => {
  expect(await check('www.tiktok.com')).toMatchObject({ answer: 'blocked', action: 'block', reason: 'category', category: 'social' });
  const { page, cspViolations } = await admin.openAs(browser, tech, '/policies?policy=pupil', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: /Acceptable use of the internet: Pupils/ }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts()).toContain('Acceptable use');
    expect(await page.getByLabel('Illegal content: Acceptable', { exact: true }).count()).toBe(0);
    expect(await page.getByLabel('Social networking: Unacceptable', { exact: true }).isChecked()).toBe(true);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'technician-desktop');

    await page.getByLabel('Social networking: Acceptable', { exact: true }).check();
    await page.getByLabel('Social networking: watched (every visit reviewed)').check();
    // Without the reason and the risk note nothing is sent, each asked for beside its field.
    await page.getByRole('button', { name: /Send the Pupils policy for approval \(1 changed\)/ }).click();
    await page.locator('#f-rationale-error').waitFor();
    expect(await page.locator('#f-riskNote-error').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-rationale');
    await page.getByLabel('The educational reason').fill('Year 6 online-safety unit: pupils study how social media presents news');
    await page.getByLabel('Benefit against risk').fill('Watched, so every visit is in the weekly review; lessons are supervised.');
    await page.getByRole('button', { name: /Send the Pupils policy for approval \(1 changed\)/ }).click();
    const sent = page.getByText(/Sent for approval as change request (\d+)/);
    await sent.waitFor();
    const id = Number(/change request (\d+)/.exec(await sent.innerText())![1]);
    // The table shows what is in force, and the gateway still answers as before.
    expect(await page.getByLabel('Social networking: Unacceptable', { exact: true }).isChecked()).toBe(true);
    expect(await check('www.tiktok.com')).toMatchObject({ answer: 'blocked', category: 'social' });
    expect((await daemon.cli(['audit', '--action', 'policy.edit', '--json'])).stdout).not.toContain('account:c.tech');
    // The request's page shows every value the edit changes, before and after.
    await page.getByRole('link', { name: `See change request ${id}` }).click();
    await page.getByRole('heading', { level: 2, name: 'Every value it changes' }).waitFor();
    expect(await page.locator('#change-edits tbody tr').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#change-edits').innerText()).toContain('"unacceptable"');
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'change-request-desktop');
    await page.screenshot({ path: '/tmp/sg/shots/changes-config-request-1280.png', fullPage: true });
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: '/tmp/sg/shots/changes-config-request-390.png', fullPage: true });

    // A config request reaches pupils: the head is one of the two approvers, the DSL the other.
    for (const approver of [head, dsl]) {
      const r = await admin.call('POST', `/api/changes/${id}/approve`, {}, approver);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
    }
    const applied = await admin.call('POST', `/api/changes/${id}/apply`, {}, tech);
    expect(applied.status, JSON.stringify(applied.json)).toBe(200);
    expect(await check('www.tiktok.com')).toMatchObject({ answer: 'allowed', action: 'allow', watch: true, category: 'social' });
    const audit = await daemon.cli(['audit', '--action', 'change.apply', '--json']);
    expect(audit.stdout).toContain('account:c.tech');
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
});

it('an invalid edit shows each message beside its row, focuses it, and keeps every choice', async () => {
  const { page } = await admin.openAs(browser, tech, '/policies?policy=pupil', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: /Pupils/ }).waitFor();
    await page.getByLabel('Online gaming: Acceptable for nominated users', { exact: true }).check();
    await page.getByLabel('Video and music streaming: acceptable during which schedule').selectOption('');
    await page.getByLabel('Dating: Acceptable', { exact: true }).check();
    await page.getByLabel('The educational reason').fill('Trying out rows for the Year 6 unit');
    await page.getByLabel('Benefit against risk').fill('Nothing is sent while a row is invalid.');
    await page.getByRole('button', { name: /Send the Pupils policy for approval/ }).click();
    const scheduleError = page.locator('#f-categories-streaming-schedule-error');
    await scheduleError.waitFor();
    expect(await scheduleError.innerText()).toMatch(/a schedule is required/);
    expect(await page.locator('#f-categories-gaming-groups-error').innerText()).toMatch(/at least one device group is required when the disposition is “acceptable for nominated users”/);
    expect(await page.getByRole('alert').first().innerText()).toMatch(/Nothing was saved: 2 problems/);
    expect(await page.getByLabel('Video and music streaming: acceptable during which schedule').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Dating: Acceptable', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Online gaming: Acceptable for nominated users', { exact: true }).isChecked()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
    // Nothing of the refused edit was stored or asked for, the valid row included.
    const stored = (await admin.call('GET', '/api/policies', undefined, tech)).json.policies.find((p: { id: string }) => p.id === 'pupil').rows;
    expect(['gaming', 'dating'].map((c) => stored.find((r: { category: string }) => r.category === c).rule.disposition)).toEqual(['unacceptable', 'unacceptable']);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'invalid-desktop');
  } finally {
    await page.context().close();
  }
});

it('a member of staff reads the table, cannot change it, and the API refuses their save', async () => {
  const { page } = await admin.openAs(browser, staff, '/policies?policy=pupil', PHONE);
  try {
    await page.getByRole('heading', { level: 2, name: /Pupils/ }).waitFor();
    expect(await page.locator('input[type=radio]').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Save|Send/ }).count()).toBe(0);
    expect(await page.getByText(/You can read this table/).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    // On a phone each category is one closed row saying what is chosen: the list is a screen or
    // two, not the 4,500 px of open cards.
    const cards = page.locator('.aup-card');
    const rows = await cards.count();
    expect(rows).toBeGreaterThan(10);
    expect(await page.locator('.aup-card details[open]').count()).toBe(0);
    expect(await page.locator('.aup-cards').evaluate((e) => e.getBoundingClientRect().height)).toBeLessThan(rows * 90);
    const social = cards.filter({ hasText: 'Social networking' });
    // The closed row says what the table holds (the technician's edit above may have changed it).
    const tables = (await admin.call('GET', '/api/policies', undefined, staff)).json as { dispositions: { value: string; label: string }[]; policies: { id: string; rows: { category: string; rule: { disposition: string; watch?: boolean } }[] }[] };
    const rule = tables.policies.find((p) => p.id === 'pupil')!.rows.find((r) => r.category === 'social')!.rule;
    const label = tables.dispositions.find((d) => d.value === rule.disposition)!.label;
    expect(await social.locator('summary').innerText()).toContain(`${label}${rule.watch === true ? ' · watched' : ''}`);
    await social.locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await social.locator('.aup-desc').isVisible()).toBe(true);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'staff-phone');
    await page.emulateMedia({ media: 'print' });
    // Paper has the whole table, every row, whatever the screen showed.
    expect(await page.locator('.aup-print-table tbody tr').count()).toBe(rows);
    expect(await page.locator('.aup-cards').isVisible()).toBe(false);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    expect(await page.locator('.aup-school').innerText()).toBe('St Mary\'s C of E Primary');
    expect(await page.locator('.aup-school').isVisible()).toBe(true);
    await page.setViewportSize({ width: 1000, height: 1400 });
    await shot(page, 'print');
  } finally {
    await page.context().close();
  }
  const refused = await admin.call('PUT', '/api/policies/pupil', { categories: { social: { disposition: 'acceptable' } }, rationale: 'Please allow social media', riskNote: 'Pupils would reach it' }, staff);
  expect(refused.status).toBe(403);
  expect(((await admin.call('GET', '/api/changes', undefined, staff)).json as { changes: unknown[] }).changes).toEqual([]);
});

it('networks, term dates and upstreams: a technician changes each, errors beside their fields', async () => {
  const { page, cspViolations } = await admin.openAs(browser, tech, '/networks', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: 'Networks' }).waitFor();
    expect(await page.locator('#networks-h ~ .table-wrap tbody tr').count()).toBe(daemon.config.networks.length);
    const pupil = daemon.config.networks.find((n) => n.kind === 'pupil')!;
    await page.getByRole('button', { name: `Change ${pupil.name}` }).click();
    await page.getByLabel(/Wi-Fi name \(SSID\)/).fill('StMarys-Pupils');
    // The lease time, in minutes: one minute is refused beside the field, focused, before anything is sent.
    const lease = page.getByLabel('Lease time (minutes)');
    expect(await lease.inputValue()).toBe(String(pupil.dhcp!.leaseSeconds / 60));
    await lease.fill('1');
    await page.getByRole('button', { name: `Save ${pupil.name}` }).click();
    await page.locator('#f-dhcp-leaseMinutes-error').getByText(/from 2 minutes to 7 days/).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-dhcp-leaseMinutes');
    expect(await page.getByLabel(/Wi-Fi name \(SSID\)/).inputValue()).toBe('StMarys-Pupils');
    await lease.fill('240');
    await page.getByRole('button', { name: `Save ${pupil.name}` }).click();
    await page.getByText('Saved: the gateway uses it from now on.').waitFor();

    // A term ending before it starts: the message beside the last day, the name kept.
    await page.getByRole('button', { name: 'Add a term' }).click();
    await page.locator('#f-terms-0-name').fill('Spring 1');
    await page.locator('#f-terms-0-start').fill('2027-02-12');
    await page.locator('#f-terms-0-end').fill('2027-01-05');
    // Lunchtime is used by a policy: when it is open is what is filtered, so that part is asked for, with why.
    await page.getByLabel('Lunchtime: term time only').check();
    await page.locator('#f-schedules-rationale').fill('Lunchtime streaming is for school days only.');
    await page.locator('#f-schedules-riskNote').fill('Nothing opens in the holidays that is shut now.');
    await page.getByRole('button', { name: 'Save, and send the new times for approval' }).click();
    await page.locator('#f-terms-0-end-error').waitFor();
    await page.locator('form[aria-labelledby="schedules-h"]').screenshot({ path: '/tmp/sg/shots/networks-schedules-why-1280.png' });
    expect(await page.locator('#f-terms-0-end-error').innerText()).toMatch(/on or after the start/);
    expect(await page.locator('#f-terms-0-name').inputValue()).toBe('Spring 1');
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'networks-errors-desktop');
    await page.locator('#f-terms-0-start').fill('2027-01-05');
    await page.locator('#f-terms-0-end').fill('2027-02-12');
    await page.getByRole('button', { name: 'Save, and send the new times for approval' }).click();
    await page.getByText(/sent for approval as change request \d+: .* Everything else on the form is saved\./).waitFor();
    await page.locator('form[aria-labelledby="schedules-h"]').screenshot({ path: '/tmp/sg/shots/networks-schedules-request-1280.png' });

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

    const view = (await admin.call('GET', '/api/networks', undefined, tech)).json;
    expect(view.networks.find((n: { id: string }) => n.id === pupil.id).ssid).toBe('StMarys-Pupils');
    expect(view.networks.find((n: { id: string }) => n.id === pupil.id).dhcp.leaseSeconds).toBe(4 * 3600);
    expect(view.terms).toEqual([{ name: 'Spring 1', start: '2027-01-05', end: '2027-02-12' }]);
    expect(view.schedules[0].termTimeOnly).toBeUndefined();
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

const CREST_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><path d="M32 4 L58 14 L58 34 C58 48 46 58 32 62 C18 58 6 48 6 34 L6 14 Z" fill="#1d4f91"/></svg>';

it('first-run setup goes on after the accounts for the technician: logo, term dates, networks, upstreams, policies', async () => {
  // Another role signing in with the wizard unfinished goes to its own pages, and neither the page nor its data is theirs.
  const other = await admin.openAs(browser, staff, '/account', PHONE);
  try {
    await other.page.evaluate(() => window.sessionStorage.setItem('schoolgate.setup-continues', '1'));
    await other.page.goto(`${admin.base}/policies`);
    await other.page.getByRole('heading', { level: 1, name: 'Acceptable use' }).waitFor();
    await other.page.goto(`${admin.base}/setup/continue`);
    await other.page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
    expect((await admin.call('GET', '/api/setup/continue', undefined, staff)).status).toBe(403);
  } finally {
    await other.page.context().close();
  }

  const { page } = await admin.openAs(browser, tech, '/account', DESKTOP);
  try {
    // What the setup page leaves behind when the accounts are made (the shell's test walks that page).
    await page.evaluate(() => window.sessionStorage.setItem('schoolgate.setup-continues', '1'));
    await page.goto(`${admin.base}/status`);
    await page.waitForURL(/\/setup\/continue$/);
    await page.getByText('step 1 of 5, the school\'s logo').waitFor();
    await page.getByLabel(/Add a logo|Replace the logo/).setInputFiles({ name: 'crest.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(CREST_SVG) });
    await page.getByText('The logo is now crest.svg.').waitFor();
    expect((await fetch(`${admin.base}/logo`)).status).toBe(200);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'setup-logo-desktop');
    await page.getByRole('button', { name: 'Next: the term dates' }).click();

    await page.getByText('step 2 of 5, the term dates').waitFor();
    const before = (await admin.call('GET', '/api/networks', undefined, tech)).json.terms as unknown[];
    await page.getByRole('button', { name: 'Add a term' }).click();
    const n = before.length;
    await page.locator(`[name="terms/${n}/name"]`).fill('Summer 1');
    await page.locator(`[name="terms/${n}/start"]`).fill('2027-04-19');
    await page.locator(`[name="terms/${n}/end"]`).fill('2027-04-31');
    await page.getByRole('button', { name: 'Save the term dates and go on' }).click();
    // The impossible date is refused beside its field, focused, with what was typed kept.
    await page.locator(`#f-terms-${n}-end-error`).waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe(`terms/${n}/end`);
    expect(await page.locator(`[name="terms/${n}/name"]`).inputValue()).toBe('Summer 1');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'setup-terms-error-phone');
    await page.setViewportSize(DESKTOP);
    await page.locator(`[name="terms/${n}/end"]`).fill('2027-05-28');
    await page.getByRole('button', { name: 'Save the term dates and go on' }).click();

    await page.getByText('step 3 of 5, the networks').waitFor();
    expect((await admin.call('GET', '/api/networks', undefined, tech)).json.terms.at(-1)).toEqual({ name: 'Summer 1', start: '2027-04-19', end: '2027-05-28' });
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'setup-networks-desktop');
    await page.getByRole('button', { name: 'Next: the upstream resolvers' }).click();
    await page.getByText('step 4 of 5, the upstream resolvers').waitFor();
    await shot(page, 'setup-upstreams-desktop');
    await page.getByRole('button', { name: 'Skip: keep the current resolvers' }).click();
    await page.getByText('step 5 of 5, the policies').waitFor();
    await page.getByRole('heading', { level: 2, name: /Acceptable use of the internet/ }).waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await page.getByRole('button', { name: 'Finish setup' }).click();
    await page.waitForURL((u) => u.pathname !== '/setup/continue');
    expect(await page.evaluate(() => window.sessionStorage.getItem('schoolgate.setup-continues'))).toBeNull();
  } finally {
    await page.context().close();
  }
});

