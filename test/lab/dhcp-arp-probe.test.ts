// Probe before offer, on the wire: a device on the pupil network was given the pool's first
// address by hand (no lease names it) and the pool has only two addresses, so without the probe
// that address is exactly what the next new client would be offered. With it, a real client
// (udhcpc) gets the other address, and the event names the static device's MAC. Before that, the
// prober alone: several probes at once, each settled by the reply for its own address.
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { CLIENT_INTERFACE, CLIENTS, gatewayInterface, schoolNetwork } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT, withDhcp } from '../../scripts/netlab/gateway.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'dhcp-arp-probe.test', clients: 'none' });
const pupil = schoolNetwork('pupil');
const [first, second] = [pupil.pool.first, pupil.pool.first.replace(/\d+$/, (n) => String(Number(n) + 1))];
/** The device with a static address: the hotspot namespace, which is on the pupil network too. */
const printer = CLIENTS.find((c) => c.ns === 'hotspot')!;

test('probes in flight at once are each answered by the device holding their address, or by nobody', async () => {
  const pupilClient = CLIENTS.find((c) => c.ns === 'pupil')!;
  await lab().run('pupil', ['ip', 'address', 'add', `${pupilClient.staticAddress}/${pupil.prefixLength}`, 'dev', CLIENT_INTERFACE]);
  await lab().run('hotspot', ['ip', 'address', 'add', `${printer.staticAddress}/${pupil.prefixLength}`, 'dev', CLIENT_INTERFACE]);
  const nobody = pupil.pool.last;
  const script = `
    import { ArpProber } from ${JSON.stringify(join(REPO_ROOT, 'firmware/dhcp/arp-probe.ts'))};
    import { parseIPv4 } from ${JSON.stringify(join(REPO_ROOT, 'firmware/dhcp/ipv4.ts'))};
    const prober = new ArpProber(${JSON.stringify(gatewayInterface(pupil, lab().vlans))});
    const asked = ${JSON.stringify([pupilClient.staticAddress, nobody, printer.staticAddress, pupilClient.staticAddress])};
    const answers = await Promise.all(asked.map((a) => prober.probe(parseIPv4(a))));
    prober.close();
    console.log(JSON.stringify({ answers, counters: prober.counters() }));`;
  const r = await lab().run('gw', [NODE, '--input-type=module', '-e', script], { cwd: REPO_ROOT });
  expect(JSON.parse(r.stdout)).toEqual({
    answers: [pupilClient.mac, null, printer.mac, pupilClient.mac],
    counters: { probes: 4, answered: 3, sendErrors: 0, malformed: 0 },
  });
  await lab().run('pupil', ['ip', 'address', 'flush', 'dev', CLIENT_INTERFACE]);
  await lab().run('hotspot', ['ip', 'address', 'flush', 'dev', CLIENT_INTERFACE]);
});

test('a device holding a pool address by hand is not offered away: the client gets another, and the event names the device', async () => {
  await lab().run('hotspot', ['ip', 'address', 'add', `${first}/${pupil.prefixLength}`, 'dev', CLIENT_INTERFACE]);
  const config = withDhcp(lab().gatewayConfig(), ['pupil']);
  for (const n of config.networks) if (n.id === 'pupil' && n.dhcp) n.dhcp.pools = [{ first, last: second }];
  await lab().startGateway(config);

  const { lease } = await lab().dhcp('pupil', 'udhcpc');
  expect(lease.address).toBe(second);

  const db = new DatabaseSync(join(lab().gateway!.dataDir, 'state.db'), { readOnly: true });
  try {
    const events = db.prepare("SELECT network_id, interface, mac, json_extract(details, '$.address') AS address FROM network_events WHERE kind = 'dhcp.address-in-use'").all();
    expect(events).toEqual([{ network_id: 'pupil', interface: expect.any(String), mac: printer.mac, address: first }]);
  } finally {
    db.close();
  }
  const status = await lab().run('gw', [NODE, MAIN, 'status', '--json', '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT });
  const probe = (JSON.parse(status.stdout) as { dhcp: { networks: Array<{ id: string; arpProbe: unknown }> } }).dhcp.networks.find((n) => n.id === 'pupil')!.arpProbe;
  expect(probe).toMatchObject({ on: true, inUse: 1, gaveUp: 0 });
});
