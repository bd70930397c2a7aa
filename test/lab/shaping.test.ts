// Bandwidth shaping with real traffic: a pupil device that took its lease from Schoolgate gets a
// cap of its own from the CLI, and iperf3 (to the lab's "internet") measures it both ways; with
// the cap cleared the same device gets its network's cap instead, well above the device's, so
// the device's cap is what held it and not the path. Each run is 3 s.
import { describe, expect, test } from 'vitest';
import { CLIENTS, GW_WAN_INTERFACE, INTERNET } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT, withDhcp } from '../../scripts/netlab/gateway.ts';
import type { Config } from '../../firmware/config/schema.ts';
import type { NetView } from '../../firmware/net/net-methods.ts';
import type { CapResultView } from '../../firmware/net/shaping/cap-methods.ts';
import type { DaemonStatus } from '../../firmware/status.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'shaping.test', clients: 'none' });
const PUPIL_MAC = CLIENTS.find((c) => c.ns === 'pupil')!.mac;
const DEVICE = { down: 20, up: 10 };
const NETWORK = { down: 80, up: 60 };

async function cli(args: string[]): Promise<string> {
  return (await lab().run('gw', [NODE, MAIN, ...args, '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT })).stdout;
}

/** Mbit/s the receiving side counted over a 3 s iperf3 run from pupil: download with `-R`. */
async function iperf(direction: 'down' | 'up'): Promise<number> {
  const argv = ['iperf3', '-c', INTERNET.iperf, '-p', String(INTERNET.iperfPort), '-t', '3', '-J', ...(direction === 'down' ? ['-R'] : [])];
  const r = await lab().run('pupil', argv, { timeoutMs: 20_000 });
  const result = JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number } } };
  return result.end.sum_received.bits_per_second / 1e6;
}

function config(): Config {
  const c = withDhcp(lab().gatewayConfig(), ['pupil']);
  c.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
  const pupil = c.policies.find((p) => p.id === c.networks.find((n) => n.id === 'pupil')!.policy)!;
  pupil.bandwidth = { networkDownMbit: NETWORK.down, networkUpMbit: NETWORK.up };
  return c;
}

describe('bandwidth shaping with tc, measured by iperf3', () => {
  test('a device cap of 20 down / 10 up measures within 15%; cleared, the network cap (80 / 60) applies instead', async () => {
    await lab().startGateway(config());
    await lab().dhcp('pupil', 'udhcpc');

    const capped = JSON.parse(await cli(['devices', 'cap', PUPIL_MAC, '--down', `${DEVICE.down}mbit`, '--up', `${DEVICE.up}mbit`, '--json'])) as CapResultView;
    expect(capped).toMatchObject({ enforced: true, device: { capDownKbit: DEVICE.down * 1000, capUpKbit: DEVICE.up * 1000 } });
    const down = await iperf('down');
    const up = await iperf('up');
    expect(down).toBeGreaterThan(DEVICE.down * 0.85);
    expect(down).toBeLessThan(DEVICE.down * 1.15);
    expect(up).toBeGreaterThan(DEVICE.up * 0.85);
    expect(up).toBeLessThan(DEVICE.up * 1.15);

    // This kernel has no CAKE: the fallback is chosen, and said.
    const status = JSON.parse(await cli(['status', '--json'])) as DaemonStatus;
    expect(status.shaping).toMatchObject({ enabled: true, engine: 'htb', error: null });
    expect(status.shaping?.why).toMatch(/no CAKE/);
    const view = JSON.parse(await cli(['net', 'show', '--json'])) as NetView;
    expect(view.shaping?.devices).toEqual([expect.objectContaining({ mac: PUPIL_MAC, downKbit: 20_000, downFrom: 'device', upKbit: 10_000, upFrom: 'device' })]);

    const cleared = JSON.parse(await cli(['devices', 'cap', PUPIL_MAC, '--clear', '--json'])) as CapResultView;
    expect(cleared).toMatchObject({ enforced: true, device: { capDownKbit: null, capUpKbit: null } });
    const downNetwork = await iperf('down');
    const upNetwork = await iperf('up');
    expect(downNetwork).toBeGreaterThan(NETWORK.down * 0.85);
    expect(downNetwork).toBeLessThan(NETWORK.down * 1.15);
    expect(upNetwork).toBeGreaterThan(NETWORK.up * 0.85);
    expect(upNetwork).toBeLessThan(NETWORK.up * 1.15);
    console.log(`iperf3 Mbit/s: device cap ${DEVICE.down}/${DEVICE.up} → ${down.toFixed(1)}/${up.toFixed(1)}; network cap ${NETWORK.down}/${NETWORK.up} → ${downNetwork.toFixed(1)}/${upNetwork.toFixed(1)}`);
  });
});
