// The class view through fastify's inject, over a real configuration store, change control's and the
// class view's real methods and a real query log: a teacher's class and its lookups, an unlock
// within the head's limits and its early end (and the refusals, by status and beside the form's
// field); the head's limits (every member of staff reads them; an edit is a change request, nothing
// saved until two approvers agree and the IT provider applies it; each problem beside its field,
// nothing asked for) and the teachers of each class (saved at once by those who manage accounts,
// audited, shown on the Networks page).
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClassListPage, ClassListView, ClassLimitsView, ClassLive, UnlockView } from '../../../firmware/admin/api/classes-schema.ts';
import { wireClasses } from '../../../firmware/classes/wiring.ts';
import type { NetworksView } from '../../../firmware/admin/api/networks-schema.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { startChangeControl } from '../../../firmware/control/changes/wiring.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { EventBuffer } from '../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { QueryLog } from '../../../firmware/monitor/query-log/query-log.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';
import { caller, roleSessions, type RoleSession } from './role-sessions.ts';

let t: TestAdmin;
let store: ConfigStore;
let file: string;
let call: ReturnType<typeof caller>;
let s: Record<string, RoleSession>;
let control: ControlServer;
beforeEach(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'sg-classes-')), 'config.json');
  store = await ConfigStore.open(file, {
    createWith: () => {
      const config = defaultConfig();
      config.deviceGroups = [{ id: 'year6', name: 'Year 6' }, { id: 'year3', name: 'Year 3' }];
      return config;
    },
  });
  control = new ControlServer(silentLogger());
  t = await testAdmin({ config: { current: () => store.current, update: (change, written) => store.update(change, written) }, control });
  startChangeControl({ control, state: t.state, config: store, mailer: null, logger: silentLogger() });
  call = caller(t);
  s = await roleSessions(t, ['technician', 'staff', 'governor', 'online-safety-lead']);
});
afterEach(async () => {
  await t.close();
});

const as = (role: string) => ({ cookie: s[role]!.cookie, csrf: s[role]!.csrf });
const WHY = { rationale: 'Year 6 watch science clips in lessons', riskNote: 'For one lesson at a time, supervised by the class teacher.' };
const STREAMING_Y6 = { category: 'streaming', groups: ['year6'], maxMinutes: 60 };

describe("the head's limits on class unlocks", () => {
  it('shows every member of staff the limits; those who may ask for a change may edit them', async () => {
    const staff = await call({ url: '/api/class-limits', ...as('staff') });
    expect(staff.status).toBe(200);
    const view = staff.json as ClassLimitsView;
    expect(view).toMatchObject({ limits: [], editable: true, groups: [{ id: 'year6', name: 'Year 6' }, { id: 'year3', name: 'Year 3' }] });
    expect(view.categories.map((c) => c.id)).toContain('streaming');
    expect(view.categories.map((c) => c.id)).not.toContain('illegal');
    expect((await call({ url: '/api/class-limits', ...as('governor') })).json.editable).toBe(false);
    expect((await call({ method: 'PUT', url: '/api/class-limits', ...as('governor'), body: { unlocks: [STREAMING_Y6], ...WHY } })).status).toBe(403);
    expect((await call({ url: '/api/class-limits' })).status).toBe(401);
  });

  it("holds the head's edit as a change request: applied only after two approvals and the IT provider", async () => {
    const before = readFileSync(file, 'utf8');
    const asked = await call({ method: 'PUT', url: '/api/class-limits', ...as('headteacher'), body: { unlocks: [STREAMING_Y6], ...WHY } });
    expect(asked.status, JSON.stringify(asked.json)).toBe(200);
    expect(asked.json.view.limits).toEqual([]);
    const id = asked.json.request.id as number;
    expect(asked.json.request.summary).toEqual(['What teachers may unlock for their classes: none → Video and music streaming for Year 6, up to 60 minutes']);
    expect(readFileSync(file, 'utf8')).toBe(before);

    const shown = await call({ url: `/api/changes/${id}`, ...as('technician') });
    expect(shown.json.request).toMatchObject({ status: 'awaiting-approval', needsHead: true, requestedBy: 'account:jo.head' });
    const listed = (await call({ url: '/api/changes', ...as('technician') })).json.changes;
    expect(listed.map((c: { id: number; title: string }) => [c.id, c.title])).toEqual([[id, 'Change what teachers may unlock for their classes']]);
    expect(shown.json.request.proposal).toEqual({ kind: 'config', action: 'classes.limits', subject: 'classes.unlocks', edits: [
      { path: '/classes', after: { teachers: [], unlocks: [STREAMING_Y6] } },
    ] });
    expect((await call({ method: 'POST', url: `/api/changes/${id}/approve`, ...as('dsl'), body: {} })).status).toBe(200);
    expect((await call({ method: 'POST', url: `/api/changes/${id}/approve`, ...as('online-safety-lead'), body: {} })).status).toBe(200);
    const applied = await call({ method: 'POST', url: `/api/changes/${id}/apply`, ...as('technician'), body: {} });
    expect(applied.status, JSON.stringify(applied.json)).toBe(200);
    expect(store.current.classes).toEqual({ teachers: [], unlocks: [STREAMING_Y6] });
    expect((await call({ url: '/api/class-limits', ...as('staff') })).json.limits).toEqual([
      { category: 'streaming', title: 'Video and music streaming', groups: [{ id: 'year6', name: 'Year 6' }], maxMinutes: 60 },
    ]);

    // The same limits again ask for nothing; a longer one is one value changed.
    const same = await call({ method: 'PUT', url: '/api/class-limits', ...as('headteacher'), body: { unlocks: [STREAMING_Y6], ...WHY } });
    expect(same.json.request).toBeNull();
    const longer = await call({ method: 'PUT', url: '/api/class-limits', ...as('staff'), body: { unlocks: [{ ...STREAMING_Y6, maxMinutes: 90 }], ...WHY } });
    expect(longer.status, JSON.stringify(longer.json)).toBe(200);
    const next = await call({ url: `/api/changes/${longer.json.request.id}`, ...as('staff') });
    expect(next.json.request.proposal.edits).toEqual([{ path: '/classes/unlocks/0/maxMinutes', before: 60, after: 90 }]);
  });

  it('refuses illegal content, a minute count out of range and a missing reason beside their fields, nothing asked for', async () => {
    const illegal = await call({ method: 'PUT', url: '/api/class-limits', ...as('headteacher'), body: { unlocks: [STREAMING_Y6, { category: 'illegal', maxMinutes: 30 }], ...WHY } });
    expect(illegal.status).toBe(400);
    expect(illegal.json.fields).toEqual({ 'unlocks/1/category': 'illegal content is blocked on every network: it can never be unlocked' });
    const long = await call({ method: 'PUT', url: '/api/class-limits', ...as('headteacher'), body: { unlocks: [{ ...STREAMING_Y6, maxMinutes: 600 }], ...WHY } });
    expect(long.status).toBe(400);
    expect(Object.keys(long.json.fields)).toEqual(['unlocks/0/maxMinutes']);
    const why = await call({ method: 'PUT', url: '/api/class-limits', ...as('headteacher'), body: { unlocks: [STREAMING_Y6], rationale: 'films', riskNote: WHY.riskNote } });
    expect(why.status).toBe(400);
    expect(Object.keys(why.json.fields)).toEqual(['rationale']);
    expect(t.state.audit.list({ action: 'change.request' })).toEqual([]);
  });
});

describe('the teachers of each class', () => {
  it('are saved at once by whoever manages accounts, audited, and shown on the Networks page', async () => {
    const body = { teachers: [{ group: 'year6', accounts: ['a.staff'] }, { group: 'year3', accounts: [] }] };
    expect((await call({ method: 'PUT', url: '/api/class-teachers', ...as('staff'), body })).status).toBe(403);
    expect((await call({ method: 'PUT', url: '/api/class-teachers', ...as('dsl'), body })).status).toBe(403);
    const saved = await call({ method: 'PUT', url: '/api/class-teachers', ...as('headteacher'), body });
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    expect(store.current.classes).toEqual({ teachers: [{ group: 'year6', accounts: ['a.staff'] }], unlocks: [] });
    expect(t.state.audit.list({ action: 'classes.teachers' }).map((e) => [e.actor, e.subject, e.details])).toEqual([
      ['account:jo.head', 'classes.teachers', { teachers: [{ group: 'year6', accounts: ['a.staff'] }] }],
    ]);

    const head = (await call({ url: '/api/networks', ...as('headteacher') })).json as NetworksView;
    expect(head.may.teachers).toBe(true);
    expect(head.teachers).toEqual([{ group: 'year6', accounts: ['a.staff'] }]);
    // The picker offers the accounts whose roles open "Your classes", by name: not the technician's, nor a governor's.
    expect(head.accounts).toEqual([
      { username: 'a.online-safety-lead', name: 'A online-safety-lead' }, { username: 'a.staff', name: 'A staff' },
      { username: 'jo.head', name: 'Jo Head' }, { username: 'sam.dsl', name: 'Sam Dsl' },
    ]);
    // Everyone else reads who teaches which class, and no other account.
    const staff = (await call({ url: '/api/networks', ...as('staff') })).json as NetworksView;
    expect(staff.may.teachers).toBe(false);
    expect(staff.accounts).toEqual([{ username: 'a.staff', name: 'A staff' }]);
  });

  it('refuses an account that does not exist and a class that is not a device group, saving nothing', async () => {
    const before = readFileSync(file, 'utf8');
    const bad = await call({ method: 'PUT', url: '/api/class-teachers', ...as('technician'), body: { teachers: [{ group: 'year9', accounts: ['nobody'] }] } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual({ 'teachers/0/group': 'there is no class (device group) "year9"', 'teachers/0/accounts': 'there is no account "nobody"' });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(t.state.audit.list({ action: 'classes.teachers' })).toEqual([]);
  });
});

describe("a teacher's class", () => {
  const IPAD = '02:00:00:00:06:01';
  let events: EventBuffer;
  let queryLog: QueryLog;
  let logDir: string;
  beforeEach(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'sg-class-logs-'));
    events = new EventBuffer(100);
    queryLog = await QueryLog.open(join(logDir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000 });
    wireClasses(control, { config: store, state: t.state, queryLog, now: () => t.clock.now });
    t.state.devices.enrol(IPAD, 'pupil', t.clock.now, { name: 'iPad 1', groupId: 'year6', schoolOwned: true });
    await store.update((draft) => { draft.classes = { teachers: [{ group: 'year6', accounts: ['a.staff'] }], unlocks: [STREAMING_Y6] }; });
  });
  afterEach(async () => {
    queryLog.close();
    await rm(logDir, { recursive: true, force: true });
  });

  it("shows its teacher the class and its lookups, and no one else's class", async () => {
    const at = t.clock.now.getTime();
    events.push({ at: at - 60_000, network: 'pupil', client: '127.20.0.61', transport: 'udp', name: 'www.dailymotion.com', qtype: 1, verdict: 'blocked', category: 'streaming', rcode: 0, latencyMs: 1, device: IPAD });
    events.push({ at: at - 30_000, network: 'pupil', client: '127.20.0.61', transport: 'udp', name: 'www.bbc.co.uk', qtype: 1, verdict: 'forwarded', rcode: 0, latencyMs: 1, device: IPAD });
    queryLog.flush();
    const list = (await call({ url: '/api/classes', ...as('staff') })).json as ClassListView;
    expect(list.classes.map((c) => [c.group, c.mayUnlock, c.devices, c.teachers])).toEqual([['year6', true, 1, ['a.staff']]]);
    // Its teachers by their names, as the page shows them.
    expect((list as ClassListPage).names).toEqual({ 'account:a.staff': 'A staff' });
    const live = await call({ url: '/api/classes/year6/live?minutes=30', ...as('staff') });
    expect(live.status, JSON.stringify(live.json)).toBe(200);
    expect((live.json as ClassLive).lookups.map((l) => [l.name, l.blocked, l.device])).toEqual([['www.bbc.co.uk', false, 'iPad 1'], ['www.dailymotion.com', true, 'iPad 1']]);
    expect((await call({ url: '/api/classes/year6/live?minutes=500', ...as('staff') })).status).toBe(400);
    // Not their class; no class view at all; signed out.
    expect((await call({ url: '/api/classes/year3/live', ...as('staff') })).status).toBe(403);
    expect((await call({ url: '/api/classes/nowhere/live', ...as('staff') })).status).toBe(404);
    expect((await call({ url: '/api/classes', ...as('governor') })).status).toBe(403);
    expect((await call({ url: '/api/classes' })).status).toBe(401);
  });

  it('unlocks within the limits, refuses beyond them beside the form, and ends early, each audited', async () => {
    const unlock = { category: 'streaming', minutes: 30, reason: 'Water cycle clips' };
    const longer = await call({ method: 'POST', url: '/api/classes/year6/unlock', ...as('staff'), body: { ...unlock, minutes: 90 } });
    expect(longer.status).toBe(400);
    expect(Object.keys(longer.json.fields)).toEqual(['category']);
    expect((await call({ method: 'POST', url: '/api/classes/year3/unlock', ...as('staff'), body: unlock })).status).toBe(403);
    expect((await call({ method: 'POST', url: '/api/classes/year6/unlock', ...as('dsl'), body: unlock })).status).toBe(403);
    const made = await call({ method: 'POST', url: '/api/classes/year6/unlock', ...as('staff'), body: unlock });
    expect(made.status, JSON.stringify(made.json)).toBe(200);
    const view = made.json as UnlockView;
    expect(view).toMatchObject({ group: 'year6', category: 'streaming', by: 'account:a.staff', reason: 'Water cycle clips' });
    expect(Date.parse(view.until) - Date.parse(view.from)).toBe(30 * 60_000);
    expect((await call({ method: 'POST', url: '/api/classes/year6/unlock', ...as('staff'), body: unlock })).status).toBe(409);
    const ended = await call({ method: 'POST', url: `/api/classes/unlocks/${view.id}/end`, ...as('staff'), body: {} });
    expect(ended.status, JSON.stringify(ended.json)).toBe(200);
    expect(ended.json).toEqual({ ended: true });
    expect((await call({ url: '/api/classes', ...as('staff') })).json.classes[0].unlocks).toEqual([]);
    expect(t.state.audit.list({ action: 'class.*' }).map((e) => [e.actor, e.action, e.subject])).toEqual([
      ['account:a.staff', 'class.unlock', 'year6'], ['account:a.staff', 'class.unlock-end', 'year6'],
    ]);
  });
});
