// The visitor's whole journey in real browsers, with the daemon's own web surface, firewall and
// admin UI: Chromium in the guest namespace (its only address from Schoolgate's DHCP, which names
// the RFC 8908 API in option 114) opens an HTTP site and lands on the portal, whose API says
// captive; it registers with the real form, naming a sponsor; the sponsor, in a second Chromium on
// the staff network, signs in to the admin UI over HTTPS with a password and TOTP and approves;
// the guest then reaches the site over 443 (port 22 stays shut) and the API says not captive; the
// sponsor ends the visit and the guest is back on the portal. Each portal page is kept as a
// phone-sized screenshot in tmp/screenshots/portal-guest-*.png.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { hashPassword } from '../../firmware/admin/auth/password.ts';
import { totpCode } from '../../firmware/admin/auth/totp.ts';
import type { Config } from '../../firmware/config/schema.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { buildWebui } from '../../scripts/build-webui.ts';
import { GW_WAN_INTERFACE, INTERNET, schoolNetwork } from '../../scripts/netlab/addresses.ts';
import { REPO_ROOT, withDhcp } from '../../scripts/netlab/gateway.ts';
import { useLab } from './support/lab.ts';
import { listen } from './support/tcp-probe.ts';

// No static addresses: each device has only the address Schoolgate's DHCP gave it.
const lab = useLab({ name: 'portal-chromium.test', clients: 'none' });
const GUEST_GW = schoolNetwork('guest').gateway;
const STAFF_GW = schoolNetwork('staff').gateway;
const ADMIN = `https://${STAFF_GW}`;
const SITE = 'www.school.test';
const PASSWORD = 'Heron-Lantern-42-lab';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PHONE = { width: 390, height: 844 };
const SHOTS = join(REPO_ROOT, 'tmp', 'screenshots');

function config(): Config {
  const c = withDhcp(lab().gatewayConfig(), ['guest', 'staff']);
  c.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
  c.web.portal = { address: GUEST_GW, port: 80 };
  c.web.https = {};
  return c;
}

async function shot(page: Page, name: string): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(PHONE.width);
  await page.screenshot({ path: join(SHOTS, `portal-guest-${name}.png`), fullPage: true });
}

/** The RFC 8908 document as the guest's browser gets it (fetched from a portal page: same origin). */
async function captive(page: Page): Promise<{ 'captive': boolean; 'user-portal-url': string; 'seconds-remaining'?: number; type: string }> {
  return page.evaluate(async () => {
    const r = await fetch('/api/captive-portal', { cache: 'no-store' });
    return { ...(await r.json() as { 'captive': boolean; 'user-portal-url': string }), type: r.headers.get('content-type') ?? '' };
  });
}

describe('a visitor\'s phone and their sponsor, in Chromium', () => {
  test('portal from any site; registers; approved in the admin UI; 443 not 22, not captive; ended, back on the portal', async () => {
    const built = buildWebui({ quiet: true });
    // The sponsor's account (with TOTP), put in state.db before the daemon opens it.
    await lab().startGateway(config());
    await lab().stopGateway();
    const state = StateDatabase.open(join(lab().gateway!.dataDir, 'state.db'));
    const amy = state.accounts.insert({ username: 'amy', displayName: 'Amy Teacher', email: null, passwordHash: await hashPassword(PASSWORD), mustChangePassword: false, breakGlass: false, roles: ['staff'], createdAt: new Date().toISOString() });
    state.accounts.update(amy.id, { totpSecret: TOTP_SECRET });
    state.close();
    await built;
    await lab().startGateway(config());
    const { lease } = await lab().dhcp('guest', 'udhcpc');
    await lab().dhcp('staff', 'udhcpc');
    expect(lease.captivePortal).toBe(`https://${GUEST_GW}/api/captive-portal`);
    await mkdir(SHOTS, { recursive: true });

    // The admin UI's certificate is made at first start: the staff browser trusts that one.
    const spki = await lab().exec('staff', ['sh', '-c', `openssl s_client -connect ${STAFF_GW}:443 </dev/null 2>/dev/null | openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`], { timeoutMs: 15_000 });
    expect(spki.stdout.trim(), spki.stderr).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    const browsers: Browser[] = [];
    try {
      const guestBrowser = await lab().chromium('guest');
      browsers.push(guestBrowser);
      // bypassCSP only so the test's own fetch of the API may run in the portal's page (its CSP allows no script).
      const guest = await (await guestBrowser.newContext({ viewport: PHONE, bypassCSP: true })).newPage();

      const landed = await guest.goto(`http://${SITE}/some/page`);
      expect(guest.url()).toBe(`http://${GUEST_GW}/portal`);
      expect(landed!.headers()['x-schoolgate-handler']).toBe('portal');
      await guest.getByRole('heading', { name: 'Sign in with your code' }).waitFor();
      await shot(guest, 'code');
      expect(await captive(guest)).toEqual({ 'captive': true, 'user-portal-url': `http://${GUEST_GW}/portal`, 'type': 'application/captive+json' });

      // The real form: a field left empty is named beside it and nothing typed is lost.
      await guest.getByRole('link', { name: 'Register as a visitor' }).click();
      await guest.waitForURL(`http://${GUEST_GW}/portal/register`);
      await shot(guest, 'register');
      await guest.getByLabel(/Your full name/i).fill('Lab Visitor');
      await guest.getByLabel(/Purpose/i).fill('Supply teaching, Year 4');
      await guest.getByLabel('Who you are visiting').selectOption({ label: 'Amy Teacher' });
      await guest.getByRole('checkbox').check();
      await guest.getByRole('button', { name: 'Ask to go online' }).click();
      await guest.getByText('Type your organisation, or "parent".').waitFor();
      expect(await guest.getByLabel(/Your full name/i).inputValue()).toBe('Lab Visitor');
      await shot(guest, 'register-error');
      await guest.getByLabel(/Organisation/i).fill('County Supply');
      if (!(await guest.getByRole('checkbox').isChecked())) await guest.getByRole('checkbox').check();
      await guest.getByRole('button', { name: 'Ask to go online' }).click();
      await guest.getByText('Waiting for Amy Teacher to approve').waitFor();
      await shot(guest, 'waiting');
      await guest.getByRole('link', { name: /sponsor code/i }).click();
      await guest.waitForURL(`http://${GUEST_GW}/portal/sponsor-code`);
      await shot(guest, 'sponsor-code');
      expect((await captive(guest)).captive).toBe(true);
      expect((await lab().exec('guest', ['curl', '-sk', '-o', '/dev/null', '--max-time', '5', `https://${SITE}/whoami`])).code).not.toBe(0);

      // The sponsor, on the staff network: the admin UI over HTTPS, password then TOTP, and approve.
      const staffBrowser = await lab().chromium('staff', { spkiSha256: spki.stdout.trim() });
      browsers.push(staffBrowser);
      const staff = await (await staffBrowser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      await staff.goto(`${ADMIN}/visitors`);
      await staff.getByLabel('Username').fill('amy');
      await staff.getByLabel('Password').fill(PASSWORD);
      await staff.getByRole('button', { name: 'Sign in' }).click();
      await staff.getByLabel('Code from your authenticator app').fill(totpCode(TOTP_SECRET, Date.now()));
      await staff.getByRole('button', { name: 'Sign in' }).click();
      await staff.waitForURL(`${ADMIN}/visitors`);
      const form = staff.getByRole('form', { name: 'Approve Lab Visitor' });
      await form.getByLabel('How long').selectOption({ label: 'For 2 hours' });
      await form.getByRole('button', { name: 'Approve Lab Visitor' }).click();
      await staff.getByText('Lab Visitor is online now.').waitFor();

      // The guest is online: its "check again" lands on its own page; the site over HTTPS; not 22.
      await guest.goto(`http://${GUEST_GW}/portal/waiting`);
      await guest.getByRole('heading', { name: 'Your guest Wi-Fi' }).waitFor();
      await shot(guest, 'online');
      const doc = await captive(guest);
      expect(doc.captive).toBe(false);
      expect(doc['seconds-remaining']).toBeGreaterThan(7000);
      const site = await guest.goto(`https://${SITE}/whoami`);
      expect(site!.status()).toBe(200);
      expect(await site!.json()).toMatchObject({ scheme: 'https', client: expect.any(String) });
      // Chromium refuses port 22 itself (an unsafe port), so the device's curl asks.
      await listen(lab(), 'wan', INTERNET.web, 22);
      expect((await lab().exec('guest', ['curl', '-s', '-o', '/dev/null', '--max-time', '5', `telnet://${INTERNET.web}:22`])).code, 'the guest reached port 22').toBe(7);

      // The sponsor ends the visit: every device off at once, back on the portal.
      await staff.getByRole('button', { name: 'End Lab Visitor\'s access…' }).click();
      await staff.getByRole('dialog').getByLabel('Reason').fill('lab: visit over');
      await staff.getByRole('dialog').getByRole('button', { name: 'End access now' }).click();
      await staff.getByText('Lab Visitor\'s access has ended on every device.').waitFor();
      await guest.goto(`http://${SITE}/again`);
      expect(guest.url()).toBe(`http://${GUEST_GW}/portal`);
      await guest.getByRole('heading', { name: 'Sign in with your code' }).waitFor();
      expect((await captive(guest)).captive).toBe(true);
      expect((await lab().exec('guest', ['curl', '-sk', '-o', '/dev/null', '--max-time', '5', `https://${SITE}/whoami`])).code).not.toBe(0);
    } finally {
      for (const b of browsers) await b.close();
    }
  });
});
