// The server-rendered status page (/status.html; the web UI is at /) as a person sees it in Chromium, at a desktop and at a phone width: what it
// says (headings, the gateway's values, one row per network with its counts), checked against the
// daemon's own status, and a screenshot of each width kept for a person to look at.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../firmware/status.ts';
import { APP_ROOT } from '../../firmware/paths.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { launchChromium } from '../support/browser.ts';
import { askUdp } from '../support/upstream.ts';

/** Where the screenshots stay after the run (the repository's ignored tmp/), for a person to look at. */
const SHOTS = join(APP_ROOT, 'tmp', 'screenshots');
const SITE = 'St Mary\'s <script>window.pwned=1</script> Primary';

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  const config = await testConfig({ address: '127.0.0.1', port: 9 });
  // A hostile site name proves the page shows names as text, never as markup.
  config.site.name = SITE;
  daemon = await startDaemonProcess(config);
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  // Two questions the gateway answers itself (no upstream needed), so the page has counts to show:
  // a pupil's DoH canary (blocked) and the staff network's own gateway name (local).
  const dns = daemon.config.dns.listen[0]!;
  expect((await askUdp(dns, 'use-application-dns.net', { from: '127.20.0.5', timeoutMs: 10_000 })).rcode).toBe('NXDOMAIN');
  expect((await askUdp(dns, config.dns.localDomain, { from: '127.10.0.9', timeoutMs: 10_000 })).rcode).toBe('NOERROR');
});

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

async function apiStatus(): Promise<DaemonStatus> {
  const { address, port } = daemon.config.web.admin;
  const response = await fetch(`http://${address}:${port}/api/status`);
  expect(response.status).toBe(200);
  return await response.json() as DaemonStatus;
}

/** The gateway section's definition list, term to value. */
async function gatewayValues(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const dt of document.querySelectorAll('#gw ~ dl dt')) out[dt.textContent!.trim()] = (dt.nextElementSibling as HTMLElement).innerText.trim();
    return out;
  });
}

const widths = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
];

describe.each(widths)('the status page at $name width', ({ name, viewport }) => {
  it('shows the school, the gateway\'s values, every network with its questions, and the answers by verdict', async () => {
    const page = await browser.newPage({ viewport });
    try {
      const { address, port } = daemon.config.web.admin;
      const response = await page.goto(`http://${address}:${port}/status.html`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
      const status = await apiStatus();

      expect(await page.locator('h1').innerText()).toBe(`Schoolgate — ${SITE}`);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.locator('h2').allInnerTexts()).toEqual(['Gateway', 'Networks', 'DNS answers since start']);

      const values = await gatewayValues(page);
      const dnsPort = daemon.config.dns.listen[0]!.port;
      expect(values).toMatchObject({
        'Version': `${status.version} (Node ${status.node})`,
        'Devices known': String(status.state.devices),
        'Audit log entries': String(status.state.auditEntries),
      });
      expect(values['DNS listening on']!.split('\n').sort()).toEqual([`tcp 127.0.0.1:${dnsPort}`, `udp 127.0.0.1:${dnsPort}`]);
      expect(values['Running for']).toMatch(/^\d+ min \d+ s$/);

      // One row per configured network, in order, with the daemon's own question count.
      const rows = await page.locator('#networks tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
      expect(rows).toEqual(daemon.config.networks.map((n) => [
        n.name, n.kind, n.subnets.join(', '), n.interface, n.policy, n.enabled ? 'on' : 'off', String(status.dns.counters.byNetwork[n.id] ?? 0),
      ]));
      expect(Object.fromEntries(rows.map((r) => [r[0], r[6]]))).toMatchObject({ Pupils: '1', Staff: '1', Visitors: '0' });
      const verdicts = await page.locator('#verdicts tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
      expect(Object.fromEntries(verdicts)).toMatchObject({ blocked: '1', local: '1' });

      // As it first appears, before anything is scrolled.
      const file = join(SHOTS, `admin-status-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`screenshot: ${file}`);

      // Nothing makes the whole page scroll sideways at this width (a wide table scrolls in its
      // own box), and the last network's question count can be scrolled to and seen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      const lastCount = page.locator('#networks tbody tr').last().locator('td').last();
      await lastCount.scrollIntoViewIfNeeded();
      expect(await lastCount.isVisible()).toBe(true);
      const box = (await lastCount.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);

    } finally {
      await page.close();
    }
  });
});

it('serves the same status as JSON for the web UI', async () => {
  const body = await apiStatus();
  expect(body.networks).toHaveLength(3);
  expect(body.site).toBe(SITE);
});
