// Registration end to end with the daemon's own web surface and admin listener: a guest device with a
// lease from Schoolgate lands on the portal, registers naming a sponsor (curl's form posts, as a
// captive sheet without scripts would send them) and waits, still captive; the sponsor signs in
// to the admin API from the staff network and approves; the guest reaches the internet over 443
// (not 22) and RFC 8908 says not captive; the sponsor withdraws and it is back on the portal.
// The sponsor's account is put in state.db before the daemon starts (the accounts API needs a
// whole setup; test/unit covers it).
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hashPassword } from '../../firmware/admin/auth/password.ts';
import type { Config } from '../../firmware/config/schema.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { ADMIN_PORT, CLIENTS, GW_WAN_INTERFACE, INTERNET, schoolNetwork } from '../../scripts/netlab/addresses.ts';
import { withDhcp } from '../../scripts/netlab/gateway.ts';
import { useLab } from './support/lab.ts';
import { listen } from './support/tcp-probe.ts';

const lab = useLab({ name: 'portal-register.test' });
const GUEST = CLIENTS.find((c) => c.ns === 'guest')!;
// The web surface serves the portal on port 80 of the guest gateway address.
const PORTAL = { address: schoolNetwork('guest').gateway, port: 80 };
const PORTAL_URL = `http://${PORTAL.address}`;
const ADMIN = `http://${schoolNetwork('staff').gateway}:${ADMIN_PORT}`;
const PASSWORD = 'Heron-Lantern-42-lab';

function config(): Config {
  const c = withDhcp(lab().gatewayConfig(), ['guest']);
  c.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
  c.web.portal = PORTAL;
  return c;
}

describe('a visitor registers and their sponsor approves', () => {
  test('captive while waiting; approved from the staff network, 443 and not 22, not captive; withdrawn, back to the portal', async () => {
    // The sponsor's account, before the daemon opens state.db.
    await lab().startGateway(config());
    await lab().stopGateway();
    const state = StateDatabase.open(join(lab().gateway!.dataDir, 'state.db'));
    const amy = state.accounts.insert({ username: 'amy', displayName: 'Amy Teacher', email: null, passwordHash: await hashPassword(PASSWORD), mustChangePassword: false, breakGlass: false, roles: ['staff'], createdAt: new Date().toISOString() });
    state.close();
    await lab().startGateway(config());

    const { lease } = await lab().dhcp('guest', 'udhcpc');
    const curl = (args: string[]) => lab().exec('guest', ['curl', '-s', '--max-time', '5', '--interface', lease.address, ...args]);
    const captive = async () => JSON.parse((await curl([`${PORTAL_URL}/api/captive-portal`])).stdout) as { captive: boolean };

    const landed = await curl(['-L', `http://${INTERNET.web}/whoami`]);
    expect(landed.stdout, landed.stderr).toContain('Register as a visitor');
    const form = await curl([`${PORTAL_URL}/portal/register`]);
    expect(form.stdout).toContain(`<option value="${amy.id}">Amy Teacher</option>`);
    const sent = await curl(['-L', '--data-urlencode', 'name=Lab Visitor', '--data-urlencode', 'organisation=County Supply', '--data-urlencode', 'purpose=Supply teaching',
      '--data-urlencode', `sponsorId=${amy.id}`, '--data-urlencode', 'accept=builtin-1', `${PORTAL_URL}/portal/register`]);
    expect(sent.stdout, sent.stderr).toContain('Waiting for Amy Teacher to approve');
    expect((await captive()).captive).toBe(true);
    expect((await curl(['-k', '-o', '/dev/null', `https://${INTERNET.web}/whoami`])).code).not.toBe(0);

    // The sponsor, from the staff network: sign in, the queue, approve (with the CSRF token).
    const staff = (args: string[]) => lab().exec('staff', ['curl', '-s', '--max-time', '10', ...args]);
    const signIn = await staff(['-D', '-', '-H', 'content-type: application/json', '-H', `origin: ${ADMIN}`, '--data', JSON.stringify({ username: 'amy', password: PASSWORD }), `${ADMIN}/api/session`]);
    expect(signIn.stdout, signIn.stderr).toMatch(/^HTTP\/1\.1 200/);
    const cookie = /^set-cookie: (schoolgate_session=[^;]+)/im.exec(signIn.stdout)![1]!;
    const csrf = (JSON.parse(signIn.stdout.slice(signIn.stdout.indexOf('\r\n\r\n') + 4)) as { csrfToken: string }).csrfToken;
    const queue = JSON.parse((await staff(['-H', `cookie: ${cookie}`, `${ADMIN}/api/visitors/queue`])).stdout) as { pending: number; requests: { id: number; mac: string }[] };
    expect(queue.pending).toBe(1);
    expect(queue.requests[0]!.mac).toBe(GUEST.mac);
    const post = (path: string, body: object) => staff(['-H', `cookie: ${cookie}`, '-H', `x-csrf-token: ${csrf}`, '-H', `origin: ${ADMIN}`, '-H', 'content-type: application/json', '--data', JSON.stringify(body), `${ADMIN}${path}`]);
    const approved = JSON.parse((await post(`/api/visitors/${queue.requests[0]!.id}/approve`, { validity: { hours: 2 }, maxDevices: 1 })).stdout) as { deviceOnline: boolean };
    expect(approved).toMatchObject({ deviceOnline: true, request: { state: 'approved', decidedBy: 'account:amy' } });
    expect((await lab().run('gw', ['nft', 'list', 'set', 'inet', 'schoolgate', 'authorised_guests'])).stdout).toContain(`${lease.address} . ${GUEST.mac}`);

    const site = await curl(['-k', `https://${INTERNET.web}/whoami`]);
    expect(site.code, site.stderr).toBe(0);
    await listen(lab(), 'wan', INTERNET.web, 22);
    expect((await curl(['-o', '/dev/null', `telnet://${INTERNET.web}:22`])).code, 'curl reached port 22').toBe(7);
    expect((await captive()).captive).toBe(false);
    expect((await curl(['-L', `${PORTAL_URL}/portal/waiting`])).stdout).toContain('Your guest Wi-Fi');

    const withdrawn = JSON.parse((await post(`/api/visitors/${queue.requests[0]!.id}/withdraw`, { reason: 'lab: visit over' })).stdout) as object;
    expect(withdrawn).toMatchObject({ state: 'withdrawn', reason: 'lab: visit over' });
    expect((await captive()).captive).toBe(true);
    expect((await curl(['-k', '-o', '/dev/null', `https://${INTERNET.web}/whoami`])).code).not.toBe(0);
  });
});
