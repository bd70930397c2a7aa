// The networks page's editing rules on plain documents: the form's fields over what a network
// already holds, configuration paths back to the form's field names, and what still refers to a
// network, a schedule or a device group that is to go.
import { describe, expect, it } from 'vitest';
import { groupUsers, networkFieldOf, networkFromBody, networkUsers, removedInUse, scheduleUsers } from '../../../firmware/admin/network-edit.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { slugOf } from '../../../webui/src/pages/networks/slug.ts';

describe('networkFromBody', () => {
  const before = defaultConfig().networks[1]!;
  const { id: _id, dhcp: _dhcp, ...rest } = before;

  it('replaces the first pool and keeps the lease time and the other settings of DHCP', () => {
    const after = networkFromBody({ ...rest, dhcp: { enabled: true, first: '127.20.2.0', last: '127.20.2.9' } }, before, before.id);
    expect(after.dhcp).toEqual({ ...before.dhcp, enabled: true, pools: [{ first: '127.20.2.0', last: '127.20.2.9' }] });
    expect(after.id).toBe(before.id);
  });

  it('sets the lease time when the form gives one, keeping the rest of DHCP', () => {
    const after = networkFromBody({ ...rest, dhcp: { enabled: true, first: '127.20.2.0', last: '127.20.2.9', leaseSeconds: 8 * 3600 } }, before, before.id);
    expect(after.dhcp).toEqual({ ...before.dhcp, enabled: true, pools: [{ first: '127.20.2.0', last: '127.20.2.9' }], leaseSeconds: 8 * 3600 });
    expect(networkFieldOf(1)('/networks/1/dhcp/leaseSeconds')).toBe('dhcp/leaseMinutes');
  });

  it('turns DHCP off, keeping its settings, when the form has none; a new network without it has none', () => {
    expect(networkFromBody(rest, before, before.id).dhcp).toEqual({ ...before.dhcp, enabled: false });
    expect(networkFromBody(rest, undefined, 'library').dhcp).toBeUndefined();
    expect(networkFromBody({ ...rest, dhcp: { enabled: false, first: '127.20.2.0', last: '127.20.2.9' } }, undefined, 'library').dhcp?.leaseSeconds).toBe(3600);
  });

  it('drops a VLAN, Wi-Fi name or P2P setting the form leaves out', () => {
    const after = networkFromBody({ ...rest, vlan: undefined, ssid: undefined, p2p: undefined } as typeof rest, { ...before, vlan: 20, ssid: 'x', p2p: 'allow' }, before.id);
    expect(after).not.toHaveProperty('vlan');
    expect(after).not.toHaveProperty('ssid');
    expect(after).not.toHaveProperty('p2p');
  });
});

describe('networkFieldOf', () => {
  const field = networkFieldOf(3);
  it.each([
    ['/networks/3/dhcp/pools/0/first', 'dhcp/first'],
    ['/networks/3/dhcp/pools/0/last', 'dhcp/last'],
    ['/networks/3/dhcp/pools/0', 'dhcp/first'],
    ['/networks/3/dhcp', 'gateway/ipv4'],
    ['/networks/3/dhcp/captivePortal', 'dhcp/enabled'],
    ['/networks/3/subnets/1', 'subnets'],
    ['/networks/3/gateway/ipv4', 'gateway/ipv4'],
    ['/networks/3/vlan', 'vlan'],
  ])('%s → %s', (path, expected) => expect(field(path)).toBe(expected));
  it('leaves another network\'s paths alone', () => expect(field('/networks/2/vlan')).toBeUndefined());
});

describe('what still refers to what is removed', () => {
  it('names the reservations, exceptions and IPv6 forwarding that name a network', () => {
    const c = defaultConfig();
    c.reservations = [{ mac: '02:00:00:00:00:01', address: '127.20.0.9', network: 'pupil', name: 'Printer' }];
    c.exceptions = [{ id: 'e1', domain: 'example.org', action: 'allow', networks: ['pupil'], reason: 'a lesson', requestedBy: 'Jo' }];
    c.firewall = { enabled: false, wanInterface: 'eth0', ipv6Forward: ['pupil'] };
    expect(networkUsers(c, 'pupil')).toEqual(['the reservation of 02:00:00:00:00:01 (Printer)', 'the allow exception for example.org', "the firewall's IPv6 forwarding"]);
    expect(networkUsers(c, 'staff')).toEqual([]);
  });

  it('names the policy and the row that use a schedule or a group, and only for what went', () => {
    const c = defaultConfig();
    c.deviceGroups = [{ id: 'club', name: 'Club' }];
    c.policies[0]!.categories.gaming = { disposition: 'acceptable-for-nominated-users', groups: ['club'] };
    expect(groupUsers(c, 'club')).toEqual([`policy "${c.policies[0]!.name}" (gaming)`]);
    c.classes = { teachers: [], unlocks: [{ category: 'streaming', groups: ['club'], maxMinutes: 30 }] };
    expect(groupUsers(c, 'club')).toEqual([`policy "${c.policies[0]!.name}" (gaming)`, 'what teachers may unlock for it (streaming)']);
    c.classes.teachers = [{ group: 'club', accounts: ['t.one'] }];
    expect(groupUsers(c, 'club').slice(1)).toEqual(['the teachers assigned to it', 'what teachers may unlock for it (streaming)']);
    const lunchtime = scheduleUsers(c, 'lunchtime');
    expect(lunchtime.length).toBeGreaterThan(0);
    expect(removedInUse(c.schedules, [], (id) => scheduleUsers(c, id))).toEqual([{ id: 'lunchtime', name: 'Lunchtime', users: lunchtime }]);
    expect(removedInUse(c.schedules, c.schedules, (id) => scheduleUsers(c, id))).toEqual([]);
  });
});

describe('slugOf', () => {
  it.each([
    ['After-school clubs', 'after-school-clubs'],
    ['  Year 6 — SATs revision! ', 'year-6-sats-revision'],
    ['6th form', 'th-form'],
    ['***', 'schedule'],
    ['A very long name that goes on and on past the limit', 'a-very-long-name-that-goes-on-an'],
  ])('%s → %s', (name, expected) => expect(slugOf(name, 'schedule')).toBe(expected));
});
