// Network enforcement with real traffic: Schoolgate in the lab's gateway applies its nftables
// table at start, and clients in the staff, pupil and guest namespaces find out what it lets
// through. Every blocked check is paired with a path that does reach the same listener, so a
// listener that never came up cannot pass for a rule that works.
import { writeFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { ADMIN_PORT, CLIENTS, GW_WAN_INTERFACE, INTERNET, WAN_LINK, schoolNetwork, type LabNs } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT } from '../../scripts/netlab/gateway.ts';
import type { Config } from '../../firmware/config/schema.ts';
import type { NetView } from '../../firmware/net/net-methods.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'firewall.test' });
const STAFF_CLIENT = CLIENTS.find((c) => c.ns === 'staff')!.staticAddress;
const STAFF_PORT = 8000;
// No counters: their numbers change with traffic, and the comparison is of everything else.
const OTHER_TABLE = 'table ip keepme {\n  set held {\n    type ipv4_addr\n    elements = { 192.0.2.7 }\n  }\n  chain watch {\n    type filter hook forward priority 10; policy accept;\n    ip saddr @held drop\n  }\n}\n';

/** A TCP listener that greets every connection with "open", running until the lab goes. */
async function listen(ns: LabNs, address: string, port: number): Promise<void> {
  lab().spawn(ns, ['socat', `TCP-LISTEN:${port},bind=${address},fork,reuseaddr`, 'SYSTEM:echo open']);
  for (;;) {
    const r = await lab().exec(ns, ['ss', '-Hltn', `sport = :${port}`]);
    if (r.stdout.includes(`${address}:${port}`)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Whether a TCP connection from `ns` gets the listener's greeting (a reject fails at once). */
async function reaches(ns: LabNs, address: string, port: number): Promise<boolean> {
  const r = await lab().exec(ns, ['socat', '-T', '3', '-', `TCP:${address}:${port},connect-timeout=3`], { timeoutMs: 10_000 });
  return r.stdout.includes('open');
}

async function cli(args: string[]): Promise<string> {
  return (await lab().run('gw', [NODE, MAIN, ...args, '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT })).stdout;
}

const netShow = async (): Promise<NetView> => JSON.parse(await cli(['net', 'show', '--json'])) as NetView;

const PUPIL_MAC = CLIENTS.find((c) => c.ns === 'pupil')!.mac;

async function web(ns: LabNs, maxSeconds = 5): Promise<boolean> {
  return (await lab().exec(ns, ['curl', '-sk', '-o', '/dev/null', '--max-time', String(maxSeconds), `https://${INTERNET.web}/whoami`])).code === 0;
}

/** Writes `config` to the gateway's file, reloads, and returns net show once the new apply is recorded. */
async function reloadWith(config: Config): Promise<NetView> {
  const { appliedAt } = await netShow();
  await writeFile(lab().gateway!.configFile, `${JSON.stringify(config, null, 2)}\n`);
  await cli(['config', 'reload']);
  // The reload answers before nft has run: wait for the apply it started, by its own record.
  let shown = await netShow();
  while (shown.appliedAt === appliedAt && shown.error === null) shown = await netShow();
  expect(shown.error).toBeNull();
  return shown;
}

function firewallConfig(): Config {
  const config = lab().gatewayConfig();
  config.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
  return config;
}

describe('network enforcement with real traffic', () => {
  test('the ruleset applies at start and leaves a table created before it untouched', async () => {
    await lab().run('gw', ['nft', '-f', '-'], { input: OTHER_TABLE });
    const before = (await lab().run('gw', ['nft', 'list', 'table', 'ip', 'keepme'])).stdout;
    await lab().startGateway(firewallConfig());
    const shown = await netShow();
    expect(shown).toMatchObject({ enabled: true, error: null });
    const status = JSON.parse(await cli(['status', '--json'])) as { firewall?: { enabled: boolean; appliedAt: string | null; error: string | null } };
    expect(status.firewall).toMatchObject({ enabled: true, appliedAt: shown.appliedAt, error: null });
    expect(shown.ruleset).toContain('chain fwd_guest');
    expect(shown.networks.map((n) => n.network)).toEqual(['staff', 'pupil', 'guest']);
    expect(shown.networks.find((n) => n.network === 'guest')!.lines.join('\n')).toContain('web only, TCP 80 and 443');
    expect((await lab().run('gw', ['nft', 'list', 'table', 'ip', 'keepme'])).stdout).toBe(before);
  });

  test('guest reaches the internet on 443 but not on 22, and never the staff network', async () => {
    await Promise.all([listen('wan', INTERNET.web, 22), listen('staff', STAFF_CLIENT, STAFF_PORT)]);
    expect(await web('guest')).toBe(true);
    expect(await reaches('guest', INTERNET.web, 22)).toBe(false);
    expect(await reaches('staff', INTERNET.web, 22)).toBe(true);
    expect(await reaches('guest', STAFF_CLIENT, STAFF_PORT)).toBe(false);
    // The gateway itself (not forwarded) reaches the staff listener: it was there to be refused.
    expect(await reaches('gw', STAFF_CLIENT, STAFF_PORT)).toBe(true);
  });

  test('guest and pupil cannot reach the admin page; staff can', async () => {
    // /healthz answers anyone who can connect; the status needs a session from a staff device.
    const admin = `http://${schoolNetwork('staff').gateway}:${ADMIN_PORT}/healthz`;
    for (const ns of ['guest', 'pupil'] as const) {
      expect((await lab().exec(ns, ['curl', '-s', '-o', '/dev/null', '--max-time', '5', admin])).code, ns).not.toBe(0);
    }
    expect((await lab().exec('staff', ['curl', '-sf', '-o', '/dev/null', '--max-time', '5', admin])).code).toBe(0);
    const status = await lab().exec('staff', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', admin.replace('/healthz', '/api/status')]);
    expect(status.stdout).toBe('401');
  });

  test('DNS to another address is answered by Schoolgate; DNS over TLS (853) is refused', async () => {
    // Nothing on the internet answers DNS at the web address: only interception can.
    const dig = await lab().exec('pupil', ['dig', '+short', '+time=3', '+tries=1', `@${INTERNET.web2}`, 'school.test']);
    expect(dig.stdout.trim(), dig.stdout + dig.stderr).toBe(INTERNET.web);
    await listen('wan', INTERNET.resolver, 853);
    expect(await reaches('staff', INTERNET.resolver, 853)).toBe(false);
    expect(await reaches('gw', INTERNET.resolver, 853)).toBe(true);
  });

  test('a device added to the suspended set loses the internet but keeps DNS; removed, it is back', async () => {
    expect(await web('pupil')).toBe(true);
    await lab().run('gw', ['nft', 'add', 'element', 'inet', 'schoolgate', 'suspended', `{ ${PUPIL_MAC} timeout 1h }`]);
    expect(await web('pupil')).toBe(false);
    expect(await web('staff')).toBe(true);
    const dig = await lab().exec('pupil', ['dig', '+short', '+time=3', '+tries=1', `@${schoolNetwork('pupil').gateway}`, 'school.test']);
    expect(dig.stdout.trim(), dig.stdout + dig.stderr).toBe(INTERNET.web);
    await lab().run('gw', ['nft', 'delete', 'element', 'inet', 'schoolgate', 'suspended', `{ ${PUPIL_MAC} }`]);
    expect(await web('pupil')).toBe(true);
  });

  test('a configuration change is applied: guest switched off loses the internet; the other table is still untouched', async () => {
    const before = (await lab().run('gw', ['nft', 'list', 'table', 'ip', 'keepme'])).stdout;
    const config = firewallConfig();
    config.networks.find((n) => n.id === 'guest')!.enabled = false;
    const shown = await reloadWith(config);
    expect(shown.networks.find((n) => n.network === 'guest')).toMatchObject({ enabled: false });
    // Dropped, not refused (a switched-off network gets no answer at all): a short wait will do.
    expect(await web('guest', 2)).toBe(false);
    expect(await web('pupil')).toBe(true);
    expect((await lab().run('gw', ['nft', 'list', 'table', 'ip', 'keepme'])).stdout).toBe(before);
  });

  test('with a portal, an unauthorised guest\'s web request lands on it and HTTPS is refused; authorised (address and MAC), it reaches the internet', async () => {
    const config = firewallConfig();
    config.web.portal = { address: schoolNetwork('guest').gateway, port: 80 };
    await reloadWith(config);
    // The daemon's web surface serves the portal on the guest gateway's port 80.
    const landed = await lab().exec('guest', ['curl', '-s', '-L', '--max-time', '5', `http://${INTERNET.web}/whoami`]);
    expect(landed.stdout, landed.stderr).toContain('Sign in with your code');
    expect(await web('guest')).toBe(false);
    expect(await web('pupil')).toBe(true);
    const guest = CLIENTS.find((c) => c.ns === 'guest')!;
    await lab().run('gw', ['nft', 'add', 'element', 'inet', 'schoolgate', 'authorised_guests', `{ ${guest.staticAddress} . ${guest.mac} timeout 1h }`]);
    const site = await lab().exec('guest', ['curl', '-s', '--max-time', '5', `http://${INTERNET.web}/whoami`]);
    // The real site, which saw the gateway's uplink address: the guest was masqueraded.
    expect((JSON.parse(site.stdout) as { client: string }).client, site.stderr).toBe(WAN_LINK.gw);
    expect(await web('guest')).toBe(true);
  });

  test('the ruleset outlives the daemon: stopped, pupils are still held to their rules (guest was switched off above) and staff keep working', async () => {
    await lab().stopGateway();
    expect(await reaches('pupil', INTERNET.web, 22)).toBe(true);
    expect(await reaches('pupil', STAFF_CLIENT, STAFF_PORT)).toBe(false);
    expect(await reaches('staff', INTERNET.web, 22)).toBe(true);
  });
});
