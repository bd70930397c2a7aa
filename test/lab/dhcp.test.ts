// Schoolgate's own DHCP server against real clients (busybox udhcpc, ISC dhclient) in the lab's
// staff, pupil and guest namespaces: each gets an address from its network's pool and the right
// options (option 114 on guest only), renews, keeps its address across a restart and a kill -9,
// gets its reservation; another DHCP server on a school network is reported; a starvation run
// leaves room for a real device; DNS questions from a leased address name the device.
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLIENTS, SCHOOL_NETWORKS, gatewayInterface, schoolNetwork, type SchoolNetworkId } from '../../scripts/netlab/addresses.ts';
import { NODE, MAIN, REPO_ROOT, withDhcp } from '../../scripts/netlab/gateway.ts';
import type { Config } from '../../firmware/config/schema.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'dhcp.test', clients: 'none' });
const PORTAL = 'https://10.30.0.1/api/captive-portal';
const RESERVED = '10.20.0.150';
const hotspot = CLIENTS.find((c) => c.ns === 'hotspot')!;

function dhcpConfig(): Config {
  const config = withDhcp(lab().gatewayConfig());
  for (const n of config.networks) if (n.id === 'guest' && n.dhcp) n.dhcp.captivePortal = PORTAL;
  config.reservations = [{ mac: hotspot.mac, address: RESERVED, name: 'Hotspot phone' }];
  return config;
}

function inPool(network: SchoolNetworkId, address: string): boolean {
  const { pool } = schoolNetwork(network);
  const n = (a: string): number => Number(a.split('.')[3]);
  return address.split('.').slice(0, 3).join('.') === pool.first.split('.').slice(0, 3).join('.') && n(address) >= n(pool.first) && n(address) <= n(pool.last);
}

/** A read-only look at the gateway's state.db (WAL: readers see every committed lease). */
function stateDb<T>(read: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(join(lab().gateway!.dataDir, 'state.db'), { readOnly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const boundLeases = (): Array<{ network_id: string; address: string; mac: string }> =>
  stateDb((db) => db.prepare("SELECT network_id, address, mac FROM leases WHERE state = 'bound'").all() as never);

async function cli(args: string[]): Promise<string> {
  const r = await lab().run('gw', [NODE, MAIN, ...args, '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT });
  return r.stdout;
}

async function dhclientStop(ns: 'staff' | 'pupil' | 'guest'): Promise<void> {
  // -x: stop the background dhclient without releasing (its lease stays, as a sleeping laptop's would).
  await lab().exec(ns, ['dhclient', '-x', '-pf', join(lab().dir, `dhclient-${ns}.pid`)]);
}

const udhcpcAddress: Partial<Record<SchoolNetworkId, string>> = {};

describe('Schoolgate DHCP with real clients', () => {
  test('udhcpc and dhclient on staff, pupil and guest: the right pool and options, 114 on guest only, leases stored', async () => {
    await lab().startGateway(dhcpConfig());
    for (const network of SCHOOL_NETWORKS) {
      const ns = network.id;
      const { lease } = await lab().dhcp(ns, 'udhcpc');
      expect(inPool(ns, lease.address), `${ns} ${lease.address}`).toBe(true);
      expect(lease).toMatchObject({ prefixLength: 24, router: network.gateway, dns: [network.gateway], serverId: network.gateway, domain: 'school.test', leaseSeconds: 3600 });
      expect(lease.captivePortal).toBe(ns === 'guest' ? PORTAL : undefined);
      udhcpcAddress[ns] = lease.address;

      const second = await lab().dhcp(ns, 'dhclient');
      await dhclientStop(ns);
      expect(inPool(ns, second.lease.address), `${ns} dhclient ${second.lease.address}`).toBe(true);
      expect(second.lease).toMatchObject({ prefixLength: 24, router: network.gateway, dns: [network.gateway], domain: 'school.test' });
    }
    const stored = boundLeases();
    for (const network of SCHOOL_NETWORKS) {
      expect(stored.filter((l) => l.network_id === network.id).map((l) => l.address)).toContain(udhcpcAddress[network.id]);
    }
    const listed = JSON.parse(await cli(['leases', '--json'])) as { leases: Array<{ address: string }> };
    expect(listed.leases.map((l) => l.address)).toEqual(expect.arrayContaining(Object.values(udhcpcAddress)));
  });

  test('a returning client gets its address again, across a restart and a kill -9', async () => {
    // udhcpc asks for nothing in particular: the server must remember it.
    const again = await lab().dhcp('pupil', 'udhcpc');
    expect(again.lease.address).toBe(udhcpcAddress.pupil);
    await lab().stopGateway();
    await lab().startGateway(dhcpConfig());
    expect((await lab().dhcp('pupil', 'udhcpc')).lease.address).toBe(udhcpcAddress.pupil);
    process.kill(lab().gateway!.pid!, 'SIGKILL');
    await lab().stopGateway();
    expect(lab().gateway!.exit?.signal).toBe('SIGKILL');
    await lab().startGateway(dhcpConfig());
    expect((await lab().dhcp('staff', 'udhcpc')).lease.address).toBe(udhcpcAddress.staff);
    expect((await lab().dhcp('guest', 'udhcpc')).lease.address).toBe(udhcpcAddress.guest);
  });

  test('a client renews (a unicast REQUEST with its address) and keeps its address', async () => {
    const { argv, env } = lab().dhcpCommand('pupil', 'udhcpc', { once: false });
    const child = lab().spawn('pupil', argv, { env });
    try {
      const status = async (): Promise<number> => (JSON.parse(await cli(['status', '--json'])) as { dhcp: { networks: Array<{ id: string; outcomes: Record<string, number> }> } })
        .dhcp.networks.find((n) => n.id === 'pupil')!.outcomes.ack ?? 0;
      const lease = async (): Promise<string | undefined> => (await lab().lease('pupil', 'udhcpc'))?.address;
      await expect.poll(lease, { timeout: 15_000 }).toBe(udhcpcAddress.pupil);
      const acks = await status();
      child.kill('SIGUSR1'); // busybox udhcpc: renew now
      await expect.poll(status, { timeout: 15_000 }).toBeGreaterThan(acks);
      expect(await lease()).toBe(udhcpcAddress.pupil);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a reservation is honoured, and names the device', async () => {
    const { lease } = await lab().dhcp('hotspot', 'udhcpc');
    expect(lease.address).toBe(RESERVED);
    const devices = JSON.parse(await cli(['devices', '--json'])) as { devices: Array<{ mac: string; name: string; networkId: string }> };
    expect(devices.devices.find((d) => d.mac === hotspot.mac)).toMatchObject({ name: 'Hotspot phone', networkId: 'pupil' });
  });

  test('a school-owned device asking for an address on the guest network is an event', async () => {
    const guestClient = CLIENTS.find((c) => c.ns === 'guest')!;
    await cli(['devices', 'owner', guestClient.mac, 'school']);
    await lab().dhcp('guest', 'udhcpc');
    const events = stateDb((db) => db.prepare("SELECT network_id, mac FROM network_events WHERE kind = 'dhcp.school-device-on-guest'").all());
    expect(events).toEqual([{ network_id: 'guest', mac: guestClient.mac }]);
  });

  test('DNS questions from a leased address carry the device (its MAC) in the query log', async () => {
    const pupilClient = CLIENTS.find((c) => c.ns === 'pupil')!;
    const address = (await lab().dhcp('pupil', 'udhcpc')).lease.address;
    const name = `device-${Date.now()}.example.test`;
    await lab().exec('pupil', ['dig', '+time=2', '+tries=1', `@${schoolNetwork('pupil').gateway}`, name]);
    const logged = (): unknown => {
      const db = new DatabaseSync(join(lab().gateway!.dataDir, 'logs.db'), { readOnly: true });
      try {
        return db.prepare('SELECT client, device FROM query_events WHERE name = ?').get(name);
      } finally {
        db.close();
      }
    };
    await expect.poll(logged, { timeout: 10_000 }).toEqual({ client: address, device: pupilClient.mac });
  });

  test('a starvation run with thousands of MACs leaves room for a real device, and is an event', async () => {
    // perfdhcp: 3000 random client MACs, DISCOVER/REQUEST at 1000/s for 4 s, from the staff namespace.
    await lab().exec('staff', ['perfdhcp', '-4', '-l', 'eth0', '-R', '3000', '-r', '1000', '-p', '4', '-b', 'mac=02:00:00:00:00:00'], { timeoutMs: 30_000 });
    const events = stateDb((db) => db.prepare("SELECT kind, network_id FROM network_events WHERE kind IN ('dhcp.starvation', 'dhcp.pool-exhausted')").all());
    expect(events.length).toBeGreaterThan(0);
    // A device the server has never seen (its own client id) still gets an address on the flooded network.
    const { lease } = await lab().dhcp('staff', 'udhcpc', { sendOptions: ['0x3d:01beefc0ffee01'], timeoutMs: 30_000 });
    expect(inPool('staff', lease.address)).toBe(true);
    expect(lease.address).not.toBe(udhcpcAddress.staff);
    // And the device that already had a lease still gets it back.
    expect((await lab().dhcp('staff', 'udhcpc')).lease.address).toBe(udhcpcAddress.staff);
  });

  test('another DHCP server on a school network is reported with its interface and MAC, even from an address outside our subnet', async () => {
    const staff = schoolNetwork('staff');
    const staffClient = CLIENTS.find((c) => c.ns === 'staff')!;
    const dir = lab().scratch('rogue');
    // A home router plugged into the staff network, on its own 192.168.1.0/24: the gateway cannot
    // ARP for it, so only the frame it sent can name its MAC.
    await lab().run('staff', ['ip', 'link', 'set', 'eth0', 'up']);
    await lab().run('staff', ['ip', 'address', 'add', '192.168.1.1/24', 'dev', 'eth0']);
    lab().spawn('staff', ['/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--no-resolv', '--no-hosts',
      '--interface=eth0', '--bind-interfaces', '--user=root', '--group=root', '--no-ping',
      '--dhcp-range=192.168.1.100,192.168.1.150,255.255.255.0,1h', `--dhcp-leasefile=${join(dir, 'leases')}`, `--pid-file=${join(dir, 'pid')}`]);
    // The watch probes every interface when the service starts (and every few minutes after).
    await lab().stopGateway();
    await lab().startGateway(dhcpConfig());
    const rogue = (): unknown => stateDb((db) => db.prepare("SELECT interface, mac, json_extract(details, '$.server') AS server FROM network_events WHERE kind = 'dhcp.rogue-server'").get());
    await expect.poll(rogue, { timeout: 15_000 }).toEqual({ interface: gatewayInterface(staff, lab().vlans), mac: staffClient.mac, server: '192.168.1.1' });
    expect(await cli(['status'])).toContain('ANOTHER DHCP SERVER SEEN');
    // Only the staff network has it.
    expect(stateDb((db) => db.prepare("SELECT count(*) AS n FROM network_events WHERE kind = 'dhcp.rogue-server' AND network_id <> 'staff'").get())).toEqual({ n: 0 });
  });
});
