// Bandwidth shaping with real traffic: a pupil device that took its lease from Schoolgate gets a
// cap of its own from the CLI, and iperf3 (to the lab's "internet") measures it both ways; with
// the cap cleared the same device gets its network's cap instead, well above the device's, so
// the device's cap is what held it and not the path. Each run is 3 s. Then: a restart onto bare
// interfaces shapes the device again from state.db, a second lease (a new address) is capped at
// once, and every line the renderer writes for a sequence of live changes is accepted by the
// kernel and ends where a fresh full apply does.
import { describe, expect, test } from 'vitest';
import { CLIENTS, GW_WAN_INTERFACE, INTERNET } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT, withDhcp } from '../../scripts/netlab/gateway.ts';
import type { Config } from '../../firmware/config/schema.ts';
import type { NetView } from '../../firmware/net/net-methods.ts';
import type { CapResultView } from '../../firmware/net/shaping/cap-methods.ts';
import type { DaemonStatus } from '../../firmware/status.ts';
import { parseIPv4 } from '../../firmware/dhcp/ipv4.ts';
import { planShaping, type LiveDevice, type ShapingPlan } from '../../firmware/net/shaping/plan.ts';
import { shapingChanges } from '../../firmware/net/shaping/render.ts';
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
    expect(view.shaping?.networks).toContainEqual(expect.objectContaining({ network: 'pupil', downKbit: NETWORK.down * 1000, upKbit: NETWORK.up * 1000 }));
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

  test('at start the stored cap is applied again, and a new lease (a new address) is capped at once', async () => {
    await cli(['devices', 'cap', PUPIL_MAC, '--down', '20mbit']);
    const iface = lab().gatewayConfig().networks.find((n) => n.id === 'pupil')!.interface;
    // A reboot: the daemon stops and the kernel forgets every qdisc.
    await lab().stopGateway();
    await lab().run('gw', ['tc', 'qdisc', 'del', 'dev', iface, 'root']);
    await lab().startGateway(config());
    expect((await lab().run('gw', ['tc', 'class', 'show', 'dev', iface])).stdout).toMatch(/ceil 20Mbit/);

    // Another client id from the same MAC: a second lease, at another address.
    const { lease } = await lab().dhcp('pupil', 'udhcpc', { sendOptions: ['0x3d:01025c00200099'] });
    const view = JSON.parse(await cli(['net', 'show', '--json'])) as NetView;
    expect(view.shaping?.devices.map((d) => d.address)).toContain(lease.address);
    const filters = (await lab().run('gw', ['tc', 'filter', 'show', 'dev', iface])).stdout;
    expect(filters).toContain(parseIPv4(lease.address)!.toString(16).padStart(8, '0'));
  });

  test('the renderer\'s lines are accepted by tc and nft, and live changes end where a fresh full apply does', async () => {
    await lab().stopGateway();
    const c = config();
    c.policies.find((p) => p.id === 'pupil')!.bandwidth = { networkDownMbit: 80, networkUpMbit: 60, deviceDownMbit: 10 };
    const plan = (live: LiveDevice[], previous?: ShapingPlan): ShapingPlan => planShaping(
      { networks: c.networks, policies: c.policies, deviceGroups: c.deviceGroups, wanInterface: GW_WAN_INTERFACE, engine: 'htb' },
      live, new Map((previous?.devices ?? []).map((d) => [d.address, d.slot])));
    const dev = (address: string, n: number, down: number | null = null, up: number | null = null): LiveDevice =>
      ({ address: parseIPv4(address)!, mac: `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`, groupId: null, capDownKbit: down, capUpKbit: up });
    const apply = async (changes: ReturnType<typeof shapingChanges>): Promise<void> => {
      if (changes.remove.length > 0) await lab().exec('gw', ['tc', '-force', '-batch', '-'], { input: `${changes.remove.join('\n')}\n` });
      if (changes.tc.length > 0) await lab().run('gw', ['tc', '-batch', '-'], { input: `${changes.tc.join('\n')}\n` });
      if (changes.nft !== '') await lab().run('gw', ['nft', '-f', '-'], { input: changes.nft });
    };
    const kernel = async (p: ShapingPlan): Promise<string> => {
      const out: string[] = [];
      for (const d of p.candidates) {
        for (const what of ['class', 'filter'] as const) {
          const text = (await lab().run('gw', ['tc', what, 'show', 'dev', d])).stdout;
          // One line per class or filter (a u32 filter's match is on the next line), in a fixed order.
          out.push(...text.replace(/\n\s+match/g, ' match').split('\n').filter((l) => l.trim() !== '').map((l) => `${d} ${l.trim()}`).sort());
        }
      }
      return `${out.join('\n')}\n${(await lab().exec('gw', ['nft', 'list', 'map', 'inet', 'schoolgate_shaping', 'upload_class'])).stdout}`;
    };
    const steps = [
      [dev('10.20.0.10', 1, 20_000, 10_000), dev('10.20.0.11', 2), dev('10.10.0.10', 3, 5_000)],
      [dev('10.20.0.10', 1, 30_000, 10_000), dev('10.20.0.11', 2), dev('10.10.0.10', 3, 5_000)], // a cap changed
      [dev('10.20.0.10', 1, 30_000), dev('10.20.0.11', 2), dev('10.10.0.10', 3, 5_000), dev('10.20.0.12', 4, null, 2_000)], // upload cleared, a device came
      [dev('10.20.0.50', 1, 30_000), dev('10.10.0.10', 3, 5_000), dev('10.20.0.12', 4, null, 2_000)], // a new address, a lease ended
      [dev('10.20.0.50', 1, 30_000), dev('10.20.0.12', 4)], // staff's only capped device left: its qdisc goes
    ];
    let previous: ShapingPlan | undefined;
    for (const live of steps) {
      const next = plan(live, previous);
      await apply(shapingChanges(previous, next));
      previous = next;
    }
    const afterLive = await kernel(previous!);
    // The same plan (same slots) applied whole onto cleared interfaces.
    await apply(shapingChanges(undefined, previous!));
    expect(afterLive).toBe(await kernel(previous!));
    // Something was compared: the moved device's filter (10.20.0.50) is there, staff's tree is gone.
    expect(afterLive).toContain('match 0a140032/ffffffff at 16');
    expect(afterLive).not.toContain('lan-staff class');

    // CAKE's leaves (a Pi's kernel) cannot run here, but tc reads their arguments before asking
    // the kernel: this kernel's answer must be "unknown qdisc", never tc's usage message.
    const cakePlan = planShaping({ networks: c.networks, policies: c.policies, deviceGroups: c.deviceGroups, wanInterface: GW_WAN_INTERFACE, engine: 'cake' }, steps[0]!);
    const leaves = [...new Set(shapingChanges(undefined, cakePlan).tc.filter((l) => l.includes(' cake ')).map((l) => l.slice(l.indexOf(' cake ') + 1)))];
    expect(leaves.length).toBeGreaterThanOrEqual(3);
    const pupilIface = c.networks.find((n) => n.id === 'pupil')!.interface;
    for (const leaf of leaves) {
      const r = await lab().exec('gw', ['tc', 'qdisc', 'replace', 'dev', pupilIface, 'parent', '1:41', 'handle', '41:', ...leaf.split(' ')]);
      expect(r.stderr, leaf).not.toMatch(/What is|Usage/);
      if (r.code !== 0) expect(r.stderr, leaf).toMatch(/qdisc kind is unknown/);
    }
  });
});
