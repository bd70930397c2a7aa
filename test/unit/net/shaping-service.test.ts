// ShapingService's order of work, with a kernel that records what it is asked (the lab test runs
// the real tc and nft): leases learnt before the first apply wait for it, a burst of leases is one
// pass, one device's change is that device's lines only, and after a failed change the next one
// rebuilds everything.
import { describe, expect, test } from 'vitest';
import type { Config } from '../../../firmware/config/schema.ts';
import { silentLogger } from '../../../firmware/log.ts';
import type { ToolResult } from '../../../firmware/net/shaping/kernel.ts';
import { addressNumber, ShapingService } from '../../../firmware/net/shaping/service.ts';
import type { DeviceCaps } from '../../../firmware/state/devices.ts';
import type { Device } from '../../../firmware/state/schemas.ts';
import { labGatewayConfig } from '../../../scripts/netlab/gateway.ts';

function config(): Config {
  const c = labGatewayConfig(false);
  c.firewall = { enabled: true, wanInterface: 'wan0' };
  c.policies.find((p) => p.id === 'pupil')!.bandwidth = { networkDownMbit: 80 };
  return c;
}

function setup(options: { failTc?: () => boolean } = {}) {
  const calls: Array<{ argv: readonly string[]; input: string }> = [];
  const devices = new Map<string, Device>();
  const device = (mac: string): Device => devices.get(mac) ?? {
    mac, name: '', groupId: null, networkId: 'pupil', firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-01T00:00:00.000Z',
    schoolOwned: false, notes: '', suspendedUntil: null, suspendReason: null, hostname: '', vendorClass: '', randomisedMac: true, owner: '',
    capDownKbit: null, capUpKbit: null,
  };
  const service = new ShapingService({
    logger: silentLogger(),
    detect: () => Promise.resolve({ engine: 'htb', why: 'test' }),
    run: (argv, input): Promise<ToolResult> => {
      calls.push({ argv, input: input ?? '' });
      const fail = argv[0] === 'tc' && argv[1] === '-batch' && (options.failTc?.() ?? false);
      return Promise.resolve(fail ? { code: 2, stdout: '', stderr: 'RTNETLINK answers: No such device' } : { code: 0, stdout: '', stderr: '' });
    },
    device: (mac) => devices.get(mac),
    storeCaps: (mac: string, caps: DeviceCaps, record: (d: Device) => void) => {
      const d = { ...device(mac), capDownKbit: caps.downKbit, capUpKbit: caps.upKbit };
      devices.set(mac, d);
      record(d);
      return d;
    },
  });
  const tcInput = (): string => calls.filter((c) => c.argv[0] === 'tc' && c.argv[1] === '-batch').map((c) => c.input).join('');
  return { service, calls, tcInput };
}

describe('ShapingService', () => {
  test('leases learnt before the first apply wait for it; later leases of capped devices are added without a rebuild', async () => {
    const { service, calls, tcInput } = setup();
    const c = config();
    c.policies.find((p) => p.id === 'pupil')!.bandwidth!.deviceDownMbit = 10;
    service.setAddress(addressNumber('10.20.0.10'), '02:5c:00:20:00:10');
    expect(calls).toEqual([]);
    await service.apply(c);
    expect(tcInput()).toContain('qdisc add dev lan-pupil root handle 1: htb default 0');
    expect(tcInput()).toContain('match ip dst 10.20.0.10/32');
    calls.length = 0;
    for (let i = 0; i < 50; i++) service.setAddress(addressNumber(`10.20.0.${100 + i}`), `02:5c:00:20:01:${i.toString(16).padStart(2, '0')}`);
    await service.refresh();
    expect(tcInput()).not.toContain('qdisc');
    expect(tcInput().match(/^filter add dev lan-pupil .* match ip dst 10\.20\.0\.1[0-4][0-9]\/32/gm)).toHaveLength(50);
    // A lease given back takes its device's class away, filter first.
    calls.length = 0;
    service.setAddress(addressNumber('10.20.0.100'), undefined);
    await service.refresh();
    expect(tcInput()).toMatch(/^filter del dev lan-pupil .*\nclass del dev lan-pupil classid 1:10/m);
  });

  test('a cap set on one device runs that device\'s lines only, and is reported', async () => {
    const { service, calls } = setup();
    service.setAddress(addressNumber('10.20.0.10'), '02:5c:00:20:00:10');
    await service.apply(config());
    calls.length = 0;
    const result = await service.setDeviceCap('02:5c:00:20:00:10', { downKbit: 20_000, upKbit: null });
    expect(result.enforced).toBe(true);
    expect(calls.map((c) => c.input.trim())).toEqual([
      'class replace dev lan-pupil parent 1:11 classid 1:1001 htb rate 800kbit ceil 20000kbit quantum 10000\n'
      + 'filter add dev lan-pupil parent 1: protocol ip prio 1 handle 1:a:1 u32 ht 1:a: match ip dst 10.20.0.10/32 flowid 1:1001',
    ]);
    expect(service.stats().devices).toEqual([{ address: '10.20.0.10', mac: '02:5c:00:20:00:10', network: 'pupil', downKbit: 20_000, downFrom: 'device', upKbit: null, upFrom: null }]);
  });

  test('after a failed change the error is reported and the next change rebuilds every interface', async () => {
    let fail = false;
    const { service, calls, tcInput } = setup({ failTc: () => fail });
    service.setAddress(addressNumber('10.20.0.10'), '02:5c:00:20:00:10');
    await service.apply(config());
    fail = true;
    await expect(service.setDeviceCap('02:5c:00:20:00:10', { downKbit: 20_000, upKbit: null })).rejects.toThrow(/No such device/);
    expect(service.stats().error).toMatch(/No such device/);
    fail = false;
    calls.length = 0;
    await service.refresh();
    expect(tcInput()).toContain('qdisc add dev lan-pupil root handle 1: htb default 0');
    expect(tcInput()).toContain('match ip dst 10.20.0.10/32');
    expect(service.stats().error).toBeNull();
  });

  test('with the firewall off a cap is stored but not enforced, and nothing runs', async () => {
    const { service, calls } = setup();
    const off = config();
    off.firewall = { enabled: false, wanInterface: 'wan0' };
    await service.apply(off);
    const result = await service.setDeviceCap('02:5c:00:20:00:10', { downKbit: 20_000, upKbit: null });
    expect(result).toMatchObject({ enforced: false, device: { capDownKbit: 20_000 } });
    expect(calls).toEqual([]);
  });
});
