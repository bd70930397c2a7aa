// The visitor portal end to end, with the daemon's own web surface: a guest device that took
// a lease from Schoolgate lands on the portal from any HTTP site and its OS probe, the RFC 8908
// document says captive; a voucher issued with the CLI and redeemed by the guest's POST lets it
// reach the internet over 443 (never 22, which a pupil reaches, so the port is open) and the
// document says not captive; a restart that finds no table (a reboot) loads it back; revoked with
// the CLI, it is back on the portal at once. The voucher names a policy ("staff-visitor", social
// networks allowed): a name the guest policy blocks is answered for real while the device is
// signed in (also after the restart), and blocked again once the voucher is revoked.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLIENTS, GW_WAN_INTERFACE, INTERNET, schoolNetwork } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT, withDhcp } from '../../scripts/netlab/gateway.ts';
import { LISTED_SITE } from '../../scripts/netlab/zones.ts';
import type { CheckReport } from '../../firmware/dns/policy/check-name.ts';
import type { Config } from '../../firmware/config/schema.ts';
import type { VoucherIssued, VoucherRevoked } from '../../firmware/portal/vouchers/methods.ts';
import { useLab } from './support/lab.ts';
import { listen, reaches } from './support/tcp-probe.ts';

const lab = useLab({ name: 'portal-voucher.test' });
const GUEST = CLIENTS.find((c) => c.ns === 'guest')!;
// The web surface serves the portal on port 80 of the guest gateway address.
const PORTAL = { address: schoolNetwork('guest').gateway, port: 80 };
const PORTAL_URL = `http://${PORTAL.address}`;

async function cli(args: string[]): Promise<string> {
  const r = await lab().run('gw', [NODE, MAIN, ...args, '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT });
  return r.stdout;
}

async function config(): Promise<Config> {
  const c = withDhcp(lab().gatewayConfig(), ['guest']);
  c.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
  c.web.portal = PORTAL;
  const file = join(lab().scratch('lists'), 'social.txt');
  await writeFile(file, `${LISTED_SITE}\n`);
  c.lists.push({ id: 'lab-social', name: 'Lab social networks', category: 'social', file, format: 'domains', enabled: true });
  const staff = c.policies.find((p) => p.id === 'staff')!;
  c.policies.push({ ...structuredClone(staff), id: 'staff-visitor', name: 'Visiting staff' });
  return c;
}

describe('a guest signs in with a voucher', () => {
  test('portal until a voucher is redeemed; then 443 and not 22, not captive, its policy in DNS; revoked, back to the portal and the guest policy', async () => {
    await lab().startGateway(await config());
    const { lease } = await lab().dhcp('guest', 'udhcpc');
    // DNS answers a guest before and after it signs in: which address it gives for the social name.
    const resolve = async () => {
      const r = await lab().exec('guest', ['dig', '+short', '+time=3', '+tries=1', '-b', lease.address, `@${PORTAL.address}`, LISTED_SITE, 'A']);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const blockedAnswer = PORTAL.address;
    expect(await resolve()).toBe(blockedAnswer);
    // Every request from the leased address (the static one is no lease's).
    const curl = (args: string[]) => lab().exec('guest', ['curl', '-s', '--max-time', '5', '--interface', lease.address, ...args]);
    const captive = async () => {
      const r = await curl(['-D', '-', `${PORTAL_URL}/api/captive-portal`]);
      expect(r.stdout, r.stderr).toMatch(/content-type: application\/captive\+json/i);
      return JSON.parse(r.stdout.slice(r.stdout.indexOf('\r\n\r\n') + 4)) as { captive: boolean; 'user-portal-url': string; 'seconds-remaining'?: number };
    };
    const landsOnPortal = async () => {
      const site = await curl(['-L', `http://${INTERNET.web}/whoami`]);
      expect(site.stdout, site.stderr).toContain('Sign in with your code');
      const probe = await curl(['-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', '--resolve', `captive.apple.com:80:${INTERNET.web}`, 'http://captive.apple.com/hotspot-detect.html']);
      expect(probe.stdout).toBe(`302 ${PORTAL_URL}/portal`);
    };

    await landsOnPortal();
    expect(await captive()).toEqual({ 'captive': true, 'user-portal-url': `${PORTAL_URL}/portal` });
    expect((await curl(['-k', '-o', '/dev/null', `https://${INTERNET.web}/whoami`])).code).not.toBe(0);

    const unknown = await lab().exec('gw', [NODE, MAIN, 'vouchers', 'issue', '--valid', '2h', '--policy', 'no-such-policy', '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('there is no policy "no-such-policy"');
    const issued = JSON.parse(await cli(['vouchers', 'issue', '--valid', '2h', '--devices', '2', '--for', 'Lab visitor', '--policy', 'staff-visitor', '--json'])) as VoucherIssued;
    expect(issued.voucher.policyId).toBe('staff-visitor');
    expect(issued.code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(await cli(['vouchers'])).not.toContain(issued.code);
    const signIn = await curl(['--data-urlencode', `code=${issued.code.toLowerCase()}`, '--data-urlencode', 'accept=builtin-1', `${PORTAL_URL}/portal`]);
    expect(signIn.stdout, signIn.stderr).toContain('online until');
    expect((await lab().run('gw', ['nft', 'list', 'set', 'inet', 'schoolgate', 'authorised_guests'])).stdout).toContain(`${lease.address} . ${GUEST.mac}`);
    // The voucher's policy, not the guest network's: the social name is answered for real.
    expect(await resolve()).toBe(INTERNET.web2);
    const check = JSON.parse(await cli(['check', LISTED_SITE, '--network', 'guest', '--device', GUEST.mac, '--json'])) as CheckReport;
    expect(check).toMatchObject({ answer: 'allowed', policy: { policy: { id: 'staff-visitor', source: 'voucher' } } });

    // The real site over HTTPS and HTTP (which saw the uplink, not the portal), the OS probe's real answer.
    const site = await curl(['-k', `https://${INTERNET.web}/whoami`]);
    expect(site.code, site.stderr).toBe(0);
    expect(JSON.parse(site.stdout)).toMatchObject({ scheme: 'https' });
    const probe = await curl(['--resolve', `captive.apple.com:80:${INTERNET.web}`, 'http://captive.apple.com/hotspot-detect.html']);
    expect(probe.stdout).toContain('<TITLE>Success</TITLE>');
    // Port 22 answers on the internet (the pupil reaches it), the guest does not.
    await listen(lab(), 'wan', INTERNET.web, 22);
    expect(await reaches(lab(), 'pupil', INTERNET.web, 22)).toBe(true);
    const ssh = await curl(['-o', '/dev/null', `telnet://${INTERNET.web}:22`]);
    expect(ssh.code, 'curl reached port 22').toBe(7);
    const doc = await captive();
    expect(doc.captive).toBe(false);
    expect(doc['seconds-remaining']).toBeGreaterThan(7000);

    // A reboot: the daemon stops and the table goes; the new start loads the authorisation again.
    await lab().stopGateway();
    await lab().run('gw', ['nft', 'delete', 'table', 'inet', 'schoolgate']);
    await lab().startGateway(await config());
    expect((await lab().run('gw', ['nft', 'list', 'set', 'inet', 'schoolgate', 'authorised_guests'])).stdout).toContain(`${lease.address} . ${GUEST.mac}`);
    expect(await resolve()).toBe(INTERNET.web2);
    const again = await curl(['-k', '-o', '/dev/null', `https://${INTERNET.web}/whoami`]);
    expect(again.code, again.stderr).toBe(0);

    const revoked = JSON.parse(await cli(['vouchers', 'revoke', String(issued.voucher.id), '--reason', 'lab: visit over', '--json'])) as VoucherRevoked;
    expect(revoked).toMatchObject({ enforced: true, ended: [{ mac: GUEST.mac, endedReason: 'revoked' }] });
    expect(await resolve()).toBe(blockedAnswer);
    await landsOnPortal();
    expect((await captive()).captive).toBe(true);
    expect((await curl(['-k', '-o', '/dev/null', `https://${INTERNET.web}/whoami`])).code).not.toBe(0);
    const audit = await cli(['audit', '--action', 'voucher.revoke']);
    expect(audit).toContain('lab: visit over');
  });
});
