// The admin status page as a person sees it in Chromium.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { launchChromium } from '../support/browser.ts';

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let shots: string;

beforeAll(async () => {
  const config = await testConfig({ address: '127.0.0.1', port: 9 });
  // A hostile site name proves the page shows names as text, never as markup.
  config.site.name = 'St Mary\'s <script>window.pwned=1</script> Primary';
  daemon = await startDaemonProcess(config);
  ({ browser, close: closeBrowser } = await launchChromium());
  shots = await mkdtemp(join(tmpdir(), 'schoolgate-shots-'));
});

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
  if (shots) await rm(shots, { recursive: true, force: true });
});

it('shows the school, its networks and the DNS listeners', async () => {
  const page = await browser.newPage();
  const { address, port } = daemon.config.web.admin;
  const response = await page.goto(`http://${address}:${port}/`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
  await expect.poll(() => page.locator('h1').textContent()).toContain('St Mary\'s <script>window.pwned=1</script> Primary');
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  const rows = page.locator('#networks tbody tr');
  expect(await rows.count()).toBe(3);
  expect(await rows.nth(1).textContent()).toContain('127.20.0.0/16');
  const dnsPort = String(daemon.config.dns.listen[0]!.port);
  expect(await page.locator('main').textContent()).toContain(`udp 127.0.0.1:${dnsPort}`);
  const file = join(shots, 'status.png');
  await page.screenshot({ path: file, fullPage: true });
  expect((await stat(file)).size).toBeGreaterThan(5_000);
  await page.close();
});

it('serves the same status as JSON for the web UI', async () => {
  const { address, port } = daemon.config.web.admin;
  const response = await fetch(`http://${address}:${port}/api/status`);
  expect(response.status).toBe(200);
  const body = await response.json() as { networks: unknown[]; site: string };
  expect(body.networks).toHaveLength(3);
  expect(body.site).toContain('St Mary');
});
