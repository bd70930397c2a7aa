// The networks page's changes through fastify's inject over a real configuration store: adding a
// network, changing its addressing (each problem beside the form's own field), removing one (not the
// last, not one still named elsewhere), schedules' windows, device groups; who may, CSRF, the audit,
// and `schoolgate config validate` passing on the file each save wrote.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NetworkBody } from '../../../firmware/admin/api/networks-schema.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Network } from '../../../firmware/config/schema.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { startChangeControl } from '../../../firmware/control/changes/wiring.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { runCli } from '../../support/daemon.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, roleSessions, type RoleSession } from './role-sessions.ts';

let t: TestAdmin;
let store: ConfigStore;
let file: string;
let call: ReturnType<typeof caller>;
let s: Record<string, RoleSession>;
beforeEach(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'sg-networks-')), 'config.json');
  store = await ConfigStore.open(file, { createWith: defaultConfig });
  const control = new ControlServer(silentLogger());
  t = await testAdmin({ config: { current: () => store.current, update: (change, written) => store.update(change, written) }, control });
  startChangeControl({ control, state: t.state, config: store, mailer: null, logger: silentLogger() });
  call = caller(t);
  s = await roleSessions(t, ['technician', 'staff', 'online-safety-lead']);
});
afterEach(async () => {
  await t.close();
});

const as = (role: string) => ({ cookie: s[role]!.cookie, csrf: s[role]!.csrf });

/** The form's body for a network as configured. */
function formOf(n: Network): NetworkBody {
  const { id: _id, dhcp, ...rest } = n;
  return { ...rest, ...(dhcp ? { dhcp: { enabled: dhcp.enabled, ...dhcp.pools[0]! } } : {}) };
}

const library: NetworkBody & { id: string } = {
  id: 'library', name: 'Library', kind: 'pupil', enabled: true, ssid: 'StMarys-Library', interface: 'lo', vlan: 40,
  subnets: ['127.40.0.0/16'], gateway: { ipv4: '127.40.0.1' }, policy: 'pupil', dhcp: { enabled: false, first: '127.40.1.0', last: '127.40.1.255' },
};

async function validates(): Promise<void> {
  const result = await runCli(['config', 'validate', file]);
  expect(result.code, result.stderr).toBe(0);
}

describe('networks', () => {
  it('adds a network with its addressing, audited, and the saved file passes schoolgate config validate', async () => {
    const added = await call({ method: 'POST', url: '/api/networks', ...as('technician'), body: library });
    expect(added.status, JSON.stringify(added.json)).toBe(200);
    const saved = store.current.networks.find((n) => n.id === 'library')!;
    expect(saved).toMatchObject({ interface: 'lo', vlan: 40, subnets: ['127.40.0.0/16'], gateway: { ipv4: '127.40.0.1' } });
    expect(saved.dhcp).toEqual({ enabled: false, pools: [{ first: '127.40.1.0', last: '127.40.1.255' }], leaseSeconds: 3600 });
    expect(t.state.audit.list({ action: 'network.add' }).map((e) => e.actor)).toEqual(['account:a.technician']);
    await validates();
  });

  it('puts each semantic problem beside the form field it belongs to and saves nothing', async () => {
    const before = structuredClone(store.current.networks);
    const clash = { ...library, subnets: ['127.20.0.0/16'], gateway: { ipv4: '127.99.0.1' }, dhcp: { enabled: true, first: '127.40.1.0', last: '127.40.0.5' } };
    const bad = await call({ method: 'POST', url: '/api/networks', ...as('technician'), body: clash });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.fields).sort()).toEqual(expect.arrayContaining(['subnets', 'gateway/ipv4']));
    expect(bad.json.fields.subnets).toMatch(/127\.20\.0\.0\/16/);
    const existing = await call({ method: 'POST', url: '/api/networks', ...as('technician'), body: { ...library, id: store.current.networks[0]!.id } });
    expect(existing.status).toBe(400);
    expect(existing.json.fields.id).toMatch(/more than once|duplicate|already/);
    const typeError = await call({ method: 'POST', url: '/api/networks', ...as('technician'), body: { ...library, vlan: 5000 } });
    expect(typeError.status).toBe(400);
    expect(typeError.json.fields.vlan).toBeDefined();
    expect(store.current.networks).toEqual(before);
  });

  it('changes a network\'s addressing and its DHCP range, keeping its lease time', async () => {
    const pupil = store.current.networks.find((n) => n.kind === 'pupil')!;
    const form = { ...formOf(pupil), subnets: ['127.21.0.0/16'], gateway: { ipv4: '127.21.0.1' }, dhcp: { enabled: false, first: '127.21.1.0', last: '127.21.1.99' } };
    const bad = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...form, dhcp: { ...form.dhcp, first: '127.99.1.0' } } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields['dhcp/first']).toMatch(/127\.99\.1\.0/);
    const ok = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: form });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    const saved = store.current.networks.find((n) => n.id === pupil.id)!;
    expect(saved.subnets).toEqual(['127.21.0.0/16']);
    expect(saved.dhcp).toEqual({ ...pupil.dhcp, pools: [{ first: '127.21.1.0', last: '127.21.1.99' }] });
    await validates();
  });

  it('changes a network\'s lease time through the configuration\'s checks, refusing one out of range beside the form\'s field', async () => {
    const pupil = store.current.networks.find((n) => n.kind === 'pupil')!;
    const form = formOf(pupil);
    const short = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...form, dhcp: { ...form.dhcp!, leaseSeconds: 60 } } });
    expect(short.status).toBe(400);
    expect(short.json.fields['dhcp/leaseSeconds'] ?? short.json.fields['dhcp/leaseMinutes'], JSON.stringify(short.json)).toBeDefined();
    expect(store.current.networks.find((n) => n.id === pupil.id)!.dhcp!.leaseSeconds).toBe(pupil.dhcp!.leaseSeconds);
    const ok = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...form, dhcp: { ...form.dhcp!, leaseSeconds: 4 * 3600 } } });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(store.current.networks.find((n) => n.id === pupil.id)!.dhcp).toEqual({ ...pupil.dhcp, leaseSeconds: 4 * 3600 });
    expect(t.state.audit.list({ action: 'network.edit' }).at(-1)!.details).toMatchObject({ dhcp: { leaseSeconds: 4 * 3600 } });
    await validates();
  });

  it('removes a network, but not one still named elsewhere (saying by what) nor the only one', async () => {
    const [first, second, third] = store.current.networks;
    await store.update((d) => { d.reservations = [{ mac: '02:00:00:00:00:01', address: second!.gateway.ipv4!.replace(/\.1$/, '.7'), network: second!.id, name: 'Office printer' }]; });
    const named = await call({ method: 'DELETE', url: `/api/networks/${second!.id}`, ...as('technician') });
    expect(named.status).toBe(409);
    expect(named.json.error).toMatch(/reservation of 02:00:00:00:00:01 \(Office printer\)/);
    expect((await call({ method: 'DELETE', url: `/api/networks/${third!.id}`, ...as('technician') })).status).toBe(200);
    expect(store.current.networks.map((n) => n.id)).toEqual([first!.id, second!.id]);
    expect(t.state.audit.list({ action: 'network.remove' })).toHaveLength(1);
    await validates();
    await store.update((d) => { d.reservations = []; d.networks = [d.networks[0]!]; });
    const last = await call({ method: 'DELETE', url: `/api/networks/${first!.id}`, ...as('technician') });
    expect(last.status).toBe(409);
    expect(last.json.error).toMatch(/only network/);
  });

  it('refuses every change to staff (403) and a technician\'s change without the CSRF token', async () => {
    const pupil = store.current.networks.find((n) => n.kind === 'pupil')!;
    expect((await call({ method: 'POST', url: '/api/networks', ...as('staff'), body: library })).status).toBe(403);
    expect((await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('staff'), body: formOf(pupil) })).status).toBe(403);
    expect((await call({ method: 'DELETE', url: `/api/networks/${pupil.id}`, ...as('staff') })).status).toBe(403);
    expect((await call({ method: 'PUT', url: '/api/device-groups', ...as('staff'), body: { groups: [] } })).status).toBe(403);
    const tech = s.technician!;
    for (const attempt of [
      { method: 'POST' as const, url: '/api/networks', body: library },
      { method: 'PUT' as const, url: `/api/networks/${pupil.id}`, body: formOf(pupil) },
      { method: 'DELETE' as const, url: `/api/networks/${pupil.id}` },
      { method: 'PUT' as const, url: '/api/device-groups', body: { groups: [{ id: 'x', name: 'X' }] } },
      { method: 'PUT' as const, url: '/api/schedules', body: { schedules: [], terms: [] } },
    ]) {
      const refused = await call({ ...attempt, cookie: tech.cookie });
      expect(refused.status, attempt.url).toBe(403);
      expect(refused.json.code).toBe('csrf');
    }
    expect(store.current.networks.map((n) => n.id)).toEqual(defaultConfig().networks.map((n) => n.id));
    expect(store.current.deviceGroups).toEqual(defaultConfig().deviceGroups);
  });
});

describe('schedules and device groups', () => {
  it('adds a schedule with its windows, refuses a window ending before it starts beside its field, and refuses removing one a policy uses', async () => {
    const current = store.current.schedules;
    const clubs = { id: 'after-school', name: 'After-school clubs', windows: [{ days: ['mon', 'wed'], from: '15:30', to: '17:00' }] };
    const bad = await call({ method: 'PUT', url: '/api/schedules', ...as('technician'), body: { schedules: [...current, { ...clubs, windows: [{ days: ['mon'], from: '17:00', to: '15:30' }] }], terms: [] } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields[`schedules/${current.length}/windows/0/to`]).toMatch(/later than "from"/);
    const ok = await call({ method: 'PUT', url: '/api/schedules', ...as('technician'), body: { schedules: [...current, clubs], terms: [] } });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(store.current.schedules.at(-1)).toEqual(clubs);
    const inUse = await call({ method: 'PUT', url: '/api/schedules', ...as('technician'), body: { schedules: [clubs], terms: [] } });
    expect(inUse.status).toBe(400);
    expect(inUse.json.fields.schedules).toMatch(/"Lunchtime" is used by policy/);
    expect(store.current.schedules).toHaveLength(current.length + 1);
    await validates();
  });

  it('creates, renames and removes device groups with the policy they get; a group a policy names stays', async () => {
    const groups = [{ id: 'sen-pupils', name: 'SEN pupils', policy: 'staff' }, { id: 'it-club', name: 'IT club' }];
    const made = await call({ method: 'PUT', url: '/api/device-groups', ...as('technician'), body: { groups } });
    expect(made.status, JSON.stringify(made.json)).toBe(200);
    expect(store.current.deviceGroups).toEqual(groups);
    const view = await call({ url: '/api/networks', ...as('staff') });
    expect(view.json.deviceGroups).toEqual(groups);
    expect(view.json.may).toMatchObject({ groups: false, members: false });
    const badPolicy = await call({ method: 'PUT', url: '/api/device-groups', ...as('technician'), body: { groups: [{ ...groups[0]!, policy: 'nope' }] } });
    expect(badPolicy.status).toBe(400);
    expect(badPolicy.json.fields['groups/0/policy']).toMatch(/policy "nope" does not exist/);
    await store.update((d) => { d.policies[0]!.categories.gaming = { disposition: 'acceptable-for-nominated-users', groups: ['it-club'] }; });
    const inUse = await call({ method: 'PUT', url: '/api/device-groups', ...as('technician'), body: { groups: [{ ...groups[0]!, name: 'SEN' }] } });
    expect(inUse.status).toBe(400);
    expect(inUse.json.fields.groups).toMatch(/"IT club" is used by policy "[^"]+" \(gaming\)/);
    const renamed = await call({ method: 'PUT', url: '/api/device-groups', ...as('technician'), body: { groups: [{ ...groups[1]!, name: 'Computing club' }] } });
    expect(renamed.status, JSON.stringify(renamed.json)).toBe(200);
    expect(store.current.deviceGroups).toEqual([{ id: 'it-club', name: 'Computing club' }]);
    expect(t.state.audit.list({ action: 'groups.edit' })).toHaveLength(2);
    await validates();
  });
});

const WHY = { rationale: 'The pupils network now serves the staff room too', riskNote: 'Staff devices only are on it from this term; pupils use Pupils' };

describe('what changes what is filtered becomes a change request; the rest of the form saves at once', () => {
  it('a network\'s policy: saves nothing, asks for it in words, and applies once two approvers agree', async () => {
    const pupil = store.current.networks.find((n) => n.kind === 'pupil')!;
    const before = structuredClone(store.current);
    const noWhy = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...formOf(pupil), policy: 'staff' } });
    expect(noWhy.status).toBe(400);
    expect(Object.keys(noWhy.json.fields).sort()).toEqual(['rationale', 'riskNote']);
    expect(t.state.changes.count()).toBe(0);
    const asked = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...formOf(pupil), policy: 'staff', ...WHY } });
    expect(asked.status, JSON.stringify(asked.json)).toBe(200);
    expect(asked.json).toMatchObject({ ok: true, saved: false, request: { id: 1 } });
    expect(asked.json.request.summary).toEqual([`The ${pupil.name} network: policy ${before.policies.find((p) => p.id === pupil.policy)!.name} → Staff`]);
    expect(store.current).toEqual(before);
    expect(t.state.audit.list({ action: 'network.edit' })).toEqual([]);
    const change = t.state.changes.get(1);
    expect(change.proposal).toEqual({ kind: 'config', action: 'network.edit', subject: pupil.id, edits: [{ path: `/networks/${before.networks.indexOf(before.networks.find((n) => n.id === pupil.id)!)}/policy`, before: pupil.policy, after: 'staff' }] });
    expect(t.state.changes.list()[0]!.title).toBe(`Change the ${pupil.name} network's policy`);
    for (const role of ['dsl', 'headteacher']) expect((await call({ method: 'POST', url: '/api/changes/1/approve', ...as(role), body: {} })).status).toBe(200);
    const applied = await call({ method: 'POST', url: '/api/changes/1/apply', ...as('technician'), body: {} });
    expect(applied.status, JSON.stringify(applied.json)).toBe(200);
    expect(store.current.networks.find((n) => n.id === pupil.id)!.policy).toBe('staff');
    await validates();
  });

  it('a name and a policy in one save: the name saves at once, the policy becomes a request; a name alone asks for nothing', async () => {
    const pupil = store.current.networks.find((n) => n.kind === 'pupil')!;
    const both = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...formOf(pupil), name: 'Pupils (juniors)', policy: 'staff', ...WHY } });
    expect(both.status, JSON.stringify(both.json)).toBe(200);
    expect(both.json).toMatchObject({ saved: true, request: { id: 1 } });
    expect(both.json.request.summary).toEqual([`The Pupils (juniors) network: policy ${store.current.policies.find((p) => p.id === pupil.policy)!.name} → Staff`]);
    const saved = store.current.networks.find((n) => n.id === pupil.id)!;
    expect(saved).toMatchObject({ name: 'Pupils (juniors)', policy: pupil.policy });
    const name = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...formOf(saved), name: 'Juniors' } });
    expect(name.json).toEqual({ ok: true, saved: true, request: null });
    expect(store.current.networks.find((n) => n.id === pupil.id)!.name).toBe('Juniors');
    expect(t.state.changes.count()).toBe(1);
    // A problem anywhere in the form: nothing saved and nothing asked for.
    const bad = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...formOf(saved), name: 'Later', policy: 'staff', vlan: 5000, ...WHY } });
    expect(bad.status).toBe(400);
    expect(store.current.networks.find((n) => n.id === pupil.id)!.name).toBe('Juniors');
    expect(t.state.changes.count()).toBe(1);
    await validates();
  });

  it('P2P and hotspot blocks switched off are asked for; switched on they save at once', async () => {
    const pupil = store.current.networks.find((n) => n.kind === 'pupil')!;
    const index = store.current.networks.indexOf(pupil);
    const off = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...formOf(pupil), p2p: 'allow', tethering: 'off' } });
    expect(off.status).toBe(400);
    expect(Object.keys(off.json.fields).sort()).toEqual(['rationale', 'riskNote']);
    const asked = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...formOf(pupil), name: 'Juniors', p2p: 'allow', tethering: 'off', ...WHY } });
    expect(asked.status, JSON.stringify(asked.json)).toBe(200);
    expect(asked.json).toMatchObject({ saved: true, request: { id: 1 } });
    expect(asked.json.request.summary).toEqual([
      'The Juniors network: hotspots (a device sharing its connection) recorded, not blocked → not looked for',
      'The Juniors network: peer-to-peer file sharing blocked → allowed',
    ]);
    const saved = store.current.networks[index]!;
    expect(saved).toMatchObject({ name: 'Juniors' });
    expect(saved.p2p ?? 'block').toBe('block');
    expect(saved.tethering ?? 'monitor').toBe('monitor');
    expect(t.state.changes.list()[0]!.title).toBe("Change the Juniors network's hotspot blocking and the Juniors network's P2P blocking");
    expect(t.state.changes.get(1).proposal).toMatchObject({ kind: 'config', edits: [
      { path: `/networks/${index}/tethering`, after: 'off' },
      { path: `/networks/${index}/p2p`, after: 'allow' },
    ] });
    // Turning hotspots to block narrows: saved at once, nothing asked.
    const on = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...formOf(saved), tethering: 'block' } });
    expect(on.json).toEqual({ ok: true, saved: true, request: null });
    expect(store.current.networks[index]!.tethering).toBe('block');
    // From block back to monitor loosens it again.
    const monitor = await call({ method: 'PUT', url: `/api/networks/${pupil.id}`, ...as('technician'), body: { ...formOf(store.current.networks[index]!), tethering: 'monitor', ...WHY } });
    expect(monitor.json).toMatchObject({ saved: false, request: { id: 2, summary: ['The Juniors network: hotspots (a device sharing its connection) blocked (the device is suspended) → recorded, not blocked'] } });
    expect(store.current.networks[index]!.tethering).toBe('block');
    await validates();
  });

  it('when a schedule a policy uses is open is asked for; a new or unused schedule, its name and the terms save at once', async () => {
    const current = structuredClone(store.current.schedules);
    const used = current.find((s) => s.id === 'lunchtime')!;
    const clubs = { id: 'clubs', name: 'Clubs', windows: [{ days: ['mon', 'wed'] as ('mon' | 'wed')[], from: '15:30', to: '17:00' }] };
    const added = await call({ method: 'PUT', url: '/api/schedules', ...as('technician'), body: { schedules: [...current, clubs], terms: [] } });
    expect(added.json).toEqual({ ok: true, saved: true, request: null });
    const later = { ...clubs, windows: [{ ...clubs.windows[0]!, to: '17:30' }] };
    const unused = await call({ method: 'PUT', url: '/api/schedules', ...as('technician'), body: { schedules: [...current, later], terms: [] } });
    expect(unused.json).toEqual({ ok: true, saved: true, request: null });
    expect(store.current.schedules.at(-1)).toEqual(later);
    const lunch = { ...used, name: 'Lunch', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, from: '12:00', to: '13:30' }] };
    const asked = await call({ method: 'PUT', url: '/api/schedules', ...as('technician'), body: { schedules: [...current.map((s) => (s.id === used.id ? lunch : s)), later], terms: [], ...WHY } });
    expect(asked.status, JSON.stringify(asked.json)).toBe(200);
    expect(asked.json).toMatchObject({ saved: true, request: { id: 1 } });
    expect(store.current.schedules.find((s) => s.id === used.id)).toEqual({ ...used, name: 'Lunch' });
    expect(asked.json.request.summary).toHaveLength(1);
    expect(asked.json.request.summary[0]).toMatch(/^Schedule Lunch: Mon–Fri 12:00–13:00 → Mon–Fri 12:00–13:30$/);
    await validates();
  });

  it('an existing group\'s policy is asked for; a new group with a policy saves at once', async () => {
    const made = await call({ method: 'PUT', url: '/api/device-groups', ...as('technician'), body: { groups: [{ id: 'year-6', name: 'Year 6', policy: 'pupil' }] } });
    expect(made.json).toEqual({ ok: true, saved: true, request: null });
    const asked = await call({ method: 'PUT', url: '/api/device-groups', ...as('technician'), body: { groups: [{ id: 'year-6', name: 'Year 6', policy: 'staff' }, { id: 'it-club', name: 'IT club' }], ...WHY } });
    expect(asked.status, JSON.stringify(asked.json)).toBe(200);
    expect(asked.json).toMatchObject({ saved: true, request: { id: 1, summary: [`Device group Year 6: policy ${store.current.policies.find((p) => p.id === 'pupil')!.name} → Staff`] } });
    expect(store.current.deviceGroups).toEqual([{ id: 'year-6', name: 'Year 6', policy: 'pupil' }, { id: 'it-club', name: 'IT club' }]);
    const cleared = await call({ method: 'PUT', url: '/api/device-groups', ...as('technician'), body: { groups: [{ id: 'year-6', name: 'Year 6' }, { id: 'it-club', name: 'IT club' }], ...WHY } });
    expect(cleared.json.request.summary).toEqual([`Device group Year 6: policy ${store.current.policies.find((p) => p.id === 'pupil')!.name} → the network's policy`]);
  });
});

describe('the setup wizard\'s steps after the accounts', () => {
  it('saves the term dates alone with policy.edit, refusing an impossible date beside its field with nothing saved', async () => {
    const terms = [{ name: 'Spring 1', start: '2027-01-05', end: '2027-02-12' }, { name: 'Spring 2', start: '2027-02-22', end: '2027-03-26' }];
    expect((await call({ method: 'PUT', url: '/api/terms', ...as('staff'), body: { terms } })).status).toBe(403);
    expect((await call({ method: 'PUT', url: '/api/terms', ...as('headteacher'), body: { terms } })).status).toBe(403);
    expect((await call({ method: 'PUT', url: '/api/terms', cookie: s.technician!.cookie, body: { terms } })).json.code).toBe('csrf');
    const bad = await call({ method: 'PUT', url: '/api/terms', ...as('technician'), body: { terms: [terms[0]!, { ...terms[1]!, end: '2027-02-30' }] } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields['terms/1/end']).toMatch(/not a date/);
    expect(store.current.site.terms).toBeUndefined();
    const ok = await call({ method: 'PUT', url: '/api/terms', ...as('technician'), body: { terms } });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(store.current.site.terms).toEqual(terms);
    expect(store.current.schedules).toEqual(defaultConfig().schedules);
    expect(t.state.audit.list({ action: 'terms.edit' }).map((e) => e.actor)).toEqual([`account:${s.technician!.username}`]);
    await validates();
  });

  it('answers the wizard\'s own read only with system.manage', async () => {
    const tech = await call({ url: '/api/setup/continue', ...as('technician') });
    expect(tech.status).toBe(200);
    expect(tech.json).toEqual({ logo: { present: false } });
    expect((await call({ url: '/api/setup/continue', ...as('headteacher') })).status).toBe(403);
    expect((await call({ url: '/api/setup/continue', ...as('staff') })).status).toBe(403);
    expect((await call({ url: '/api/setup/continue' })).status).toBe(401);
  });
});
