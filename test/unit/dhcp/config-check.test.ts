import { describe, expect, it } from 'vitest';
import type { Config } from '../../../firmware/config/schema.ts';
import { validateConfig, type ConfigIssue } from '../../../firmware/config/validate.ts';
import { dhcpNetworks } from '../../../firmware/dhcp/settings.ts';
import { formatIPv4 } from '../../../firmware/dhcp/ipv4.ts';
import { labConfig } from './requests.ts';

function issuesAfter(edit: (c: Config) => void): ConfigIssue[] {
  const doc = JSON.parse(JSON.stringify(labConfig())) as Config;
  edit(doc);
  const result = validateConfig(doc);
  return result.ok ? [] : result.issues;
}

describe('DHCP configuration checks', () => {
  it('accepts the lab networks with reservations, and a v2 document without any DHCP fields', () => {
    expect(issuesAfter((c) => {
      c.deviceGroups = [{ id: 'ks2-ipads', name: 'KS2 iPads' }];
      c.reservations = [{ mac: '3c:22:fb:01:a2:9e', address: '10.20.0.100', name: 'Year 3 iPad 12', group: 'ks2-ipads', network: 'pupil' }];
    })).toEqual([]);
    expect(issuesAfter((c) => {
      delete c.reservations;
      for (const n of c.networks) delete n.dhcp;
    })).toEqual([]);
  });

  it.each<[string, (c: Config) => void, string, RegExp]>([
    ['a pool outside the subnet', (c) => { c.networks[1]!.dhcp!.pools[0]!.last = '10.21.0.5'; }, '/networks/1/dhcp/pools/0/last', /outside this network's subnet 10\.20\.0\.0\/24/],
    ['a pool holding the gateway', (c) => { c.networks[1]!.dhcp!.pools[0]!.first = '10.20.0.1'; }, '/networks/1/dhcp/pools/0', /contains the gateway's own address 10\.20\.0\.1/],
    ['a pool starting at the network address', (c) => { c.networks[1]!.dhcp!.pools[0]!.first = '10.20.0.0'; }, '/networks/1/dhcp/pools/0/first', /network address of 10\.20\.0\.0\/24/],
    ['a pool ending at the broadcast address', (c) => { c.networks[1]!.dhcp!.pools[0]!.last = '10.20.0.255'; }, '/networks/1/dhcp/pools/0/last', /broadcast address/],
    ['a pool that ends before it starts', (c) => { c.networks[1]!.dhcp!.pools[0]!.last = '10.20.0.50'; }, '/networks/1/dhcp/pools/0/last', /ends \(10\.20\.0\.50\) before it starts/],
    ['a pool overlapping another of the network', (c) => { c.networks[1]!.dhcp!.pools.push({ first: '10.20.0.150', last: '10.20.0.210' }); }, '/networks/1/dhcp/pools/1', /overlaps the pool at \/networks\/1\/dhcp\/pools\/0/],
    ['an IPv6 pool end', (c) => { c.networks[1]!.dhcp!.pools[0]!.first = 'fd00::1'; }, '/networks/1/dhcp/pools/0/first', /not an IPv4 address/],
    ['an enabled server without pools', (c) => { c.networks[1]!.dhcp!.pools = []; }, '/networks/1/dhcp/pools', /at least one pool/],
    ['DHCP without a gateway IPv4 address', (c) => { c.networks[1]!.gateway = {}; }, '/networks/1/dhcp', /gateway's IPv4 address/],
    ['option 114 on a pupil network', (c) => { c.networks[1]!.dhcp!.captivePortal = 'https://portal.example/api'; }, '/networks/1/dhcp/captivePortal', /guest networks only/],
    ['a reservation with a multicast MAC', (c) => { c.reservations = [{ mac: '01:00:5e:00:00:01', address: '10.20.0.5' }]; }, '/reservations/0/mac', /multicast/],
    ['a reservation outside every DHCP subnet', (c) => { c.reservations = [{ mac: '02:00:00:00:00:01', address: '192.168.1.5' }]; }, '/reservations/0/address', /not inside the subnet of any network with DHCP/],
    ['a reservation of the gateway', (c) => { c.reservations = [{ mac: '02:00:00:00:00:01', address: '10.20.0.1' }]; }, '/reservations/0/address', /gateway's own address on network "pupil"/],
    ['a reservation naming the wrong network', (c) => { c.reservations = [{ mac: '02:00:00:00:00:01', address: '10.20.0.5', network: 'guest' }]; }, '/reservations/0/network', /belongs to network "pupil"/],
    ['two reservations of one address', (c) => { c.reservations = [{ mac: '02:00:00:00:00:01', address: '10.20.0.5' }, { mac: '02:00:00:00:00:02', address: '10.20.0.5' }]; }, '/reservations/1/address', /already reserved \(\/reservations\/0\)/],
    ['two reservations for one MAC', (c) => { c.reservations = [{ mac: '02:00:00:00:00:01', address: '10.20.0.5' }, { mac: '02:00:00:00:00:01', address: '10.20.0.6' }]; }, '/reservations/1/mac', /already has a reservation/],
    ['a reservation in a group that does not exist', (c) => { c.reservations = [{ mac: '02:00:00:00:00:01', address: '10.20.0.5', group: 'nobody' }]; }, '/reservations/0/group', /device group "nobody" does not exist/],
  ])('refuses %s, naming its path', (_what, edit, path, message) => {
    const issues = issuesAfter(edit);
    expect(issues.map((i) => i.path)).toEqual([path]);
    expect(issues[0]!.message).toMatch(message);
  });

  it('refuses pools of two networks that overlap (their subnets overlapping is reported too)', () => {
    const issues = issuesAfter((c) => {
      c.networks[2]!.subnets = ['10.20.0.0/24'];
      c.networks[2]!.gateway = { ipv4: '10.20.0.254' };
      c.networks[2]!.dhcp!.pools = [{ first: '10.20.0.150', last: '10.20.0.220' }];
    });
    expect(issues.map((i) => i.path)).toContain('/networks/2/dhcp/pools/0');
    expect(issues.find((i) => i.path === '/networks/2/dhcp/pools/0')?.message).toMatch(/overlaps the pool at \/networks\/1\/dhcp\/pools\/0/);
  });

  it('refuses a captive-portal URI that is not https, by the schema', () => {
    const issues = issuesAfter((c) => { c.networks[2]!.dhcp!.captivePortal = 'http://10.30.0.1/api'; });
    expect(issues.map((i) => i.path)).toEqual(['/networks/2/dhcp/captivePortal']);
  });
});

describe('resolved DHCP settings', () => {
  it('fills in the domain, lease times, rate limits and the guest network\'s option 114', () => {
    const [staff, , guest] = dhcpNetworks(labConfig());
    expect(staff).toMatchObject({ id: 'staff', domain: 'schoolgate.home.arpa', leaseSeconds: 3600, renewSeconds: 1800, rebindSeconds: 3150, poolSize: 100, captivePortal: null, perMacPerMinute: 6, perNetworkPerMinute: 300 });
    expect(formatIPv4(staff!.serverAddress)).toBe('10.10.0.1');
    expect(guest!.captivePortal).toBe('https://10.30.0.1/api/captive-portal');
    const noPortal = labConfig((c) => { delete c.web.portal; });
    expect(dhcpNetworks(noPortal)[2]!.captivePortal).toBeNull();
  });

  it('leaves out disabled servers and disabled networks', () => {
    expect(dhcpNetworks(labConfig((c) => { c.networks[0]!.dhcp!.enabled = false; c.networks[1]!.enabled = false; })).map((n) => n.id)).toEqual(['guest']);
  });
});
