// Bandwidth shaping's pure half: whose cap applies, the HTB tree and the upload table rendered
// for the lab's configuration (snapshots: a change shows up in review as a diff of tc lines), and
// the live difference of two plans touching only what changed. test/lab/shaping.test.ts feeds
// the same text to the kernel's tc and nft.
import { describe, expect, test } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';
import { parseIPv4 } from '../../../firmware/dhcp/ipv4.ts';
import { formatShaping } from '../../../firmware/cli/commands/net.ts';
import { allocateSlots, deviceCaps, MAX_SLOTS, networkCaps, planShaping, type LiveDevice, type ShapingEngine, type ShapingPlan } from '../../../firmware/net/shaping/plan.ts';
import { formatRate, parseRate } from '../../../firmware/net/shaping/rates.ts';
import { REMOVE_SHAPING_TABLE, shapingChanges } from '../../../firmware/net/shaping/render.ts';
import { labGatewayConfig } from '../../../scripts/netlab/gateway.ts';

const addr = (text: string): number => parseIPv4(text)!;
const device = (address: string, mac: string, down: number | null = null, up: number | null = null, groupId: string | null = null): LiveDevice =>
  ({ address: addr(address), mac, groupId, capDownKbit: down, capUpKbit: up });

function labConfig(): Config {
  const c = labGatewayConfig(false);
  c.policies.find((p) => p.id === 'pupil')!.bandwidth = { networkDownMbit: 80, networkUpMbit: 60, deviceDownMbit: 10 };
  c.policies.push({ ...c.policies.find((p) => p.id === 'pupil')!, id: 'sen', name: 'SEN devices', bandwidth: { deviceDownMbit: 30, deviceUpMbit: 5 } });
  c.deviceGroups.push({ id: 'sen-ipads', name: 'SEN iPads', policy: 'sen' });
  return c;
}

function plan(config: Config, live: LiveDevice[], previous?: ShapingPlan, engine: ShapingEngine = 'htb'): ShapingPlan {
  return planShaping({ networks: config.networks, policies: config.policies, deviceGroups: config.deviceGroups, wanInterface: 'wan0', engine },
    live, new Map((previous?.devices ?? []).map((d) => [d.address, d.slot])));
}

const LIVE = [
  device('10.20.0.10', '02:5c:00:20:00:10', 20_000, 10_000), // its own caps
  device('10.20.0.11', '02:5c:00:20:00:11'), // the pupil policy's device cap (download only)
  device('10.20.0.12', '02:5c:00:20:00:12', null, null, 'sen-ipads'), // its group's policy
  device('10.10.0.10', '02:5c:00:10:00:10', 5_000), // staff: no network cap, so its class hangs off the root
  device('10.30.0.10', '02:5c:00:30:00:10'), // guest: nothing capped
];

describe('configuration', () => {
  test('a policy\'s bandwidth is optional, each cap on its own; a cap out of range or an unknown field is named by its path', () => {
    const doc = JSON.parse(JSON.stringify(defaultConfig())) as Config;
    expect(validateConfig(doc).ok).toBe(true);
    doc.policies[1]!.bandwidth = { deviceDownMbit: 0.5 };
    expect(validateConfig(doc).ok).toBe(true);
    (doc.policies[1]!.bandwidth as Record<string, unknown>) = { networkDownMbit: 0, deviceUp: 5 };
    const result = validateConfig(doc);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map((i) => i.path).sort()).toEqual(['/policies/1/bandwidth/deviceUp', '/policies/1/bandwidth/networkDownMbit']);
  });
});

describe('whose cap applies', () => {
  test('the device\'s own, then its group\'s policy, then its network\'s; each direction on its own', () => {
    const c = labConfig();
    const pupil = c.networks.find((n) => n.id === 'pupil')!;
    expect(deviceCaps(c, pupil, LIVE[0]!)).toEqual({ down: { kbit: 20_000, source: 'device' }, up: { kbit: 10_000, source: 'device' } });
    expect(deviceCaps(c, pupil, LIVE[1]!)).toEqual({ down: { kbit: 10_000, source: 'policy pupil' } });
    expect(deviceCaps(c, pupil, LIVE[2]!)).toEqual({ down: { kbit: 30_000, source: 'policy sen' }, up: { kbit: 5_000, source: 'policy sen' } });
    expect(deviceCaps(c, pupil, { ...LIVE[2]!, capUpKbit: 2_000 })).toEqual({ down: { kbit: 30_000, source: 'policy sen' }, up: { kbit: 2_000, source: 'device' } });
  });

  test('no bandwidth anywhere: nothing shaped, and a first apply takes Schoolgate\'s qdiscs and table away', () => {
    const p = plan(labGatewayConfig(false), LIVE.map((d) => ({ ...d, capDownKbit: null, capUpKbit: null })));
    expect(p.interfaces).toEqual([]);
    const changes = shapingChanges(undefined, p);
    expect(changes.tc).toEqual([]);
    expect(changes.remove).toEqual(['lan-guest', 'lan-pupil', 'lan-staff', 'wan0'].map((d) => `qdisc del dev ${d} root handle 1:`));
    expect(changes.nft).toBe(REMOVE_SHAPING_TABLE);
  });

  test('an address outside every enabled network is not shaped', () => {
    expect(plan(labConfig(), [device('192.0.2.1', '02:00:00:00:00:01', 1000, 1000)]).devices).toEqual([]);
  });
});

describe('the rendered tree', () => {
  test('the lab configuration with capped devices renders as the snapshots (HTB here, CAKE leaves where the kernel has it)', async () => {
    const full = shapingChanges(undefined, plan(labConfig(), LIVE));
    await expect([...full.remove, ...full.tc].join('\n') + '\n').toMatchFileSnapshot('./__snapshots__/shaping-lab.tc');
    await expect(full.nft).toMatchFileSnapshot('./__snapshots__/shaping-lab.nft');
    const cake = shapingChanges(undefined, plan(labConfig(), LIVE, undefined, 'cake'));
    await expect(cake.tc.join('\n') + '\n').toMatchFileSnapshot('./__snapshots__/shaping-lab-cake.tc');
  });

  test('a device\'s guaranteed rate under a network cap is a hundredth of it, its cap the ceil; at the root, both are its cap', () => {
    const tc = shapingChanges(undefined, plan(labConfig(), LIVE)).tc;
    expect(tc).toContain('class replace dev lan-pupil parent 1:11 classid 1:1002 htb rate 800kbit ceil 20000kbit quantum 10000');
    expect(tc).toContain('class replace dev lan-staff parent 1: classid 1:1001 htb rate 5000kbit ceil 5000kbit quantum 60000');
    // A fresh qdisc's first u32 filters: the devices' hash table, the root table's link to it by
    // the destination's last byte, then the network's subnet; a device's filter is in its bucket.
    const pupil = tc.filter((l) => l.startsWith('filter add dev lan-pupil'));
    expect(pupil.slice(0, 3).map((l) => l.replace(/^.* prio 1 /, ''))).toEqual([
      'handle 1: u32 divisor 256',
      'handle 800::1 u32 ht 800:: match ip dst 0.0.0.0/0 hashkey mask 0x000000ff at 16 link 1:',
      'handle 800::f00 u32 ht 800:: match ip dst 10.20.0.0/24 flowid 1:41',
    ]);
    expect(pupil).toContain('filter add dev lan-pupil parent 1: protocol ip prio 1 handle 1:a:2 u32 ht 1:a: match ip dst 10.20.0.10/32 flowid 1:1002');
  });
});

describe('live changes', () => {
  const c = labConfig();
  const before = plan(c, LIVE);

  test('one device\'s new cap changes its class only; no qdisc is rebuilt and the upload map is untouched', () => {
    const after = plan(c, [{ ...LIVE[0]!, capDownKbit: 30_000 }, ...LIVE.slice(1)], before);
    expect(shapingChanges(before, after)).toEqual({
      remove: [], nft: '',
      tc: ['class replace dev lan-pupil parent 1:11 classid 1:1002 htb rate 800kbit ceil 30000kbit quantum 10000'],
    });
  });

  test('a device whose own caps are cleared falls back to its policy\'s (changed in place), and leaves the upload map', () => {
    const after = plan(c, [{ ...LIVE[0]!, capDownKbit: null, capUpKbit: null }, ...LIVE.slice(1)], before);
    expect(shapingChanges(before, after)).toEqual({
      remove: [],
      tc: ['class replace dev lan-pupil parent 1:11 classid 1:1002 htb rate 800kbit ceil 10000kbit quantum 10000', 'class del dev wan0 classid 1:1002'],
      nft: 'delete element inet schoolgate_shaping upload_class { 10.20.0.10 }\n',
    });
  });

  test('a device whose lease ends loses its filter before its class (a class a filter points at cannot go)', () => {
    const after = plan(c, LIVE.filter((d) => d !== LIVE[1]), before);
    expect(shapingChanges(before, after)).toEqual({
      remove: [], nft: '',
      tc: ['filter del dev lan-pupil parent 1: protocol ip prio 1 handle 1:b:3 u32', 'class del dev lan-pupil classid 1:1003'],
    });
  });

  test('a device taking a new address: the old one\'s class goes, the new one gets a slot of its own; every other device keeps its slot', () => {
    const moved = [{ ...LIVE[0]!, address: addr('10.20.0.50') }, ...LIVE.slice(1)];
    const after = plan(c, moved, before);
    const changes = shapingChanges(before, after);
    expect(changes.remove).toEqual([]);
    expect(changes.tc.filter((l) => l.includes('10.20.0.50') || l.includes('del'))).toEqual([
      'filter del dev lan-pupil parent 1: protocol ip prio 1 handle 1:a:2 u32',
      'class del dev lan-pupil classid 1:1002',
      'filter add dev lan-pupil parent 1: protocol ip prio 1 handle 1:32:2 u32 ht 1:32: match ip dst 10.20.0.50/32 flowid 1:1002',
      'class del dev wan0 classid 1:1002',
    ]);
    for (const d of before.devices.filter((x) => x.address !== '10.20.0.10')) {
      expect(after.devices.find((x) => x.address === d.address)?.slot).toBe(d.slot);
    }
    expect(changes.nft).toBe('delete element inet schoolgate_shaping upload_class { 10.20.0.10 }\nadd element inet schoolgate_shaping upload_class { 10.20.0.50 : 1:1002 }\n');
  });

  test('a network cap changing rebuilds that network\'s interface (and the uplink\'s table), no other', () => {
    const changed = labConfig();
    changed.policies.find((p) => p.id === 'pupil')!.bandwidth!.networkDownMbit = 100;
    const changes = shapingChanges(before, plan(changed, LIVE, before));
    expect(changes.remove).toEqual(['qdisc del dev lan-pupil root handle 1:']);
    expect(new Set(changes.tc.map((l) => l.split(' ')[3]))).toEqual(new Set(['lan-pupil']));
    expect(changes.nft).toBe('');
  });

  test('the first upload cap adds the table; the last one removed takes it away', () => {
    const down = labConfig();
    down.policies.find((p) => p.id === 'pupil')!.bandwidth = { networkDownMbit: 80 };
    down.policies.find((p) => p.id === 'sen')!.bandwidth = {};
    const none = plan(down, [device('10.20.0.10', '02:5c:00:20:00:10', 20_000)]);
    const one = plan(down, [device('10.20.0.10', '02:5c:00:20:00:10', 20_000, 10_000)], none);
    const added = shapingChanges(none, one);
    expect(added.nft).toContain('elements = { 10.20.0.10 : 1:1001 }');
    expect(added.tc).toEqual([
      'qdisc add dev wan0 root handle 1: htb default 0',
      'class replace dev wan0 parent 1: classid 1:1001 htb rate 10000kbit ceil 10000kbit quantum 60000',
    ]);
    expect(shapingChanges(one, plan(down, [device('10.20.0.10', '02:5c:00:20:00:10', 20_000)], one))).toEqual({
      remove: ['qdisc del dev wan0 root handle 1:'], tc: [], nft: REMOVE_SHAPING_TABLE,
    });
  });
});

describe('net show', () => {
  test('says which engine and why, each network\'s caps in words, and each capped device with where its cap comes from', () => {
    const c = labConfig();
    const lines = formatShaping({
      enabled: true, engine: 'htb', why: 'this kernel has no CAKE (sch_cake): HTB with pfifo leaves', appliedAt: null, error: null,
      interfaces: ['lan-pupil', 'wan0'], networks: networkCaps(c),
      devices: [{ address: '10.20.0.10', mac: '02:5c:00:20:00:10', network: 'pupil', downKbit: 20_000, downFrom: 'device', upKbit: null, upFrom: null }],
    });
    expect(lines).toEqual([
      'Bandwidth shaping: HTB (this kernel has no CAKE (sch_cake): HTB with pfifo leaves).',
      '  pupil (policy pupil): the network together 80mbit down, 60mbit up; each device 10mbit down, no cap up unless it has caps of its own',
      'Shaped interfaces: lan-pupil, wan0.',
      '  - 10.20.0.10 02:5c:00:20:00:10 on pupil: down 20mbit (device), up no cap',
    ]);
  });
});

describe('slots and rates', () => {
  test('slots stay with their address, new ones take the lowest free, and past the limit it says so', () => {
    const first = allocateSlots(new Map(), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    const second = allocateSlots(first, ['10.0.0.3', '10.0.0.9']);
    expect([...second]).toEqual([['10.0.0.3', 3], ['10.0.0.9', 1]]);
    const many = Array.from({ length: MAX_SLOTS + 1 }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(() => allocateSlots(new Map(), many)).toThrow(/more than 4095 capped devices/);
  });

  test('rates as tc writes them', () => {
    expect(parseRate('5mbit')).toBe(5000);
    expect(parseRate('2.5Mbit')).toBe(2500);
    expect(parseRate('512kbit')).toBe(512);
    expect(parseRate(' 1gbit ')).toBe(1_000_000);
    expect(() => parseRate('5')).toThrow(/e.g. 5mbit/);
    expect(() => parseRate('5mb')).toThrow(/not a rate/);
    expect(() => parseRate('10kbit')).toThrow(/out of range/);
    expect([formatRate(20_000), formatRate(1500), formatRate(512), formatRate(2_000_000)]).toEqual(['20mbit', '1.5mbit', '512kbit', '2gbit']);
  });
});
