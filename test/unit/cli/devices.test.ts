// `schoolgate devices`, `leases` and `reserve` against a real daemon: the tables the leases fill,
// naming a device, putting it in a group and reserving it an address, each change audited under
// the caller, bad input refused with exit 4 and nothing changed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../../support/daemon.ts';
import { startTestUpstream } from '../../support/upstream.ts';

const PHONE = '3a:22:fb:01:a2:9e'; // locally administered: a randomised private address
const IPAD = '3c:22:fb:01:a2:9f';

let daemon: RunningDaemon;
let stopUpstream: () => Promise<void>;

beforeAll(async () => {
  const upstream = await startTestUpstream();
  stopUpstream = upstream.close;
  const config = await testConfig(upstream);
  config.lists = [];
  config.deviceGroups = [{ id: 'year3', name: 'Year 3' }, { id: 'staff-laptops', name: 'Staff laptops', policy: 'staff' }];
  daemon = await startDaemonProcess(config);
  // Devices come from leases; here they are written as the DHCP service would, beside the daemon.
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  state.devices.upsertSeen(PHONE, 'pupil', new Date('2026-12-01T08:00:00Z'));
  state.devices.upsertSeen(IPAD, 'pupil', new Date('2026-12-01T09:00:00Z'));
  const lease = {
    networkId: 'pupil', address: '127.20.0.77', clientKey: `mac:${IPAD}`, mac: IPAD, clientId: null, hostname: 'ipad-12',
    vendorClass: '', parameters: [1, 3, 6], relayAgent: null, relayInfo: null, state: 'bound' as const,
    expires: new Date(Date.now() + 3_600_000).toISOString(), updated: new Date().toISOString(),
  };
  state.leases.bind(lease);
  state.leases.bind({ ...lease, address: '127.10.0.78', networkId: 'staff', expires: '2026-01-01T00:00:00.000Z', updated: '2025-12-31T23:00:00.000Z' });
  state.close();
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  await stopUpstream?.();
});

const audit = (action = 'device.*'): Array<{ actor: string; action: string; subject: string | null }> => {
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  try {
    return state.audit.list({ action });
  } finally {
    state.close();
  }
};

describe('schoolgate devices', () => {
  it('lists every device, most recently seen first, randomised MACs marked', async () => {
    const json = await daemon.cli(['devices', '--json']);
    expect(json.code).toBe(0);
    const { devices } = JSON.parse(json.stdout) as { devices: Array<{ mac: string; randomisedMac: boolean; networkId: string }> };
    expect(devices.map((d) => [d.mac, d.randomisedMac, d.networkId])).toEqual([[IPAD, false, 'pupil'], [PHONE, true, 'pupil']]);
    const human = await daemon.cli(['devices']);
    expect(human.stdout).toContain(`${PHONE} (random)`);
    expect(human.stdout).not.toContain(`${IPAD} (random)`);
  });

  it('names a device (any MAC spelling) and puts it in a group, audited under the caller', async () => {
    const named = await daemon.cli(['devices', 'name', '3C-22-FB-01-A2-9F', 'Year 3 iPad 12']);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toContain(`${IPAD}: name is now "Year 3 iPad 12"`);
    const grouped = await daemon.cli(['devices', 'group', IPAD, 'year3', '--json']);
    expect(grouped.code, grouped.stderr).toBe(0);
    expect(JSON.parse(grouped.stdout)).toMatchObject({ mac: IPAD, name: 'Year 3 iPad 12', groupId: 'year3' });
    const entries = audit();
    expect(entries.slice(0, 2).map((e) => [e.action, e.subject])).toEqual([['device.name', IPAD], ['device.group', IPAD]]);
    for (const e of entries) expect(e.actor).toMatch(/^ssh:/);
    const ungrouped = await daemon.cli(['devices', 'group', IPAD, 'none', '--json']);
    expect(JSON.parse(ungrouped.stdout).groupId).toBeNull();
    const owned = await daemon.cli(['devices', 'owner', IPAD, 'school', '--json']);
    expect(JSON.parse(owned.stdout).schoolOwned).toBe(true);
    expect(audit('device.owner').map((e) => e.subject)).toEqual([IPAD]);
    expect((await daemon.cli(['devices', 'owner', IPAD, 'borrowed'])).code).toBe(2);
    const by = await daemon.cli(['devices', 'owned-by', IPAD, '  Mrs Patel ']);
    expect(by.code, by.stderr).toBe(0);
    expect(by.stdout).toContain(`${IPAD}: owner is now "Mrs Patel"`);
    expect(audit('device.owned-by').map((e) => [e.subject, e.actor.startsWith('ssh:')])).toEqual([[IPAD, true]]);
    const table = (await daemon.cli(['devices'])).stdout;
    expect(table.split('\n').find((line) => line.includes(IPAD)), table).toContain('Mrs Patel, school device');
    const long = await daemon.cli(['devices', 'owned-by', IPAD, 'x'.repeat(81)]);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('at most 80');
    expect(JSON.parse((await daemon.cli(['devices', '--json'])).stdout).devices.find((d: { mac: string }) => d.mac === IPAD).owner).toBe('Mrs Patel');
  });

  it('refuses a group the configuration does not have, a bad MAC and an unknown device, changing nothing', async () => {
    const before = audit().length;
    const group = await daemon.cli(['devices', 'group', PHONE, 'year9']);
    expect(group.code).toBe(4);
    expect(group.stderr).toContain('there is no device group "year9"');
    const mac = await daemon.cli(['devices', 'name', 'not-a-mac', 'x']);
    expect(mac.code).toBe(4);
    expect(mac.stderr).toContain('is not a MAC address');
    const unknown = await daemon.cli(['devices', 'name', '3c:22:fb:00:00:01', 'x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no device with MAC address 3c:22:fb:00:00:01');
    const usage = await daemon.cli(['devices', 'name', PHONE]);
    expect(usage.code).toBe(2);
    expect(audit()).toHaveLength(before);
    const { devices } = JSON.parse((await daemon.cli(['devices', '--json'])).stdout) as { devices: Array<{ mac: string; groupId: string | null; name: string }> };
    expect(devices.find((d) => d.mac === PHONE)).toMatchObject({ groupId: null, name: '' });
  });

  it('refuses a group that lets the device reach more, saying how to ask for it; the move is asked for as a change request', async () => {
    const before = audit('device.group').length;
    const refused = await daemon.cli(['devices', 'group', PHONE, 'staff-laptops']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/moving 3a:22:fb:01:a2:9e from the network's default to Staff laptops lets it reach .*Social networking.*: that is a filtering change; ask for it as a change request/);
    expect(refused.stderr).toContain(`schoolgate changes move-device ${PHONE} staff-laptops --why`);
    expect(audit('device.group')).toHaveLength(before);
    const asked = await daemon.cli(['changes', 'move-device', PHONE.toUpperCase(), 'staff-laptops', '--why', 'the phone is the office phone now', '--risk', 'kept in the office, staff use only']);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toMatch(/Asked as change request \d+/);
    expect(asked.stdout).toMatch(/Moving the device 3a:22:fb:01:a2:9e from the network's default to Staff laptops lets it reach Social networking/);
    const wrong = await daemon.cli(['changes', 'move-device', PHONE, 'staff-laptops']);
    expect(wrong.code).toBe(2);
  });
});

describe('schoolgate devices suspend and resume', () => {
  it('stores a suspension with its reason and expiry, shows it, and resume lifts it; both audited under the caller', async () => {
    const started = Date.now();
    const suspended = await daemon.cli(['devices', 'suspend', '3C-22-FB-01-A2-9F', '--for', '3h', '--reason', 'hotspot in class', '--json']);
    expect(suspended.code, suspended.stderr).toBe(0);
    const result = JSON.parse(suspended.stdout) as { device: { mac: string; suspendedUntil: string; suspendReason: string }; enforced: boolean };
    // This daemon runs without a firewall: stored, not yet in any nftables set.
    expect(result).toMatchObject({ device: { mac: IPAD, suspendReason: 'hotspot in class' }, enforced: false });
    const until = Date.parse(result.device.suspendedUntil) - started;
    expect(until).toBeGreaterThanOrEqual(3 * 3_600_000 - 1_000);
    expect(until).toBeLessThanOrEqual(3 * 3_600_000 + 60_000);
    const listed = await daemon.cli(['devices']);
    expect(listed.stdout).toContain('SUSPENDED');
    expect(listed.stdout).toMatch(/until \d{4}-\d\d-\d\d \d\d:\d\dZ \(hotspot in class\)/);
    const human = await daemon.cli(['devices', 'resume', IPAD]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`${IPAD}: not suspended`);
    const { devices } = JSON.parse((await daemon.cli(['devices', '--json'])).stdout) as { devices: Array<{ mac: string; suspendedUntil: string | null }> };
    expect(devices.find((d) => d.mac === IPAD)!.suspendedUntil).toBeNull();
    const entries = [...audit('device.suspend'), ...audit('device.resume')];
    expect(entries.map((e) => [e.action, e.subject])).toEqual([['device.suspend', IPAD], ['device.resume', IPAD]]);
    for (const e of entries) expect(e.actor).toMatch(/^ssh:/);
  });

  it('refuses a missing reason, a bad duration and an unknown device, storing nothing', async () => {
    const before = audit().length;
    const noReason = await daemon.cli(['devices', 'suspend', PHONE, '--for', '1d']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
    const badFor = await daemon.cli(['devices', 'suspend', PHONE, '--for', 'tomorrow', '--reason', 'x']);
    expect(badFor.code).toBe(2);
    expect(badFor.stderr).toContain('"tomorrow" is not a duration');
    const unknown = await daemon.cli(['devices', 'suspend', '3c:22:fb:00:00:01', '--for', '1d', '--reason', 'x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no device with MAC address 3c:22:fb:00:00:01');
    expect(audit()).toHaveLength(before);
    const { devices } = JSON.parse((await daemon.cli(['devices', '--json'])).stdout) as { devices: Array<{ mac: string; suspendedUntil: string | null }> };
    expect(devices.find((d) => d.mac === PHONE)!.suspendedUntil).toBeNull();
  });
});

describe('schoolgate devices cap', () => {
  it('stores a device\'s own caps (either or both), shows them, and --clear goes back to the policy\'s; each audited under the caller', async () => {
    const capped = await daemon.cli(['devices', 'cap', IPAD, '--down', '5mbit', '--up', '512kbit', '--json']);
    expect(capped.code, capped.stderr).toBe(0);
    // The test daemon's firewall is off (loopback networks): stored, not enforced.
    expect(JSON.parse(capped.stdout)).toMatchObject({ device: { mac: IPAD, capDownKbit: 5000, capUpKbit: 512 }, enforced: false });
    const upOnly = await daemon.cli(['devices', 'cap', IPAD, '--up', '1mbit']);
    expect(upOnly.stdout).toContain(`${IPAD}: download 5mbit, upload 1mbit.`);
    expect(upOnly.stdout).toContain('stored, and enforced once it is on');
    const cleared = await daemon.cli(['devices', 'cap', IPAD, '--clear']);
    expect(cleared.stdout).toContain(`${IPAD}: download its policy's, upload its policy's.`);
    const { devices } = JSON.parse((await daemon.cli(['devices', '--json'])).stdout) as { devices: Array<{ mac: string; capDownKbit: number | null }> };
    expect(devices.find((d) => d.mac === IPAD)!.capDownKbit).toBeNull();
    const entries = audit('device.cap');
    expect(entries.map((e) => [e.action, e.subject])).toEqual([['device.cap', IPAD], ['device.cap', IPAD], ['device.cap', IPAD]]);
    for (const e of entries) expect(e.actor).toMatch(/^ssh:/);
  });

  it('refuses a rate without a unit, one out of range, --clear with a rate and an unknown device, storing nothing', async () => {
    const before = audit().length;
    const noUnit = await daemon.cli(['devices', 'cap', PHONE, '--down', '5']);
    expect(noUnit.code).toBe(2);
    expect(noUnit.stderr).toContain('"5" is not a rate');
    const tiny = await daemon.cli(['devices', 'cap', PHONE, '--down', '8kbit']);
    expect(tiny.code).toBe(2);
    expect(tiny.stderr).toContain('out of range');
    const both = await daemon.cli(['devices', 'cap', PHONE, '--clear', '--down', '5mbit']);
    expect(both.code).toBe(2);
    const nothing = await daemon.cli(['devices', 'cap', PHONE]);
    expect(nothing.code).toBe(2);
    const unknown = await daemon.cli(['devices', 'cap', '3c:22:fb:00:00:01', '--down', '5mbit']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no device with MAC address 3c:22:fb:00:00:01');
    expect(audit()).toHaveLength(before);
    const { devices } = JSON.parse((await daemon.cli(['devices', '--json'])).stdout) as { devices: Array<{ mac: string; capDownKbit: number | null }> };
    expect(devices.find((d) => d.mac === PHONE)!.capDownKbit).toBeNull();
  });
});

describe('schoolgate leases', () => {
  it('shows the leases in force (an expired one only with --all), by network', async () => {
    const now = JSON.parse((await daemon.cli(['leases', '--json'])).stdout) as { leases: Array<{ address: string; mac: string; hostname: string }> };
    expect(now.leases.map((l) => [l.address, l.mac, l.hostname])).toEqual([['127.20.0.77', IPAD, 'ipad-12']]);
    const all = JSON.parse((await daemon.cli(['leases', '--all', '--json'])).stdout) as { leases: Array<{ address: string }> };
    expect(all.leases.map((l) => l.address).sort()).toEqual(['127.10.0.78', '127.20.0.77']);
    const staff = JSON.parse((await daemon.cli(['leases', '--network', 'staff', '--json'])).stdout) as { leases: unknown[] };
    expect(staff.leases).toEqual([]);
    const human = await daemon.cli(['leases']);
    expect(human.stdout).toMatch(/pupil\s+127\.20\.0\.77\s+3c:22:fb:01:a2:9f\s+ipad-12\s+bound/);
    const unknown = await daemon.cli(['leases', '--network', 'nowhere']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('there is no network "nowhere"');
  });
});

describe('schoolgate reserve', () => {
  const reservations = async (): Promise<unknown[]> => JSON.parse(await readFile(daemon.configFile, 'utf8')).reservations ?? [];

  it('writes the reservation to the configuration, audited; the same MAC again moves it', async () => {
    const first = await daemon.cli(['reserve', '3C:22:FB:01:A2:9F', '127.20.0.50', '--name', 'Year 3 iPad 12', '--group', 'year3']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${IPAD} is reserved 127.20.0.50`);
    expect(await reservations()).toEqual([{ mac: IPAD, address: '127.20.0.50', name: 'Year 3 iPad 12', group: 'year3' }]);
    const moved = JSON.parse((await daemon.cli(['reserve', IPAD, '127.20.0.51', '--json'])).stdout) as { replaced: { address: string } };
    expect(moved.replaced.address).toBe('127.20.0.50');
    expect(await reservations()).toEqual([{ mac: IPAD, address: '127.20.0.51' }]);
    expect(audit('dhcp.reserve').map((e) => e.subject)).toEqual([IPAD, IPAD]);
  });

  it('refuses an address reserved for another device, the gateway, an address outside every network, an unknown group', async () => {
    const before = await reservations();
    for (const args of [[PHONE, '127.20.0.51'], [PHONE, '127.20.0.1'], [PHONE, '192.0.2.9'], [PHONE, '127.20.0.60', '--group', 'nope'], [PHONE, '127.20.0']]) {
      const result = await daemon.cli(['reserve', ...args]);
      expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(4);
    }
    // A group that lets the device reach more than its network's default is a change request.
    const wider = await daemon.cli(['reserve', PHONE, '127.20.0.60', '--group', 'staff-laptops']);
    expect(wider.code).toBe(1);
    expect(wider.stderr).toMatch(/to Staff laptops lets it reach .*: that is a filtering change; ask for it as a change request \(reserve the address without the group/);
    expect(await reservations()).toEqual(before);
  });
});

describe('schoolgate devices add', () => {
  it('adds a device that has never joined with its name, network and group, audited; twice, or to an unknown network, is refused', async () => {
    const LAPTOP = '00:1b:63:aa:bb:02';
    const added = await daemon.cli(['devices', 'add', '00-1B-63-AA-BB-02', 'Mrs Patel\'s laptop', '--network', 'staff', '--group', 'year3', '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ mac: LAPTOP, name: 'Mrs Patel\'s laptop', networkId: 'staff', groupId: 'year3', schoolOwned: true });
    expect(audit('device.add').map((e) => [e.subject, e.actor.startsWith('ssh:')])).toEqual([[LAPTOP, true]]);
    const again = await daemon.cli(['devices', 'add', LAPTOP, 'Another', '--network', 'staff']);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('already in the device table');
    const nowhere = await daemon.cli(['devices', 'add', '00:1b:63:aa:bb:03', 'Spare', '--network', 'library']);
    expect(nowhere.code).toBe(4);
    expect(nowhere.stderr).toContain('there is no network "library"');
    expect((await daemon.cli(['devices', 'add', '00:1b:63:aa:bb:03', 'Spare'])).code).toBe(2);
    const listed = JSON.parse((await daemon.cli(['devices', '--json'])).stdout) as { devices: { mac: string; name: string }[] };
    expect(listed.devices.filter((d) => d.mac.startsWith('00:1b:63')).map((d) => [d.mac, d.name])).toEqual([[LAPTOP, 'Mrs Patel\'s laptop']]);
  });
});
