import { describe, expect, it } from 'vitest';
import { ClientDirectory } from '../../../firmware/clients/directory.ts';
import { parseIPv4 } from '../../../firmware/clients/ip.ts';
import { LeaseDevices } from '../../../firmware/clients/lease-devices.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';

const ip = (text: string): number => parseIPv4(text)!;
const A = '02:00:00:00:00:0a';
const B = '3c:22:fb:01:a2:9e';

describe('LeaseDevices', () => {
  it('maps an address to the device holding it, and forgets it on delete', () => {
    const m = new LeaseDevices();
    m.set(ip('10.20.0.10'), A, 'year3');
    expect(m.device(ip('10.20.0.10'))).toEqual({ id: A, group: 'year3' });
    expect(m.device(ip('10.20.0.11'))).toBeUndefined();
    m.delete(ip('10.20.0.10'));
    expect(m.device(ip('10.20.0.10'))).toBeUndefined();
    expect(m.size).toBe(0);
  });

  it('regroups every address a device holds, and only that device', () => {
    const m = new LeaseDevices();
    m.set(ip('10.20.0.10'), A, null);
    m.set(ip('10.10.0.10'), A, null);
    m.set(ip('10.20.0.11'), B, 'staff');
    const changes = m.regroup(A, 'year6');
    expect(changes).toHaveLength(2);
    expect(m.device(ip('10.20.0.10'))?.group).toBe('year6');
    expect(m.device(ip('10.10.0.10'))?.group).toBe('year6');
    expect(m.device(ip('10.20.0.11'))?.group).toBe('staff');
    // An address handed to another device is no longer the first one's.
    m.set(ip('10.20.0.10'), B, null);
    expect(m.regroup(A, null)).toEqual([[ip('10.10.0.10'), A, null]]);
    expect(m.device(ip('10.20.0.10'))).toEqual({ id: B });
  });

  it("rebuilds the same map from its snapshot (a worker thread's start)", () => {
    const m = new LeaseDevices();
    m.set(ip('10.20.0.10'), A, 'year3');
    m.set(ip('255.255.255.254'), B, null);
    const copy = new LeaseDevices();
    for (const change of m.snapshot()) copy.apply(change);
    expect(copy.device(ip('10.20.0.10'))).toEqual({ id: A, group: 'year3' });
    expect(copy.device(ip('255.255.255.254'))).toEqual({ id: B });
    copy.apply([ip('10.20.0.10')]);
    expect(copy.device(ip('10.20.0.10'))).toBeUndefined();
  });
});

describe('ClientDirectory with leases', () => {
  const networks = defaultConfig().networks;

  it('names the device holding a lease, keeps the network, and reuses one result object', () => {
    const devices = new LeaseDevices();
    const dir = new ClientDirectory(networks, devices);
    expect(dir.lookup('127.20.0.5')?.device).toBeUndefined();
    devices.set(ip('127.20.0.5'), A, 'year3');
    const info = dir.lookup('127.20.0.5');
    expect(info?.network.id).toBe('pupil');
    expect(info?.device).toEqual({ id: A, group: 'year3' });
    expect(Object.isFrozen(info)).toBe(true);
    expect(dir.lookup('127.20.0.5')).toBe(info);
    expect(dir.lookup('::ffff:127.20.0.5')).toBe(info);
    // Another address on the network is still just the network.
    expect(dir.lookup('127.20.0.6')?.device).toBeUndefined();
  });

  it('survives a reload: a new directory over the same leases finds the device on the new network object', () => {
    const devices = new LeaseDevices();
    devices.set(ip('127.20.0.5'), A, null);
    const before = new ClientDirectory(networks, devices).lookup('127.20.0.5');
    const renamed = networks.map((n) => (n.id === 'pupil' ? { ...n, name: 'Pupils (renamed)' } : n));
    const after = new ClientDirectory(renamed, devices).lookup('127.20.0.5');
    expect(after?.device?.id).toBe(A);
    expect(after?.network.name).toBe('Pupils (renamed)');
    expect(after).not.toBe(before);
  });

  it('never lets a lease admit a source outside every enabled network', () => {
    const devices = new LeaseDevices();
    devices.set(ip('127.99.0.1'), A, null);
    expect(new ClientDirectory(networks, devices).lookup('127.99.0.1')).toBeUndefined();
  });
});
