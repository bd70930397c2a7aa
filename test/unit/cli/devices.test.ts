// `schoolgate devices` against a real daemon: the table the leases fill, naming a device and
// putting it in a group, each change audited under the caller, bad input refused with exit 4.
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
  config.deviceGroups = [{ id: 'year3', name: 'Year 3' }];
  daemon = await startDaemonProcess(config);
  // Devices come from leases; here they are written as the DHCP service would, beside the daemon.
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  state.devices.upsertSeen(PHONE, 'pupil', new Date('2026-12-01T08:00:00Z'));
  state.devices.upsertSeen(IPAD, 'pupil', new Date('2026-12-01T09:00:00Z'));
  state.close();
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  await stopUpstream?.();
});

const audit = (): Array<{ actor: string; action: string; subject: string | null }> => {
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  try {
    return state.audit.list({ action: 'device.*' });
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
    expect(entries.map((e) => [e.action, e.subject])).toEqual([['device.name', IPAD], ['device.group', IPAD]]);
    for (const e of entries) expect(e.actor).toMatch(/^ssh:/);
    const ungrouped = await daemon.cli(['devices', 'group', IPAD, 'none', '--json']);
    expect(JSON.parse(ungrouped.stdout).groupId).toBeNull();
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
});
