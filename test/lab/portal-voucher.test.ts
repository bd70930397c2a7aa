// The visitor portal end to end, with the daemon's own web surface: a guest device that took
// a lease from Schoolgate lands on the portal from any HTTP site and its OS probe, the RFC 8908
// document says captive; a voucher issued with the CLI and redeemed by the guest's POST lets it
// reach the internet over 443 (never 22, which a pupil reaches, so the port is open) and the
// document says not captive; a restart that finds no table (a reboot) loads it back; revoked with
// the CLI, it is back on the portal at once.
import { describe, expect, test } from 'vitest';
import { CLIENTS, GW_WAN_INTERFACE, INTERNET, schoolNetwork } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT, withDhcp } from '../../scripts/netlab/gateway.ts';
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

function config(): Config {
  const c = withDhcp(lab().gatewayConfig(), ['guest']);
  c.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
  c.web.portal = PORTAL;
  return c;
}

describe('a guest signs in with a voucher', () => {
  test('portal until a voucher is redeemed; then 443 and not 22, not captive; revoked, back to the portal', async () => {
    await lab().startGateway(config());
    const { lease } = await lab().dhcp('guest', 'udhcpc');
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

    const issued = JSON.parse(await cli(['vouchers', 'issue', '--valid', '2h', '--devices', '2', '--for', 'Lab visitor', '--json'])) as VoucherIssued;
    expect(issued.code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(await cli(['vouchers'])).not.toContain(issued.code);
    const signIn = await curl(['--data-urlencode', `code=${issued.code.toLowerCase()}`, '--data-urlencode', 'accept=builtin-1', `${PORTAL_URL}/portal`]);
    expect(signIn.stdout, signIn.stderr).toContain('online until');
    expect((await lab().run('gw', ['nft', 'list', 'set', 'inet', 'schoolgate', 'authorised_guests'])).stdout).toContain(`${lease.address} . ${GUEST.mac}`);

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
    await lab().startGateway(config());
    expect((await lab().run('gw', ['nft', 'list', 'set', 'inet', 'schoolgate', 'authorised_guests'])).stdout).toContain(`${lease.address} . ${GUEST.mac}`);
    const again = await curl(['-k', '-o', '/dev/null', `https://${INTERNET.web}/whoami`]);
    expect(again.code, again.stderr).toBe(0);

    const revoked = JSON.parse(await cli(['vouchers', 'revoke', String(issued.voucher.id), '--reason', 'lab: visit over', '--json'])) as VoucherRevoked;
    expect(revoked).toMatchObject({ enforced: true, ended: [{ mac: GUEST.mac, endedReason: 'revoked' }] });
    await landsOnPortal();
    expect((await captive()).captive).toBe(true);
    expect((await curl(['-k', '-o', '/dev/null', `https://${INTERNET.web}/whoami`])).code).not.toBe(0);
    const audit = await cli(['audit', '--action', 'voucher.revoke']);
    expect(audit).toContain('lab: visit over');
  });
});
