// The AUP splash end to end, with the firewall on and the splash on staff and pupil: a pupil
// device's Android probe and plain HTTP land on the splash (HTTPS works all along), RFC 8908 says
// captive; the pupil taps "I agree" in Chromium at a phone's width; then the probe gets the real
// internet's 204, HTTP goes out, RFC 8908 says not captive, and `schoolgate aup acceptances`
// lists the device. Staff see the adult voice. Screenshots in tmp/screenshots/aup-splash-*.png.
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CLIENTS, GW_WAN_INTERFACE, INTERNET, schoolNetwork } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT, withDhcp } from '../../scripts/netlab/gateway.ts';
import type { AupAcceptancesView } from '../../firmware/portal/splash/schema.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'aup-splash.test', clients: 'none' });
const PUPIL_MAC = CLIENTS.find((c) => c.ns === 'pupil')!.mac;
const SHOTS = join(REPO_ROOT, 'tmp', 'screenshots');
const PHONE = { width: 390, height: 844 };
const PROBE = 'http://connectivitycheck.gstatic.com/generate_204';

let browsers: Browser[] = [];
afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
});

/** axe-core's WCAG 2 A/AA violations (the page runs no script of its own: the context bypasses its CSP for axe), and that it fits the width. */
async function checkPage(page: Page): Promise<void> {
  await page.evaluate(await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string }> }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  expect(result.violations.map((v) => v.id)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
}

async function cli(args: string[]): Promise<string> {
  return (await lab().run('gw', [NODE, MAIN, ...args, '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT })).stdout;
}

/** HTTP status and body, as a device's own client sees them. */
async function curl(ns: 'pupil' | 'staff', url: string, extra: string[] = []): Promise<{ status: number; body: string }> {
  const r = await lab().exec(ns, ['curl', '-sS', '--max-time', '10', '-w', '\n%{http_code}', ...extra, url]);
  expect(r.code, r.stderr).toBe(0);
  const at = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(at + 1)), body: r.stdout.slice(0, at) };
}

describe('the AUP splash on the pupil network', () => {
  test('probe → splash and captive; I agree; probe → the internet\'s 204 and not captive; the acceptance is stored', async () => {
    const c = withDhcp(lab().gatewayConfig(), ['staff', 'pupil']);
    c.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
    c.site.name = 'St Mary\'s C of E Primary School';
    c.aup = { version: '2026-27', text: 'Use the school network for your work.\n\nYour use is monitored.', splashOn: ['staff', 'pupil'] };
    await lab().startGateway(c);
    await lab().dhcp('pupil', 'udhcpc');
    await lab().dhcp('staff', 'udhcpc');
    const gateway = schoolNetwork('pupil').gateway;

    const before = await curl('pupil', PROBE);
    expect(before.status).toBe(511);
    expect(before.body).toContain('Before you go online');
    expect(JSON.parse((await curl('pupil', `http://${gateway}/api/captive-portal`)).body)).toMatchObject({ captive: true });
    // HTTPS is never held back: the school's services keep working before anyone taps "I agree".
    expect((await curl('pupil', `https://${INTERNET.web}/whoami`, ['-k'])).status).toBe(200);

    await mkdir(SHOTS, { recursive: true });
    const browser = await lab().chromium('pupil');
    browsers.push(browser);
    const page = await browser.newPage({ viewport: PHONE, bypassCSP: true });
    const response = await page.goto(`http://${INTERNET.web}/some/page`);
    expect(response?.status()).toBe(511);
    expect(await page.locator('h1').innerText()).toBe('Before you go online');
    expect(await page.locator('#monitored').innerText()).toContain('The school can see which websites you visit.');
    await page.screenshot({ path: join(SHOTS, 'aup-splash-pupil-phone.png'), fullPage: true });
    await checkPage(page);
    await page.getByRole('button', { name: 'I agree to these rules' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Thank you');
    await page.screenshot({ path: join(SHOTS, 'aup-splash-pupil-accepted-phone.png'), fullPage: true });
    await page.close();

    const after = await curl('pupil', PROBE);
    expect(after).toEqual({ status: 204, body: '' });
    expect(JSON.parse((await curl('pupil', `http://${INTERNET.web}/whoami`)).body)).toMatchObject({ server: INTERNET.web });
    expect(JSON.parse((await curl('pupil', `http://${gateway}/api/captive-portal`)).body)).toMatchObject({ captive: false });

    const view = JSON.parse(await cli(['aup', 'acceptances', '--json'])) as AupAcceptancesView;
    expect(view.current).toEqual({ version: '2026-27', splashOn: ['staff', 'pupil'] });
    expect(view.acceptances).toEqual([expect.objectContaining({ mac: PUPIL_MAC, networkId: 'pupil', version: '2026-27', address: expect.stringMatching(/^10\.20\.0\./) })]);
    expect(await cli(['aup', 'acceptances'])).toContain(PUPIL_MAC);

    // Staff, not yet accepted on their own network, meet the adult voice.
    const staff = await lab().chromium('staff');
    browsers.push(staff);
    const staffPage = await staff.newPage({ viewport: PHONE, bypassCSP: true });
    await staffPage.goto(`http://${INTERNET.web}/`);
    expect(await staffPage.locator('h1').innerText()).toBe('Acceptable use of the school’s Wi-Fi');
    expect(await staffPage.locator('#aup-text').innerText()).toContain('Your use is monitored.');
    await staffPage.screenshot({ path: join(SHOTS, 'aup-splash-staff-phone.png'), fullPage: true });
    await checkPage(staffPage);
  });
});
