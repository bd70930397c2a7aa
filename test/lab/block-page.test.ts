// The block page end to end, with the firewall on: a pupil's Chromium opening a blocked name over
// HTTP lands on the gateway's page (screenshots at a phone's and a desktop's size), "report this"
// stores a report that `schoolgate reports --json` lists; HTTPS to the blocked name is refused
// at once (a reset, not a timeout); a suspended pupil still gets the page; staff get the fuller
// voice. Every "refused" is paired with something that answers, so a dead path cannot pass.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { CLIENTS, GW_WAN_INTERFACE, INTERNET } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT, withDhcp } from '../../scripts/netlab/gateway.ts';
import { LISTED_SITE } from '../../scripts/netlab/zones.ts';
import type { Config } from '../../firmware/config/schema.ts';
import type { ReportsView } from '../../firmware/portal/reports-schema.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'block-page.test', clients: 'none' });
const PUPIL_MAC = CLIENTS.find((c) => c.ns === 'pupil')!.mac;
/** Blocked for staff too (gambling): the staff voice. Never resolved: the gateway answers it. */
const STAFF_BLOCKED = 'casino.example.test';
const SHOTS = join(REPO_ROOT, 'tmp', 'screenshots');

let browsers: Browser[] = [];
afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
});

async function cli(args: string[]): Promise<string> {
  return (await lab().run('gw', [NODE, MAIN, ...args, '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT })).stdout;
}

async function config(): Promise<Config> {
  const dir = lab().scratch('lists');
  await writeFile(join(dir, 'social.txt'), `${LISTED_SITE}\n`);
  await writeFile(join(dir, 'gambling.txt'), `${STAFF_BLOCKED}\n`);
  const c = withDhcp(lab().gatewayConfig(), ['staff', 'pupil']);
  c.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
  c.site.name = 'St Mary\'s C of E Primary School';
  c.lists.push(
    { id: 'lab-social', name: 'Lab social networks', category: 'social', file: join(dir, 'social.txt'), format: 'domains', enabled: true },
    { id: 'lab-gambling', name: 'Lab gambling', category: 'gambling', file: join(dir, 'gambling.txt'), format: 'domains', enabled: true },
  );
  return c;
}

const sizes = [
  { name: 'phone', viewport: { width: 390, height: 844 } },
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
];

async function curl(ns: 'pupil' | 'staff', url: string): Promise<{ code: number; body: string; stderr: string }> {
  const r = await lab().exec(ns, ['curl', '-sS', '--max-time', '10', url]);
  return { code: r.code ?? -1, body: r.stdout, stderr: r.stderr };
}

describe('the block page from a pupil device', () => {
  test('Chromium on a blocked HTTP name shows the page; report this is stored; HTTPS is reset at once', async () => {
    await lab().startGateway(await config());
    await lab().dhcp('pupil', 'udhcpc');
    await lab().dhcp('staff', 'udhcpc');
    await mkdir(SHOTS, { recursive: true });
    const browser = await lab().chromium('pupil');
    browsers.push(browser);

    for (const { name, viewport } of sizes) {
      const page = await browser.newPage({ viewport });
      const response = await page.goto(`http://${LISTED_SITE}/some/page`);
      expect(response?.status()).toBe(403);
      expect(await page.locator('h1').innerText()).toBe('This website is blocked at school.');
      expect(await page.locator('#blocked-name').innerText()).toBe(LISTED_SITE);
      expect(await page.locator('#why').innerText()).toBe('It is a social media website.');
      expect(await page.locator('header').innerText()).toBe('St Mary\'s C of E Primary School');
      expect(await page.locator('a').count()).toBe(0);
      await page.screenshot({ path: join(SHOTS, `block-page-pupil-${name}.png`), fullPage: true });
      if (name === 'phone') {
        await page.locator('textarea#comment').fill('We need it for our class project');
        await page.getByRole('button', { name: 'Send' }).click();
        await expect.poll(() => page.locator('h1').innerText()).toBe('Thank you.');
        await page.screenshot({ path: join(SHOTS, 'block-page-pupil-sent-phone.png'), fullPage: true });
      }
      await page.close();
    }

    const view = JSON.parse(await cli(['reports', '--json'])) as ReportsView;
    expect(view.reports).toEqual([expect.objectContaining({
      networkId: 'pupil', mac: PUPIL_MAC, name: LISTED_SITE, category: 'social', verdict: 'blocked',
      kind: 'should-not-be-blocked', comment: 'We need it for our class project', status: 'open',
    })]);
    expect(await cli(['alerts'])).toContain('report.site');

    // HTTPS to the blocked name: refused with a reset (exit 7), never left to time out (28);
    // the same device's HTTPS to an allowed site works, so the path itself is up.
    const https = await curl('pupil', `https://${LISTED_SITE}/`);
    expect([7, 35], https.stderr).toContain(https.code);
    expect((await lab().exec('pupil', ['curl', '-sk', '-o', '/dev/null', '--max-time', '10', `https://${INTERNET.web}/whoami`])).code).toBe(0);
  });

  test('a suspended pupil device still gets the block page (and DNS), and nothing else', async () => {
    await cli(['devices', 'suspend', PUPIL_MAC, '--for', '1h', '--reason', 'lab: block page while suspended']);
    const internet = await lab().exec('pupil', ['curl', '-sk', '-o', '/dev/null', '--max-time', '5', `https://${INTERNET.web}/whoami`]);
    expect(internet.code).not.toBe(0);
    const page = await curl('pupil', `http://${LISTED_SITE}/`);
    expect(page.code, page.stderr).toBe(0);
    expect(page.body).toContain('This website is blocked at school.');
    await cli(['devices', 'resume', PUPIL_MAC]);
  });

  test('staff see the fuller page with the category, list and policy, and can request access', async () => {
    const browser = await lab().chromium('staff');
    browsers.push(browser);
    const page = await browser.newPage({ viewport: sizes[1]!.viewport });
    const response = await page.goto(`http://${STAFF_BLOCKED}/`);
    expect(response?.status()).toBe(403);
    expect(await page.locator('h1').innerText()).toBe('This site is blocked on the school network.');
    expect(await page.locator('#category').innerText()).toBe('Gambling');
    await page.screenshot({ path: join(SHOTS, 'block-page-staff-desktop.png'), fullPage: true });
    await page.locator('textarea#reason').fill('Year 6 maths: probability');
    await page.getByRole('button', { name: 'Request access' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Request recorded');
    const view = JSON.parse(await cli(['reports', '--json'])) as ReportsView;
    expect(view.requests).toEqual([expect.objectContaining({ networkId: 'staff', name: STAFF_BLOCKED, category: 'gambling', reason: 'Year 6 maths: probability' })]);
  });
});
