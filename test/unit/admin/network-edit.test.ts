// The networks page's editing rules on plain documents: the form's fields over what a network
// already holds, configuration paths back to the form's field names, and what still refers to a
// network, a schedule or a device group that is to go.
import { describe, expect, it } from 'vitest';
import {
  groupUsers, keepGroupPolicies, keepNetworkFiltering, keepNetworkPolicy, keepScheduleTimes, networkFieldOf, networkFromBody, networkUsers, removedInUse, schedulesInUse, scheduleUsers,
} from '../../../firmware/admin/network-edit.ts';
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

describe('what of a Networks page save is a filtering change', () => {
  function school() {
    const config = defaultConfig();
    config.deviceGroups = [{ id: 'year-6', name: 'Year 6', policy: 'pupil' }, { id: 'clubs', name: 'Clubs' }];
    config.schedules.push({ id: 'clubs', name: 'Clubs', windows: [{ days: ['mon'], from: '15:30', to: '17:00' }] });
    return config;
  }

  it('puts back a network\'s policy and nothing else of it', () => {
    const current = school();
    const draft = structuredClone(current);
    const pupil = draft.networks.find((n) => n.id === 'pupil')!;
    Object.assign(pupil, { name: 'Juniors', policy: 'staff', enabled: false });
    keepNetworkPolicy('pupil')(draft, current);
    expect(draft.networks.find((n) => n.id === 'pupil')).toMatchObject({ name: 'Juniors', enabled: false, policy: current.networks.find((n) => n.id === 'pupil')!.policy });
  });

  it('puts back a network\'s P2P and hotspot blocking when loosened, keeps them when tightened, whatever the kind', () => {
    const current = school();
    const at = current.networks.findIndex((n) => n.id === 'pupil');
    const loosen = structuredClone(current);
    Object.assign(loosen.networks[at]!, { name: 'Juniors', p2p: 'allow', tethering: 'off' });
    keepNetworkFiltering('pupil')(loosen, current);
    expect(loosen.networks[at]).toEqual({ ...current.networks[at]!, name: 'Juniors' });

    const tighten = structuredClone(current);
    Object.assign(tighten.networks[at]!, { p2p: 'block', tethering: 'block' });
    keepNetworkFiltering('pupil')(tighten, current);
    expect(tighten.networks[at]).toMatchObject({ p2p: 'block', tethering: 'block' });

    // A pupil network made a staff one with P2P left to the kind's default would allow it: it stays blocked.
    const kind = structuredClone(current);
    delete kind.networks[at]!.p2p;
    kind.networks[at]!.kind = 'staff';
    const before = structuredClone(current);
    delete before.networks[at]!.p2p;
    keepNetworkFiltering('pupil')(kind, before);
    expect(kind.networks[at]).toMatchObject({ kind: 'staff', p2p: 'block' });
  });

  it('puts back when each schedule a policy uses is open; an unused or new schedule, and every name, keep what was given', () => {
    const current = school();
    expect(schedulesInUse(current)).toEqual(['lunchtime']);
    const draft = structuredClone(current);
    draft.schedules[0] = { ...draft.schedules[0]!, name: 'Lunch', termTimeOnly: true, windows: [{ days: ['fri'], from: '12:00', to: '14:00' }] };
    draft.schedules[1]!.windows[0]!.to = '18:00';
    draft.schedules.push({ id: 'new', name: 'New', windows: [{ days: ['tue'], from: '08:00', to: '09:00' }] });
    keepScheduleTimes(draft, current);
    expect(draft.schedules[0]).toEqual({ ...current.schedules[0]!, name: 'Lunch' });
    expect(draft.schedules[1]!.windows[0]!.to).toBe('18:00');
    expect(draft.schedules[2]!.id).toBe('new');
  });

  it('puts back each existing group\'s policy, none included; a new group keeps its own', () => {
    const current = school();
    const draft = structuredClone(current);
    draft.deviceGroups = [{ id: 'year-6', name: 'Y6' }, { id: 'clubs', name: 'Clubs', policy: 'staff' }, { id: 'new', name: 'New', policy: 'staff' }];
    keepGroupPolicies(draft, current);
    expect(draft.deviceGroups).toEqual([{ id: 'year-6', name: 'Y6', policy: 'pupil' }, { id: 'clubs', name: 'Clubs' }, { id: 'new', name: 'New', policy: 'staff' }]);
  });
});
