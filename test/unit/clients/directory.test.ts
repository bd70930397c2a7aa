import { describe, expect, it } from 'vitest';
import { ClientDirectory } from '../../../firmware/clients/directory.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Network } from '../../../firmware/config/schema.ts';

function networks(): Network[] {
  const base = defaultConfig().networks;
  return [
    ...base,
    {
      id: 'devices', name: 'School devices', kind: 'school-devices', enabled: true, interface: 'wlan1',
      subnets: ['10.40.0.0/22', 'fd00:40::/64'], gateway: { ipv4: '10.40.0.1' }, policy: 'staff',
    },
    {
      id: 'byod', name: 'Pupil BYOD', kind: 'pupil', enabled: false, interface: 'wlan2',
      subnets: ['10.50.0.0/24', 'fd00:50::/64'], gateway: {}, policy: 'pupil',
    },
  ];
}

describe('ClientDirectory', () => {
  const dir = new ClientDirectory(networks());

  it('finds IPv4 clients by subnet, including subnet edges', () => {
    expect(dir.lookup('127.20.0.5')?.network.id).toBe('pupil');
    expect(dir.lookup('127.10.255.255')?.network.id).toBe('staff');
    expect(dir.lookup('127.30.0.0')?.network.id).toBe('guest');
    expect(dir.lookup('10.40.3.255')?.network.id).toBe('devices');
    expect(dir.lookup('10.40.4.0')).toBeUndefined();
  });

  it('finds IPv6 clients, and IPv4-mapped IPv6 as the IPv4 address (dotted and hex forms)', () => {
    expect(dir.lookup('fd00:40::1234')?.network.id).toBe('devices');
    expect(dir.lookup('FD00:40:0:0:ffff::1')?.network.id).toBe('devices');
    expect(dir.lookup('fd00:41::1')).toBeUndefined();
    expect(dir.lookup('::ffff:127.20.0.5')?.network.id).toBe('pupil');
    expect(dir.lookup('::FFFF:10.40.0.9')?.network.id).toBe('devices');
    expect(dir.lookup('::ffff:7f14:5')?.network.id).toBe('pupil');
  });

  it('ignores disabled networks', () => {
    expect(dir.networks.map((n) => n.id)).not.toContain('byod');
    expect(dir.lookup('10.50.0.7')).toBeUndefined();
    expect(dir.lookup('fd00:50::7')).toBeUndefined();
  });

  it('knows nobody outside the school networks, and nothing that is not an address', () => {
    for (const outsider of ['127.99.0.1', '8.8.8.8', '0.0.0.0', '255.255.255.255', '::1', '2001:db8::1', '::ffff:127.99.0.1']) {
      expect(dir.lookup(outsider), outsider).toBeUndefined();
    }
    for (const junk of ['', '127.20.0', '127.20.0.5.1', '127.20.0.256', '127.020.0.5', '127.20.0.5 ', 'pupil', '::ffff:', '::ffff:127.20']) {
      expect(dir.lookup(junk), junk).toBeUndefined();
    }
  });

  it('returns one shared, frozen result per network with room for a device', () => {
    const a = dir.lookup('127.20.0.5');
    expect(a).toBe(dir.lookup('127.20.9.9'));
    expect(Object.isFrozen(a)).toBe(true);
    expect(a?.device).toBeUndefined();
  });

  it('prefers the longest prefix and skips subnets it cannot parse', () => {
    const nets = networks();
    const wide: Network = { ...nets[0]!, id: 'wide', subnets: ['127.0.0.0/8', '10.0.0.1/8'] };
    const d = new ClientDirectory([wide, ...nets]);
    expect(d.lookup('127.20.0.5')?.network.id).toBe('pupil');
    expect(d.lookup('127.99.0.1')?.network.id).toBe('wide');
    expect(d.skippedSubnets).toEqual(['10.0.0.1/8']);
  });
});
