// What bandwidth shaping costs to change, in the lab's gateway namespace with the real tc and nft
// (printed, never asserted: the machine is shared): the whole tree at start with N capped pupil
// devices (download and upload), then one device's cap changed, one device's lease arriving and
// one ending, each a live change (median and p99 over the rounds). No traffic is sent.
// Run as root: node scripts/bench/shaping.ts [devices] [rounds]
import type { Config } from '../../firmware/config/schema.ts';
import { silentLogger } from '../../firmware/log.ts';
import { toolRunner } from '../../firmware/net/shaping/kernel.ts';
import { ShapingService } from '../../firmware/net/shaping/service.ts';
import type { DeviceCaps } from '../../firmware/state/devices.ts';
import type { Device } from '../../firmware/state/schemas.ts';
import { GW_WAN_INTERFACE } from '../netlab/addresses.ts';
import { Lab } from '../netlab/lab.ts';

const [deviceCount = 500, rounds = 50] = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);

function stats(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median=${at(0.5).toFixed(1)} p99=${at(0.99).toFixed(1)}`;
}

const lab = await Lab.create({ name: 'bench-shaping', clients: 'none' });
try {
  const config: Config = lab.gatewayConfig();
  config.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
  const pupil = config.networks.find((n) => n.id === 'pupil')!;
  // The lab's pupil network is a /24: a /20 here so the devices fit, as a real school's would.
  pupil.subnets = ['10.20.0.0/20'];
  config.policies.find((p) => p.id === pupil.policy)!.bandwidth = { networkDownMbit: 200, networkUpMbit: 50, deviceDownMbit: 10, deviceUpMbit: 2 };
  const devices = new Map<string, Device>();
  const blank = (mac: string): Device => ({
    mac, name: '', groupId: null, networkId: 'pupil', firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-01T00:00:00.000Z',
    schoolOwned: false, notes: '', suspendedUntil: null, suspendReason: null, hostname: '', vendorClass: '', randomisedMac: true, owner: '',
    capDownKbit: null, capUpKbit: null,
  });
  const service = new ShapingService({
    run: toolRunner(['ip', 'netns', 'exec', lab.ns('gw')]),
    logger: silentLogger(),
    device: (mac) => devices.get(mac),
    storeCaps: (mac: string, caps: DeviceCaps, record: (d: Device) => void) => {
      const d = { ...(devices.get(mac) ?? blank(mac)), capDownKbit: caps.downKbit, capUpKbit: caps.upKbit };
      devices.set(mac, d);
      record(d);
      return d;
    },
  });
  const base = (10 << 24) | (20 << 16);
  const mac = (i: number): string => `02:5c:01:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01`;
  for (let i = 0; i < deviceCount; i++) service.setAddress((base + 16 + i) >>> 0, mac(i));
  let t = performance.now();
  await service.apply(config);
  const fullMs = performance.now() - t;
  const capMs: number[] = [];
  const arriveMs: number[] = [];
  const leaveMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    t = performance.now();
    await service.setDeviceCap(mac(r % deviceCount), { downKbit: 20_000 + r, upKbit: 5_000 });
    capMs.push(performance.now() - t);
    const extra = (base + 16 + deviceCount + r) >>> 0;
    t = performance.now();
    service.setAddress(extra, mac(deviceCount + r));
    await service.refresh();
    arriveMs.push(performance.now() - t);
    t = performance.now();
    service.setAddress(extra, undefined);
    await service.refresh();
    leaveMs.push(performance.now() - t);
  }
  const s = service.stats();
  console.log(`shaping in the lab's gw (${s.engine}: ${s.why}), ${s.devices.length} capped devices, ${rounds} rounds:`);
  console.log(`full_apply_ms=${fullMs.toFixed(1)}`);
  console.log(`device_cap_ms ${stats(capMs)}`);
  console.log(`lease_arrives_ms ${stats(arriveMs)}`);
  console.log(`lease_ends_ms ${stats(leaveMs)}`);
} finally {
  await lab.destroy();
}
