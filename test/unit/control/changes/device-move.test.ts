// A device moved into a group that lets it reach more, as a change request, end to end on a real
// state.db and configuration file: refused to one person by `devices.group`, asked for with words
// that name what it opens, approved by two (the head for a pupil device), applied through the
// devices table with its audit entries and DNS told; a device moved meanwhile is refused at apply
// with nothing changed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../../../firmware/admin/roles.ts';
import { CATALOGUE, defaultConfig } from '../../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../../firmware/config/store.ts';
import { registerChangeMethods } from '../../../../firmware/control/changes/change-methods.ts';
import type { ChangeRequest } from '../../../../firmware/control/changes/change-schema.ts';
import { ChangeService } from '../../../../firmware/control/changes/change-service.ts';
import { deviceNames } from '../../../../firmware/control/changes/wiring.ts';
import { ControlServer } from '../../../../firmware/control/server.ts';
import { registerDeviceMethods } from '../../../../firmware/dhcp/device-methods.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { suspensionEnforcer } from '../../../../firmware/net/suspensions.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';
import { controlCallers } from '../../../support/control-callers.ts';

const START = Date.UTC(2026, 11, 7, 9, 0);
const IPAD = '3c:22:fb:01:a2:9f';
const LAPTOP = '3c:22:fb:01:a2:a0';
const dirs: string[] = [];
let state: StateDatabase | undefined;
afterEach(() => {
  state?.close();
  state = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'schoolgate-move-'));
  dirs.push(dir);
  const clock = () => new Date(START);
  state = StateDatabase.open(':memory:', { now: clock });
  const db = state;
  const config = await ConfigStore.open(join(dir, 'config.json'), { createWith: defaultConfig });
  await config.update((draft) => {
    draft.deviceGroups = [{ id: 'year-3', name: 'Year 3' }, { id: 'staff-laptops', name: 'Staff laptops', policy: 'staff' }];
  });
  const people: [string, Role[]][] = [['tech', ['technician']], ['osl', ['online-safety-lead']], ['dsl', ['dsl']], ['head', ['headteacher']]];
  for (const [username, roles] of people) {
    db.accounts.insert({ username, displayName: username, email: null, passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles, createdAt: new Date(START).toISOString() });
  }
  const moved: [string, string | null][] = [];
  const service = new ChangeService({
    changes: db.changes, config, audit: db.audit, accounts: db.accounts, transaction: (fn) => db.transaction(fn), now: clock,
    categoryTitle: (id) => CATALOGUE.categories.get(id)?.title, deviceName: deviceNames(db.devices),
    devices: {
      facts: (mac) => { const d = db.devices.get(mac); return d && { groupId: d.groupId, networkId: d.networkId }; },
      setGroup: (mac, group) => { db.devices.update(mac, { groupId: group }); },
      moved: (mac, group) => { moved.push([mac, group]); },
    },
  });
  const control = new ControlServer(silentLogger());
  registerChangeMethods(control, service);
  registerDeviceMethods(control, {
    config, devices: db.devices, audit: db.audit, transaction: (fn) => db.transaction(fn), regroup: (mac, group) => { moved.push([mac, group]); }, now: clock,
    suspensions: suspensionEnforcer(async () => false, clock),
  });
  db.devices.upsertSeen(IPAD, 'pupil', new Date(START));
  db.devices.update(IPAD, { name: "Sam's iPad", groupId: 'year-3' });
  db.devices.upsertSeen(LAPTOP, 'staff', new Date(START));
  const { as, ssh, call, failure } = controlCallers(control);
  return { db, config, call, failure, as, ssh, moved };
}

const WHY = { rationale: 'Sam helps run the staff training sessions', riskNote: 'the iPad stays in the staff room; social networking is for the school account only' };

describe('moving a device into a group that lets it reach more', () => {
  it('is refused to one person, asked for in words, approved with the head, applied through the devices table', async () => {
    const t = await setup();
    const refused = await t.failure('devices.group', { mac: IPAD, group: 'staff-laptops' }, t.ssh);
    expect(refused.code).toBe('change-request-needed');
    expect(refused.message).toMatch(/^moving Sam's iPad from Year 3 to Staff laptops lets it reach .*Social networking.*: that is a filtering change; ask for it as a change request$/);
    expect(t.db.devices.get(IPAD)!.groupId).toBe('year-3');
    expect(t.db.audit.list({ action: 'device.group' })).toEqual([]);

    // Narrowing (and the same policy) saves at once, as a technician does every September.
    expect((await t.call<{ groupId: string | null }>('devices.group', { mac: LAPTOP, group: 'year-3' }, t.ssh)).groupId).toBe('year-3');

    const asked = await t.call<ChangeRequest>('changes.request', { proposal: { kind: 'device-group', mac: '3C-22-FB-01-A2-9F', from: 'year-3', to: 'staff-laptops' }, ...WHY }, t.ssh);
    expect(asked).toMatchObject({ status: 'awaiting-approval', needsHead: true, proposal: { mac: IPAD } });
    expect(asked.summary[0]).toMatch(/^Moving Sam's iPad \(3c:22:fb:01:a2:9f\) from Year 3 to Staff laptops lets it reach .*Social networking/);
    expect(asked.summary).toContain('Its filtering: the Pupils policy → the Staff policy');
    expect(asked.summary).toContain('It is on the Pupils network, not a staff network: the headteacher must be one of the approvers');

    await t.call('changes.approve', { id: asked.id }, t.as('osl'));
    expect((await t.failure('changes.approve', { id: asked.id }, t.as('dsl'))).message).toMatch(/not on a staff network: the headteacher/);
    await t.call('changes.approve', { id: asked.id }, t.as('head'));
    const applied = await t.call<ChangeRequest>('changes.apply', { id: asked.id }, t.ssh);
    expect(applied.status).toBe('applied');
    expect(applied.steps.at(-1)).toMatchObject({ kind: 'applied', reference: IPAD });
    expect(t.db.devices.get(IPAD)!.groupId).toBe('staff-laptops');
    expect(t.moved).toContainEqual([IPAD, 'staff-laptops']);
    expect(t.db.audit.list({ action: 'device.group' }).find((e) => e.subject === IPAD)).toMatchObject({ actor: 'ssh:tess', details: { from: 'year-3', to: 'staff-laptops', changeRequest: asked.id } });
    expect(t.db.audit.list({ action: 'change.apply' })).toHaveLength(1);
    // Applying twice finds it applied.
    expect((await t.failure('changes.apply', { id: asked.id }, t.ssh)).message).toMatch(/applied/);
  });

  it('refuses a request that does not match the device, and an apply after the device was moved, changing nothing', async () => {
    const t = await setup();
    expect((await t.failure('changes.request', { proposal: { kind: 'device-group', mac: IPAD, from: null, to: 'staff-laptops' }, ...WHY }, t.ssh)).message)
      .toBe("the device is in Year 3 now, not the network's default: ask again from where it is");
    expect((await t.failure('changes.request', { proposal: { kind: 'device-group', mac: '02:00:00:00:00:09', from: null, to: 'staff-laptops' }, ...WHY }, t.ssh)).message)
      .toMatch(/not in the devices table/);
    expect((await t.failure('changes.request', { proposal: { kind: 'device-group', mac: IPAD, from: 'year-3', to: 'nope' }, ...WHY }, t.ssh)).message)
      .toMatch(/no device group "nope"/);

    const asked = await t.call<ChangeRequest>('changes.request', { proposal: { kind: 'device-group', mac: IPAD, from: 'year-3', to: 'staff-laptops' }, ...WHY }, t.ssh);
    await t.call('changes.approve', { id: asked.id }, t.as('osl'));
    await t.call('changes.approve', { id: asked.id }, t.as('head'));
    // Someone moves it back to the network's default meanwhile (narrowing: saved at once).
    await t.call('devices.group', { mac: IPAD, group: null }, t.ssh);
    const stale = await t.failure('changes.apply', { id: asked.id }, t.ssh);
    expect(stale.message).toMatch(/the device has been moved since this was requested \(it is in the network's default now\)/);
    expect(t.db.devices.get(IPAD)!.groupId).toBeNull();
    const after = await t.call<ChangeRequest>('changes.show', { id: asked.id }, t.as('head'));
    expect(after).toMatchObject({ status: 'approved' });
    expect(after.steps.at(-1)).toMatchObject({ kind: 'apply-failed' });
  });

  it('needs no head for a device on a staff network', async () => {
    const t = await setup();
    await t.config.update((draft) => { draft.deviceGroups.push({ id: 'open', name: 'Open', policy: 'pupil' }); });
    // Staff → Pupils narrows for the laptop: no request needed. Pupils → Staff (back) is asked for.
    await t.call('devices.group', { mac: LAPTOP, group: 'open' }, t.ssh);
    const asked = await t.call<ChangeRequest>('changes.request', { proposal: { kind: 'device-group', mac: LAPTOP, from: 'open', to: null }, ...WHY }, t.ssh);
    expect(asked.needsHead).toBe(false);
    expect(asked.summary).toContain('It is on the Staff network (staff)');
  });
});
