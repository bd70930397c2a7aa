// The records of a guest device name the visitor and the sponsor, end to end with the daemon: a
// guest registers on the portal (curl's form post), the sponsor approves through the admin API
// from the staff network, the guest looks up a name the guest policy blocks (gambling) through
// the gateway's DNS; the alert that raises, and `schoolgate data export` of the device, name
// "visitor NAME (ORG), sponsored by STAFF". The sponsor's account is put in state.db before the
// daemon starts, as in portal-register.test.ts.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hashPassword } from '../../firmware/admin/auth/password.ts';
import type { Config } from '../../firmware/config/schema.ts';
import type { Alert } from '../../firmware/monitor/alerts/alert-schema.ts';
import type { SubjectExport } from '../../firmware/monitor/subject/subject-schema.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { ADMIN_PORT, CLIENTS, GW_WAN_INTERFACE, schoolNetwork } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT, withDhcp } from '../../scripts/netlab/gateway.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'guest-records.test' });
const GUEST = CLIENTS.find((c) => c.ns === 'guest')!;
const PORTAL_URL = `http://${schoolNetwork('guest').gateway}:8881`;
const ADMIN = `http://${schoolNetwork('staff').gateway}:${ADMIN_PORT}`;
const PASSWORD = 'Heron-Lantern-42-lab';
const BLOCKED = 'casino.guest-records.test';
const ADA = 'visitor Ada Supply (County Supply Ltd), sponsored by Amy Teacher';

async function cli(args: string[]): Promise<string> {
  const r = await lab().run('gw', [NODE, MAIN, ...args, '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT });
  return r.stdout;
}

async function config(): Promise<Config> {
  const list = join(lab().scratch('lists'), 'gambling.txt');
  await writeFile(list, `${BLOCKED}\n`);
  const c = withDhcp(lab().gatewayConfig(), ['guest']);
  c.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
  c.web.portal = { address: schoolNetwork('guest').gateway, port: 8881 };
  c.lists.push({ id: 'lab-gambling', name: 'Lab gambling', category: 'gambling', file: list, format: 'domains', enabled: true });
  return c;
}

describe('a guest device\'s records name its visitor and sponsor', () => {
  test('registered and approved, a blocked lookup: the alert and the export say who and who sponsored them', async () => {
    await lab().startGateway(await config());
    await lab().stopGateway();
    const state = StateDatabase.open(join(lab().gateway!.dataDir, 'state.db'));
    const amy = state.accounts.insert({ username: 'amy', displayName: 'Amy Teacher', email: null, passwordHash: await hashPassword(PASSWORD), mustChangePassword: false, breakGlass: false, roles: ['staff'], createdAt: new Date().toISOString() });
    state.close();
    await lab().startGateway(await config());

    const { lease } = await lab().dhcp('guest', 'udhcpc');
    const curl = (args: string[]) => lab().exec('guest', ['curl', '-s', '--max-time', '5', '--interface', lease.address, ...args]);
    const sent = await curl(['-L', '--data-urlencode', 'name=Ada Supply', '--data-urlencode', 'organisation=County Supply Ltd', '--data-urlencode', 'purpose=Supply teaching',
      '--data-urlencode', `sponsorId=${amy.id}`, '--data-urlencode', 'accept=builtin-1', `${PORTAL_URL}/portal/register`]);
    expect(sent.stdout, sent.stderr).toContain('Waiting for Amy Teacher to approve');

    const staff = (args: string[]) => lab().exec('staff', ['curl', '-s', '--max-time', '10', ...args]);
    const signIn = await staff(['-D', '-', '-H', 'content-type: application/json', '-H', `origin: ${ADMIN}`, '--data', JSON.stringify({ username: 'amy', password: PASSWORD }), `${ADMIN}/api/session`]);
    expect(signIn.stdout, signIn.stderr).toMatch(/^HTTP\/1\.1 200/);
    const cookie = /^set-cookie: (schoolgate_session=[^;]+)/im.exec(signIn.stdout)![1]!;
    const csrf = (JSON.parse(signIn.stdout.slice(signIn.stdout.indexOf('\r\n\r\n') + 4)) as { csrfToken: string }).csrfToken;
    const queue = JSON.parse((await staff(['-H', `cookie: ${cookie}`, `${ADMIN}/api/visitors/queue`])).stdout) as { requests: { id: number }[] };
    const approved = await staff(['-H', `cookie: ${cookie}`, '-H', `x-csrf-token: ${csrf}`, '-H', `origin: ${ADMIN}`, '-H', 'content-type: application/json',
      '--data', JSON.stringify({ validity: { hours: 2 }, maxDevices: 1 }), `${ADMIN}/api/visitors/${queue.requests[0]!.id}/approve`]);
    expect(JSON.parse(approved.stdout)).toMatchObject({ deviceOnline: true });

    const dig = await lab().exec('guest', ['dig', '+time=3', '+tries=1', `@${schoolNetwork('guest').gateway}`, BLOCKED, 'A']);
    // Blocked: the guest policy answers with the gateway's address, where the block page is.
    expect(dig.stdout).toMatch(new RegExp(`IN\\s+A\\s+${schoolNetwork('guest').gateway.replaceAll('.', '\\.')}`));

    // The question reaches the query log and the alert rules through the writer: ask until they hold it.
    let alert: Alert | undefined;
    await expect.poll(async () => {
      alert = (JSON.parse(await cli(['alerts', '--all', '--json'])) as { alerts: Alert[] }).alerts.find((a) => a.subject === BLOCKED);
      return alert !== undefined;
    }, { timeout: 20_000, interval: 250 }).toBe(true);
    expect(alert).toMatchObject({ kind: 'dns.category', mac: GUEST.mac, networkId: 'guest', details: { visitor: ADA } });
    expect(alert!.reason).toContain(ADA);
    expect(await cli(['alerts', '--all'])).toContain(ADA);

    const out = join(lab().scratch('export'), 'guest.json');
    let doc: SubjectExport | undefined;
    await expect.poll(async () => {
      await cli(['data', 'export', '--device', GUEST.mac, '--out', out]);
      doc = JSON.parse(await readFile(out, 'utf8')) as SubjectExport;
      return doc.queryEvents.some((e) => e.name === BLOCKED);
    }, { timeout: 20_000, interval: 250 }).toBe(true);
    expect(doc!.queryEvents.find((e) => e.name === BLOCKED)).toMatchObject({ network: 'guest', device: GUEST.mac, verdict: 'blocked', visitor: ADA });
    expect(doc!.guestVisits).toEqual([expect.objectContaining({ networkId: 'guest', visitor: ADA })]);
  });
});
