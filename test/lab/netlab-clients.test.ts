// The lab's client tooling against real servers: udhcpc and dhclient with the lab's own hook
// scripts (which must configure the device and leave the host's files alone), and Chromium as a
// device on a school network. The DHCP server here is Debian's dnsmasq in gw, standing in for
// no product feature: Schoolgate's own DHCP is tested in dhcp.test.ts.
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { INTERNET, TETHER, gatewayInterface, schoolNetwork } from '../../scripts/netlab/addresses.ts';
import { TEST_PAGE_TEXT } from '../../scripts/netlab/services.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'netlab-clients.test', clients: 'none' });
const pupil = schoolNetwork('pupil');
const PORTAL = 'https://portal.school.test/api/captive';

const hostResolvConf = readFileSync('/etc/resolv.conf', 'utf8');
const hostLeases = '/var/lib/dhcp/dhclient.leases';
const hostLeasesBefore = existsSync(hostLeases) ? statSync(hostLeases).mtimeMs : undefined;

beforeAll(async () => {
  const dir = lab().scratch('dhcp-server');
  const log = join(dir, 'dnsmasq.log');
  closeSync(openSync(log, 'a'));
  lab().spawn('gw', ['/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--no-resolv', '--no-hosts',
    `--interface=${gatewayInterface(pupil, lab().vlans)}`, '--bind-interfaces', '--user=root', '--group=root', '--no-ping',
    `--dhcp-range=${pupil.pool.first},${pupil.pool.last},255.255.255.0,1h`, `--dhcp-option=option:router,${pupil.gateway}`,
    `--dhcp-option=option:dns-server,${pupil.gateway}`, `--dhcp-option=114,${PORTAL}`,
    `--dhcp-leasefile=${join(dir, 'leases')}`, `--pid-file=${join(dir, 'pid')}`, `--log-facility=${log}`, '--log-dhcp']);
  // Ready when it has logged its DHCP startup line.
  const deadline = Date.now() + 10_000;
  while (!readFileSync(log, 'utf8').includes('DHCP, IP range')) {
    if (Date.now() > deadline) throw new Error(`dnsmasq (DHCP) did not start:\n${readFileSync(log, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
});

function inPool(address: string): boolean {
  const last = Number(address.split('.')[3]);
  return address.startsWith('10.20.0.') && last >= 100 && last <= 199;
}

describe('DHCP clients with the lab\'s hook scripts', () => {
  test('udhcpc takes a lease, configures the device and records the options', async () => {
    const { lease } = await lab().dhcp('pupil', 'udhcpc');
    expect(inPool(lease.address)).toBe(true);
    expect(lease).toMatchObject({ client: 'udhcpc', prefixLength: 24, router: pupil.gateway, dns: [pupil.gateway], captivePortal: PORTAL });
    const addrs = (await lab().run('pupil', ['ip', '-4', '-o', 'address', 'show', 'dev', 'eth0'])).stdout;
    expect(addrs).toContain(`${lease.address}/24`);
    expect((await lab().run('pupil', ['ip', 'route', 'show', 'default'])).stdout).toContain(`via ${pupil.gateway}`);
    const seen = JSON.parse((await lab().run('pupil', ['curl', '-sS', '--max-time', '5', `http://${INTERNET.web}/whoami`])).stdout) as { client: string };
    expect(seen.client).toBe(lease.address);
  });

  test('dhclient takes a lease for the hotspot, and its tethered phone gets out through it', async () => {
    const { lease } = await lab().dhcp('hotspot', 'dhclient');
    expect(inPool(lease.address)).toBe(true);
    expect(lease).toMatchObject({ client: 'dhclient', prefixLength: 24, router: pupil.gateway, dns: [pupil.gateway] });
    const seen = JSON.parse((await lab().run('tethered', ['curl', '-sS', '--max-time', '5', `http://${INTERNET.web}/whoami`])).stdout) as { client: string };
    expect(seen.client).toBe(lease.address);
    expect(seen.client).not.toBe(TETHER.tethered);
  });

  test('neither client touched the host\'s resolver settings or lease files', () => {
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(hostResolvConf);
    expect(existsSync(hostLeases) ? statSync(hostLeases).mtimeMs : undefined).toBe(hostLeasesBefore);
  });
});

/**
 * page.goto, asked again when Chromium reports ERR_NETWORK_CHANGED: its netlink watcher sees the
 * namespace's addresses settle (a lease, IPv6 DAD) and fails a navigation in flight, as it would a
 * person's, who would reload. Chromium then loads its own error page, which can interrupt the
 * next try ("interrupted by another navigation to chrome-error://"): that counts as the same
 * failure, and each try waits for the network to settle first. Any other error stands.
 */
const NETWORK_CHANGED = /ERR_NETWORK_CHANGED|interrupted by another navigation to "chrome-error:/;
async function gotoSettled(page: Page, url: string): ReturnType<Page['goto']> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await page.goto(url);
    } catch (error) {
      if (attempt >= 4 || !NETWORK_CHANGED.test((error as Error).message)) throw error;
      console.log(`Chromium: ${url} hit a network change, asking again (attempt ${attempt + 1})`);
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

describe('Chromium as a device on the pupil network', () => {
  const mapToWan = `--host-resolver-rules=MAP school.test ${INTERNET.web}`;
  let closeAll: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.all(closeAll.map((c) => c()));
    closeAll = [];
  });

  test('loads the test site over HTTPS, trusting the lab certificate, from the device\'s own address', async () => {
    const browser = await lab().chromium('pupil', { args: [mapToWan] });
    closeAll.push(() => browser.close());
    const page = await browser.newPage();
    const response = await gotoSettled(page, 'https://school.test/');
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe(TEST_PAGE_TEXT);
    await gotoSettled(page, 'https://school.test/whoami');
    const seen = JSON.parse(await page.locator('body').innerText()) as { client: string; scheme: string };
    expect(seen.scheme).toBe('https');
    expect(inPool(seen.client)).toBe(true);
  });

  test('refuses the same site when the lab certificate is not trusted', async () => {
    const browser = await lab().chromium('pupil', { args: [mapToWan], spkiSha256: '' });
    closeAll.push(() => browser.close());
    const page = await browser.newPage();
    await expect(gotoSettled(page, 'https://school.test/')).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
  });
});
