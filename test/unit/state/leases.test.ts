import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { STATE_MIGRATIONS } from '../../../firmware/state/migrations.ts';
import { Device, Lease, NetworkEvent } from '../../../firmware/state/schemas.ts';
import { InvalidInputError } from '../../../firmware/state/values.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();
const T0 = Date.parse('2026-03-02T08:45:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

function lease(overrides: Partial<Lease> = {}): Lease {
  return {
    networkId: 'pupil', address: '10.20.0.100', clientKey: 'mac:02:5c:00:20:00:10', mac: '02:5c:00:20:00:10',
    clientId: null, hostname: 'ipad-7', vendorClass: 'android-dhcp-14', parameters: [1, 3, 6, 15, 114],
    relayAgent: null, relayInfo: null, state: 'bound', expires: at(60).toISOString(), updated: at(0).toISOString(),
    ...overrides,
  };
}

describe('LeaseRepository', () => {
  it('binds a lease and its device in one step, and both survive closing and reopening the file', () => {
    const file = join(tempDir(), 'state.db');
    const state = StateDatabase.open(file, { now: () => at(0) });
    state.leases.bind(lease(), { name: 'Year 3 iPad 12', groupId: 'ks2-ipads' });
    state.close();
    const again = StateDatabase.open(file, { now: () => at(1) });
    const [stored] = again.leases.list();
    expect(stored).toEqual(lease());
    expect(Value.Check(Lease, stored)).toBe(true);
    const device = again.devices.get('02:5c:00:20:00:10');
    expect(device).toMatchObject({
      networkId: 'pupil', hostname: 'ipad-7', vendorClass: 'android-dhcp-14', randomisedMac: true,
      name: 'Year 3 iPad 12', groupId: 'ks2-ipads', firstSeen: at(0).toISOString(),
    });
    expect(Value.Check(Device, device)).toBe(true);
    again.close();
  });

  it('keeps a name and group staff chose over a reservation\'s, and a hostname the client stopped sending', () => {
    const state = StateDatabase.open(':memory:');
    state.leases.bind(lease());
    state.devices.update('02:5c:00:20:00:10', { name: 'Mrs Khan\'s laptop', groupId: 'staff-laptops', owner: ' Mrs Khan ' });
    state.leases.bind(lease({ hostname: '', updated: at(5).toISOString() }), { name: 'Reserved name', groupId: 'other' });
    expect(state.devices.get('02:5c:00:20:00:10')).toMatchObject({
      name: 'Mrs Khan\'s laptop', groupId: 'staff-laptops', owner: 'Mrs Khan', hostname: 'ipad-7', lastSeen: at(5).toISOString(),
    });
  });

  it('marks a universally administered MAC as not randomised', () => {
    const state = StateDatabase.open(':memory:');
    state.leases.bind(lease({ mac: '3c:22:fb:01:a2:9e', clientKey: 'mac:3c:22:fb:01:a2:9e' }));
    expect(state.devices.get('3c:22:fb:01:a2:9e')?.randomisedMac).toBe(false);
  });

  it('gives a client one row per network: binding another address drops its older one, but not a quarantined one', () => {
    const state = StateDatabase.open(':memory:');
    state.leases.bind(lease());
    state.leases.save(lease({ address: '10.20.0.150', state: 'declined' }));
    state.leases.bind(lease({ address: '10.20.0.101', updated: at(1).toISOString() }));
    state.leases.bind(lease({ networkId: 'staff', address: '10.10.0.100' }));
    expect(state.leases.list().map((l) => `${l.networkId} ${l.address} ${l.state}`)).toEqual([
      'pupil 10.20.0.101 bound', 'pupil 10.20.0.150 declined', 'staff 10.10.0.100 bound',
    ]);
  });

  it('lists only leases bound and unexpired at an instant, and one network\'s rows', () => {
    const state = StateDatabase.open(':memory:');
    state.leases.bind(lease());
    state.leases.bind(lease({ address: '10.20.0.101', clientKey: 'id:01aa', mac: '02:00:00:00:00:02', expires: at(10).toISOString() }));
    state.leases.save(lease({ address: '10.20.0.102', clientKey: 'id:01bb', state: 'released' }));
    expect(state.leases.list({ activeAt: at(30) }).map((l) => l.address)).toEqual(['10.20.0.100']);
    expect(state.leases.list({ activeAt: at(5) }).map((l) => l.address).sort()).toEqual(['10.20.0.100', '10.20.0.101']);
    expect(state.leases.forNetwork('pupil')).toHaveLength(3);
    expect(state.leases.forNetwork('staff')).toEqual([]);
  });

  it('refuses to bind a lease that is not bound, and rolls back a failed bind without a trace', () => {
    const state = StateDatabase.open(':memory:');
    expect(() => state.leases.bind(lease({ state: 'released' }))).toThrow(/bound lease/);
    expect(() => state.leases.bind(lease({ mac: 'not-a-mac' }))).toThrow();
    expect(state.leases.list()).toEqual([]);
    expect(state.devices.count()).toBe(0);
  });
});

describe('NetworkEventRepository', () => {
  it('appends events and lists them newest first, filtered by kind, network and time', () => {
    const state = StateDatabase.open(':memory:');
    state.networkEvents.append({ at: at(0), kind: 'dhcp.rogue-server', networkId: 'guest', interface: 'veth-guest', mac: '02:00:00:00:00:99', details: { serverId: '10.30.0.254' } });
    state.networkEvents.append({ at: at(1), kind: 'dhcp.pool-exhausted', networkId: 'pupil' });
    state.networkEvents.append({ at: at(2), kind: 'dhcp.rogue-server', networkId: 'pupil' });
    const all = state.networkEvents.list();
    expect(all.map((e) => e.kind)).toEqual(['dhcp.rogue-server', 'dhcp.pool-exhausted', 'dhcp.rogue-server']);
    expect(all.every((e) => Value.Check(NetworkEvent, e))).toBe(true);
    expect(all[2]).toEqual({
      id: 1, at: at(0).toISOString(), kind: 'dhcp.rogue-server', networkId: 'guest', interface: 'veth-guest', mac: '02:00:00:00:00:99',
      details: { serverId: '10.30.0.254' },
    });
    expect(state.networkEvents.list({ kind: 'dhcp.rogue-server', networkId: 'pupil' }).map((e) => e.id)).toEqual([3]);
    expect(state.networkEvents.list({ since: at(1) }).map((e) => e.id)).toEqual([3, 2]);
    expect(state.networkEvents.list({ limit: 1 }).map((e) => e.id)).toEqual([3]);
  });

  it('refuses an unknown kind before writing', () => {
    const state = StateDatabase.open(':memory:');
    expect(() => state.networkEvents.append({ at: at(0), kind: 'dhcp.nonsense' as 'dhcp.declined' })).toThrow(InvalidInputError);
    expect(state.networkEvents.list()).toEqual([]);
  });
});

describe('migration 3', () => {
  it('marks devices seen before it with the locally administered bit as randomised', () => {
    const file = join(tempDir(), 'state.db');
    StateDatabase.open(file).close();
    const db = new DatabaseSync(file);
    // Back to what a version-2 database held: the devices table of migration 1.
    db.exec('DROP TABLE alerts; DELETE FROM schema_migrations WHERE version > 3; DROP TABLE leases; DROP TABLE network_events; ALTER TABLE devices DROP COLUMN hostname; ALTER TABLE devices DROP COLUMN vendor_class; ALTER TABLE devices DROP COLUMN randomised_mac; ALTER TABLE devices DROP COLUMN owner; DELETE FROM schema_migrations WHERE version = 3; PRAGMA user_version = 2');
    const insert = db.prepare("INSERT INTO devices (mac, network_id, first_seen, last_seen) VALUES (?, 'pupil', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
    for (const mac of ['02:5c:00:20:00:10', '3c:22:fb:01:a2:9e', 'da:a1:19:00:00:01', '00:11:22:33:44:55']) insert.run(mac);
    db.close();
    const state = StateDatabase.open(file);
    expect(state.schemaVersion).toBe(STATE_MIGRATIONS.length);
    expect(state.devices.list().filter((d) => d.randomisedMac).map((d) => d.mac).sort()).toEqual(['02:5c:00:20:00:10', 'da:a1:19:00:00:01']);
    state.close();
  });
});
