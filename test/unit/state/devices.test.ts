import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { isSuspended } from '../../../firmware/state/devices.ts';
import { MacAddressError } from '../../../firmware/state/mac.ts';
import { Device } from '../../../firmware/state/schemas.ts';
import { InvalidInputError, NotFoundError } from '../../../firmware/state/values.ts';

const T0 = Date.parse('2026-03-02T08:45:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const MAC = '3c:22:fb:01:a2:9e';

function open(): StateDatabase {
  return StateDatabase.open(':memory:', { now: () => at(0) });
}

describe('DeviceRepository', () => {
  it('records a first sighting with defaults that match the Device schema', () => {
    const state = open();
    const device = state.devices.upsertSeen('3C-22-FB-01-A2-9E', 'pupil', at(0));
    expect(device).toEqual({
      mac: MAC, name: '', groupId: null, networkId: 'pupil',
      firstSeen: at(0).toISOString(), lastSeen: at(0).toISOString(),
      schoolOwned: false, notes: '', suspendedUntil: null, suspendReason: null,
      hostname: '', vendorClass: '', randomisedMac: false, owner: '', capDownKbit: null, capUpKbit: null,
    });
    expect(Value.Check(Device, device)).toBe(true);
    expect(state.devices.count()).toBe(1);
  });

  it('moves last_seen and network forward only; a late, older sighting changes neither', () => {
    const state = open();
    state.devices.upsertSeen(MAC, 'pupil', at(10));
    expect(state.devices.upsertSeen(MAC, 'guest', at(20))).toMatchObject({ networkId: 'guest', firstSeen: at(10).toISOString(), lastSeen: at(20).toISOString() });
    expect(state.devices.upsertSeen(MAC, 'staff', at(15))).toMatchObject({ networkId: 'guest', lastSeen: at(20).toISOString() });
    expect(state.devices.upsertSeen(MAC, 'staff', at(5))).toMatchObject({ networkId: 'guest', firstSeen: at(5).toISOString(), lastSeen: at(20).toISOString() });
    expect(state.devices.count()).toBe(1);
  });

  it('keeps names, groups and notes when seen again', () => {
    const state = open();
    state.devices.upsertSeen(MAC, 'pupil', at(0));
    state.devices.update(MAC, { name: 'Class 3 iPad 7', groupId: 'ks2-ipads', schoolOwned: true, notes: 'asset 1142' });
    expect(state.devices.upsertSeen(MAC, 'pupil', at(1))).toMatchObject({ name: 'Class 3 iPad 7', groupId: 'ks2-ipads', schoolOwned: true, notes: 'asset 1142' });
  });

  it('refuses bad MAC addresses and ids with clear errors, storing nothing', () => {
    const state = open();
    expect(() => state.devices.upsertSeen('3c:22:fb:01:a2', 'pupil', at(0))).toThrow(MacAddressError);
    expect(() => state.devices.upsertSeen('3c:22:fb:01:a2', 'pupil', at(0))).toThrow('"3c:22:fb:01:a2" is not a MAC address');
    expect(() => state.devices.upsertSeen(MAC, 'Pupil WiFi', at(0))).toThrow(/invalid network id: \(value\): must match pattern/);
    expect(() => state.devices.upsertSeen(MAC, 'pupil', new Date(Number.NaN))).toThrow('sighting time is not a valid date');
    expect(() => state.devices.get('nonsense')).toThrow(MacAddressError);
    expect(state.devices.count()).toBe(0);
  });

  it('lists most recently seen first, filtered by network and group', () => {
    const state = open();
    state.devices.upsertSeen('02:00:00:00:00:01', 'pupil', at(1));
    state.devices.upsertSeen('02:00:00:00:00:02', 'pupil', at(3));
    state.devices.upsertSeen('02:00:00:00:00:03', 'staff', at(2));
    state.devices.update('02:00:00:00:00:01', { groupId: 'ks1' });
    state.devices.update('02:00:00:00:00:03', { groupId: 'ks1' });
    expect(state.devices.list().map((d) => d.mac)).toEqual(['02:00:00:00:00:02', '02:00:00:00:00:03', '02:00:00:00:00:01']);
    expect(state.devices.list({ networkId: 'pupil' }).map((d) => d.mac)).toEqual(['02:00:00:00:00:02', '02:00:00:00:00:01']);
    expect(state.devices.list({ groupId: 'ks1' }).map((d) => d.mac)).toEqual(['02:00:00:00:00:03', '02:00:00:00:00:01']);
    expect(state.devices.list({ networkId: 'pupil', groupId: 'ks1' }).map((d) => d.mac)).toEqual(['02:00:00:00:00:01']);
    expect(state.devices.list({ networkId: 'guest' })).toEqual([]);
    expect(() => state.devices.list({ groupId: 'KS1' })).toThrow(/invalid group id/);
  });

  it('updates only the fields given; null clears the group', () => {
    const state = open();
    state.devices.upsertSeen(MAC, 'pupil', at(0));
    state.devices.update(MAC, { groupId: 'ks2' });
    expect(state.devices.update(MAC, { notes: 'cracked screen' })).toMatchObject({ groupId: 'ks2', notes: 'cracked screen', name: '' });
    expect(state.devices.update(MAC, { groupId: null })).toMatchObject({ groupId: null, notes: 'cracked screen' });
    expect(state.devices.update(MAC, {})).toMatchObject({ mac: MAC });
  });

  it('refuses invalid patches and unknown devices, changing nothing', () => {
    const state = open();
    state.devices.upsertSeen(MAC, 'pupil', at(0));
    const before = state.devices.get(MAC);
    expect(() => state.devices.update(MAC, { name: 'x'.repeat(65) })).toThrow(/invalid change to device 3c:22:fb:01:a2:9e: \/name: /);
    expect(() => state.devices.update(MAC, { groupId: 'Year 6!' })).toThrow(InvalidInputError);
    expect(() => state.devices.update(MAC, { colour: 'red' } as never)).toThrow(InvalidInputError);
    expect(state.devices.get(MAC)).toEqual(before);
    expect(() => state.devices.update('02:00:00:00:00:09', { name: 'ghost' })).toThrow(NotFoundError);
    expect(() => state.devices.update('02:00:00:00:00:09', {})).toThrow('no device with MAC address 02:00:00:00:00:09 has been seen');
  });

  it('suspends until a future time with a reason, and can lift it', () => {
    const state = open();
    state.devices.upsertSeen(MAC, 'pupil', at(0));
    const device = state.devices.suspend(MAC, at(60), '  sharing a hotspot  ');
    expect(device).toMatchObject({ suspendedUntil: at(60).toISOString(), suspendReason: 'sharing a hotspot' });
    expect(isSuspended(device, at(59))).toBe(true);
    expect(isSuspended(device, at(60))).toBe(false);
    expect(state.devices.unsuspend(MAC)).toMatchObject({ suspendedUntil: null, suspendReason: null });
  });

  it('stores a device\'s own bandwidth caps, each clearable; refuses rates out of range and unknown devices, changing nothing', () => {
    const state = open();
    state.devices.upsertSeen(MAC, 'pupil', at(0));
    expect(state.devices.setCaps(MAC, { downKbit: 20_000, upKbit: 10_000 })).toMatchObject({ capDownKbit: 20_000, capUpKbit: 10_000 });
    expect(state.devices.setCaps(MAC, { downKbit: 5_000, upKbit: null })).toMatchObject({ capDownKbit: 5_000, capUpKbit: null });
    expect(() => state.devices.setCaps(MAC, { downKbit: 10, upKbit: null })).toThrow(InvalidInputError);
    expect(() => state.devices.setCaps(MAC, { downKbit: 1.5, upKbit: null })).toThrow(/whole number of kbit/);
    expect(() => state.devices.setCaps('02:00:00:00:00:09', { downKbit: 1000, upKbit: null })).toThrow(NotFoundError);
    expect(state.devices.get(MAC)).toMatchObject({ capDownKbit: 5_000, capUpKbit: null });
    expect(Value.Check(Device, state.devices.get(MAC))).toBe(true);
  });

  it('refuses suspensions in the past, without a reason, or of unknown devices', () => {
    const state = open();
    state.devices.upsertSeen(MAC, 'pupil', at(0));
    expect(() => state.devices.suspend(MAC, at(0), 'x')).toThrow(/must end in the future/);
    expect(() => state.devices.suspend(MAC, at(10), '   ')).toThrow('suspending 3c:22:fb:01:a2:9e needs a reason');
    expect(() => state.devices.suspend(MAC, at(10), 'x'.repeat(501))).toThrow(/longer than 500/);
    expect(() => state.devices.suspend('02:00:00:00:00:09', at(10), 'x')).toThrow(NotFoundError);
    expect(state.devices.get(MAC)?.suspendedUntil).toBeNull();
  });

  it.each([
    ['an upper-case MAC', "('3C:22:FB:01:A2:9E', 'pupil', 't', 't', 0, NULL, NULL)"],
    ['a dashed MAC', "('3c-22-fb-01-a2-9e', 'pupil', 't', 't', 0, NULL, NULL)"],
    ['school_owned other than 0/1', "('3c:22:fb:01:a2:9e', 'pupil', 't', 't', 2, NULL, NULL)"],
    ['a suspension without a reason', "('3c:22:fb:01:a2:9e', 'pupil', 't', 't', 0, 't', NULL)"],
  ])('has a table that refuses %s even from raw SQL', (_what, values) => {
    // Guards the CHECK constraints, so a later migration cannot drop them unnoticed.
    const dir = mkdtempSync(join(tmpdir(), 'schoolgate-devices-'));
    try {
      const file = join(dir, 'state.db');
      StateDatabase.open(file).close();
      const raw = new DatabaseSync(file);
      expect(() => raw.exec(`INSERT INTO devices (mac, network_id, first_seen, last_seen, school_owned, suspended_until, suspend_reason) VALUES ${values}`))
        .toThrow(/CHECK constraint failed/);
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
