// The class view end to end, through the control methods as the pages and the CLI call them, on a
// real state.db (in memory), a real configuration file, a real logs.db and the real policy engine:
// a teacher unlocks streaming for Year 6 for 30 minutes, a Year 6 device gets a streaming name and
// a Year 5 device does not, and 30 minutes later it is blocked again; every refusal (outside the
// limits, too long, not their class, not a teacher, illegal, already unlocked, SSH) writes nothing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../../firmware/admin/roles.ts';
import type { ClassListView, ClassLive, UnlockView } from '../../../firmware/classes/class-schema.ts';
import { ClassService } from '../../../firmware/classes/class-service.ts';
import { registerClassMethods } from '../../../firmware/classes/class-methods.ts';
import { categoryTitle } from '../../../firmware/classes/wiring.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { ConfigError } from '../../../firmware/config/validate.ts';
import type { ControlCaller } from '../../../firmware/control/protocol.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { EventBuffer, type QueryEvent } from '../../../firmware/dns/events/event-buffer.ts';
import { Decision } from '../../../firmware/dns/policy/decision.ts';
import { PolicyEngine } from '../../../firmware/dns/policy/engine.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { QueryLog } from '../../../firmware/monitor/query-log/query-log.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { controlCallers } from '../../support/control-callers.ts';

// Monday 7 December 2026, 10:00 GMT: a morning lesson; streaming opens only at lunchtime.
const START = Date.UTC(2026, 11, 7, 10, 0);
const MIN = 60_000;
const Y6_IPAD = 'aa:00:00:00:06:01';
const Y5_IPAD = 'aa:00:00:00:05:01';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function setup(options: { queryLog?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'schoolgate-classes-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  let now = START;
  const clock = () => new Date(now);
  const state = StateDatabase.open(':memory:', { now: clock });
  cleanups.push(() => state.close());
  const file = join(dir, 'config.json');
  const config = await ConfigStore.open(file, {
    createWith: () => ({
      ...defaultConfig(),
      deviceGroups: [{ id: 'year-6', name: 'Year 6' }, { id: 'year-5', name: 'Year 5' }],
      classes: {
        teachers: [{ group: 'year-6', accounts: ['sam'] }, { group: 'year-5', accounts: ['kim'] }],
        unlocks: [{ category: 'streaming', maxMinutes: 45 }, { category: 'gaming', groups: ['year-6'], maxMinutes: 30 }],
      },
    }),
  });
  const people: [string, Role[]][] = [['sam', ['staff']], ['kim', ['staff']], ['head', ['headteacher']], ['dsl', ['dsl']], ['tech', ['technician']], ['office', ['office']]];
  for (const [username, roles] of people) {
    state.accounts.insert({ username, displayName: username, email: null, passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles, createdAt: new Date(START).toISOString() });
  }
  // Enrolled before school: its last question is later than DHCP's last sight of it.
  state.devices.enrol(Y6_IPAD, 'pupil', new Date(START - 120 * MIN), { name: 'Y6 iPad 1', groupId: 'year-6', schoolOwned: true });
  // Unnamed: seen only by DHCP, its group from a reservation.
  state.devices.recordLease({ mac: Y5_IPAD, networkId: 'pupil', at: clock(), hostname: '', vendorClass: '', groupId: 'year-5' });
  const events = new EventBuffer(1000);
  let queryLog: QueryLog | undefined;
  if (options.queryLog) {
    const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000 });
    queryLog = log;
    cleanups.push(() => log.close());
  }
  const service = (): ClassService => new ClassService({
    config, devices: state.devices, accounts: state.accounts, audit: state.audit,
    queryLog: queryLog ?? { forDevices: () => Promise.reject(new Error('no query log in this test')) }, titleOf: categoryTitle, now: clock,
  });
  const control = new ControlServer(silentLogger());
  registerClassMethods(control, service());
  const { as, ssh, call, failure } = controlCallers(control);
  return { state, config, file, events, service, control, call, failure, as, ssh, queryLog, tick: (minutes: number) => { now += minutes * MIN; }, now: () => now };
}

const BITS: Record<string, number> = { streaming: 3, gaming: 4, illegal: 5, social: 6 };
/** The real engine, built from the configuration in force, as DNS rebuilds it after every write. */
function decide(config: ConfigStore, group: string, category: string, at: number) {
  const engine = PolicyEngine.build(config.current, (id) => BITS[id]);
  return engine.decide({ networkId: 'pupil', groupId: group, name: 'video.example', blockLo: 1 << BITS[category]!, blockHi: 0, allowed: false, restricted: false }, at, new Decision()).toRecord();
}

const unlockParams = { group: 'year-6', category: 'streaming', minutes: 30, reason: 'a BBC Bitesize film on the water cycle' };

describe('a class unlock', () => {
  it("opens streaming for Year 6's devices for 30 minutes, not Year 5's; audited; blocked again after", async () => {
    const t = await setup();
    expect(decide(t.config, 'year-6', 'streaming', t.now())).toMatchObject({ action: 'block', category: 'streaming' });
    const made = await t.call<UnlockView>('classes.unlock', unlockParams, t.as('sam'));
    expect(made).toEqual({
      id: 'unlock-1', group: 'year-6', category: 'streaming', categoryTitle: categoryTitle('streaming'),
      from: '2026-12-07T10:00:00.000Z', until: '2026-12-07T10:30:00.000Z', by: 'account:sam', reason: unlockParams.reason,
    });
    expect(t.config.current.classUnlocks).toHaveLength(1);
    expect(JSON.parse(readFileSync(t.file, 'utf8')).classUnlocks[0].id).toBe('unlock-1');
    const audit = t.state.audit.list({ action: 'class.unlock' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'account:sam', subject: 'year-6', details: { id: 'unlock-1', category: 'streaming', minutes: 30, until: '2026-12-07T10:30:00.000Z', reason: unlockParams.reason } });

    expect(decide(t.config, 'year-6', 'streaming', t.now() + MIN)).toMatchObject({ action: 'allow' });
    expect(decide(t.config, 'year-5', 'streaming', t.now() + MIN)).toMatchObject({ action: 'block', category: 'streaming' });
    expect(decide(t.config, 'year-6', 'gaming', t.now() + MIN)).toMatchObject({ action: 'block', category: 'gaming' });
    t.tick(30);
    expect(decide(t.config, 'year-6', 'streaming', t.now())).toMatchObject({ action: 'block', category: 'streaming' });

    // Listed for its teacher while in force, with what may be unlocked.
    t.tick(-20);
    const listed = await t.call<ClassListView>('classes', {}, t.as('sam'));
    expect(listed.classes).toEqual([{
      group: 'year-6', name: 'Year 6', teachers: ['sam'], devices: 1, mayUnlock: true,
      unlockable: [{ category: 'streaming', title: categoryTitle('streaming'), maxMinutes: 45 }, { category: 'gaming', title: categoryTitle('gaming'), maxMinutes: 30 }],
      unlocks: [made],
    }]);
  });

  it('refuses, writing nothing: outside the limits, too long, another class, not a teacher, illegal, already unlocked, over SSH', async () => {
    const t = await setup();
    await t.call('classes.unlock', unlockParams, t.as('sam'));
    const before = readFileSync(t.file, 'utf8');
    const audited = t.state.audit.count();
    const refused = async (params: object, caller: ControlCaller, code: string, message: RegExp) => {
      const f = await t.failure('classes.unlock', { ...unlockParams, ...params }, caller);
      expect([f.code, f.message]).toEqual([code, expect.stringMatching(message)]);
    };
    await refused({ category: 'social' }, t.as('sam'), 'invalid-input', /is not on the headteacher's list of what teachers may unlock/);
    await refused({ category: 'gaming', minutes: 31 }, t.as('sam'), 'invalid-input', /at most 30 minutes at a time/);
    await refused({ group: 'year-5', category: 'gaming' }, t.as('kim'), 'invalid-input', /allows .* to be unlocked for Year 6 only, not Year 5/);
    await refused({ category: 'gaming' }, t.as('kim'), 'forbidden', /only Year 6's teachers or the headteacher can unlock for Year 6/);
    await refused({ category: 'gaming' }, t.as('office'), 'forbidden', /only Year 6's teachers/);
    await refused({ category: 'gaming' }, t.as('dsl'), 'forbidden', /only Year 6's teachers/);
    await refused({ category: 'illegal' }, t.as('head'), 'invalid-input', /can never be unlocked: it is illegal content/);
    await refused({}, t.as('sam'), 'already-unlocked', /is already unlocked for Year 6 until 10:30/);
    await refused({ category: 'gaming' }, t.ssh, 'forbidden', /not over SSH/);
    await refused({ group: 'year-9' }, t.as('head'), 'not-found', /there is no class "year-9"/);
    await refused({ reason: '   ' }, t.as('head'), 'invalid-input', /say what the lesson needs it for/);
    expect((await t.failure('classes.unlock', { ...unlockParams, minutes: 2 }, t.as('sam'))).code).toBe('bad-params');
    expect(readFileSync(t.file, 'utf8')).toBe(before);
    expect(t.state.audit.count()).toBe(audited);
    expect(t.config.current.classUnlocks).toHaveLength(1);
  });

  it('lets the head unlock for any class; ends early (teacher, not another teacher); prunes ended unlocks and never reuses an id', async () => {
    const t = await setup();
    await t.call('classes.unlock', unlockParams, t.as('sam'));
    const y5 = await t.call<UnlockView>('classes.unlock', { ...unlockParams, group: 'year-5' }, t.as('head'));
    expect(y5.id).toBe('unlock-2');

    expect((await t.failure('classes.end-unlock', { id: 'unlock-1' }, t.as('kim'))).code).toBe('forbidden');
    t.tick(5);
    expect(await t.call('classes.end-unlock', { id: 'unlock-1' }, t.as('sam'))).toEqual({ ended: true });
    expect(t.state.audit.list({ action: 'class.unlock-end' })[0]).toMatchObject({
      actor: 'account:sam', subject: 'year-6', details: { id: 'unlock-1', category: 'streaming', endedAt: '2026-12-07T10:05:00.000Z', minutesEarly: 25 },
    });
    expect(decide(t.config, 'year-6', 'streaming', t.now())).toMatchObject({ action: 'block' });
    expect((await t.failure('classes.end-unlock', { id: 'unlock-1' }, t.as('sam'))).message).toBe('there is no unlock unlock-1 in force');
    // Over SSH the technician may end one (`schoolgate classes end-unlock`).
    expect(await t.call('classes.end-unlock', { id: 'unlock-2' }, t.ssh)).toEqual({ ended: true });
    expect(t.config.current.classUnlocks).toEqual([]);

    // A fresh service (a restart) reads the highest id from the audit log.
    const again = new ControlServer(silentLogger());
    registerClassMethods(again, t.service());
    t.tick(60);
    const third = await again.invoke('classes.unlock', unlockParams, t.as('sam')) as UnlockView;
    expect(third.id).toBe('unlock-3');
    t.tick(60);
    await again.invoke('classes.unlock', { ...unlockParams, category: 'gaming' }, t.as('sam'));
    // The one ended by time is gone from the configuration (the audit log keeps it).
    expect(t.config.current.classUnlocks?.map((u) => u.id)).toEqual(['unlock-4']);
  });

  it('lists each caller their classes: a teacher theirs, the DSL all, the technician over SSH all, a technician account none', async () => {
    const t = await setup();
    const groups = async (caller: ControlCaller) => (await t.call<ClassListView>('classes', {}, caller)).classes.map((c) => [c.group, c.mayUnlock]);
    expect(await groups(t.as('kim'))).toEqual([['year-5', true]]);
    expect(await groups(t.as('head'))).toEqual([['year-6', true], ['year-5', true]]);
    expect(await groups(t.as('dsl'))).toEqual([['year-6', false], ['year-5', false]]);
    expect(await groups(t.ssh)).toEqual([['year-6', false], ['year-5', false]]);
    expect(await groups(t.as('tech'))).toEqual([]);
  });
});

describe('the live view', () => {
  const event = (second: number, device: string, extra: Partial<QueryEvent> = {}): QueryEvent => ({
    at: START - 30 * MIN + second * 1000, network: 'pupil', client: '10.20.0.7', device, transport: 'udp', name: `site${second}.example`, qtype: 1,
    verdict: 'forwarded', rcode: 0, latencyMs: 1, ...extra,
  });

  it("shows a class's devices and lookups to its teacher and the DSL, restricted names hidden; not to another teacher or SSH", async () => {
    const t = await setup({ queryLog: true });
    t.events.push(event(1, Y6_IPAD, { name: 'bbc.co.uk' }));
    t.events.push(event(2, Y6_IPAD, { verdict: 'blocked', category: 'gaming', name: 'games.example' }));
    t.events.push(event(3, Y6_IPAD, { verdict: 'blocked', category: 'restricted', name: '(restricted)' }));
    t.events.push(event(4, Y6_IPAD, { name: 'forum.example', category: 'chat', watch: true }));
    t.events.push(event(5, Y5_IPAD, { name: 'year5.example' }));
    t.events.push(event(-3600, Y6_IPAD, { name: 'yesterday-ish.example' }));
    t.queryLog!.flush();

    const live = await t.call<ClassLive>('classes.live', { group: 'year-6' }, t.as('sam'));
    expect(live).toMatchObject({ group: 'year-6', name: 'Year 6', from: '2026-12-07T09:00:00.000Z', to: '2026-12-07T10:00:00.000Z' });
    expect(live.devices).toEqual([{ mac: Y6_IPAD, name: 'Y6 iPad 1', lastSeen: '2026-12-07T09:30:04.000Z', questions: 4, blocked: 2 }]);
    expect(live.lookups.map((l) => [l.name, l.blocked, l.category, l.restricted])).toEqual([
      ['forum.example', false, categoryTitle('chat'), false],
      [null, true, null, true],
      ['games.example', true, categoryTitle('gaming'), false],
      ['bbc.co.uk', false, null, false],
    ]);
    expect(live.lookups[0]).toMatchObject({ device: 'Y6 iPad 1', mac: Y6_IPAD });
    expect(live.blockedNames).toEqual([{ name: 'games.example', category: categoryTitle('gaming'), count: 1, devices: 1 }]);

    const y5 = await t.call<ClassLive>('classes.live', { group: 'year-5', minutes: 180 }, t.as('dsl'));
    expect(y5.devices).toEqual([{ mac: Y5_IPAD, name: Y5_IPAD, lastSeen: '2026-12-07T10:00:00.000Z', questions: 1, blocked: 0 }]);
    expect((await t.failure('classes.live', { group: 'year-6' }, t.as('kim'))).message).toMatch(/you are not one of Year 6's teachers/);
    expect((await t.failure('classes.live', { group: 'year-6' }, t.as('tech'))).code).toBe('forbidden');
    expect((await t.failure('classes.live', { group: 'year-6' }, t.ssh)).message).toMatch(/the class view is for a class's teachers/);
    expect((await t.failure('classes.live', { group: 'year-6', minutes: 181 }, t.as('sam'))).code).toBe('bad-params');
  });
});

describe("the configuration's checks", () => {
  it('refuses a limit on an illegal category or a restricted list, an unknown class, a duplicate; keeps the file', async () => {
    const t = await setup();
    const before = readFileSync(t.file, 'utf8');
    const refused = async (change: Parameters<ConfigStore['update']>[0], message: RegExp) => {
      const error = await t.config.update(change).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(message);
    };
    await refused((d) => { d.classes!.unlocks.push({ category: 'illegal', maxMinutes: 30 }); }, /"illegal" can never be unlocked for a class/);
    await refused((d) => {
      d.lists.push({ id: 'iwf', name: 'IWF', category: 'hate', file: '/lists/iwf.txt', format: 'domains', restricted: true, enabled: true });
      d.classes!.unlocks.push({ category: 'hate', maxMinutes: 30 });
    }, /"hate" can never be unlocked/);
    await refused((d) => { d.classes!.unlocks.push({ category: 'streaming', maxMinutes: 30 }); }, /category "streaming" is listed twice/);
    await refused((d) => { d.classes!.teachers.push({ group: 'year-9', accounts: ['sam'] }); }, /device group "year-9" does not exist/);
    await refused((d) => { d.classes!.unlocks[1]!.groups = ['nursery']; }, /device group "nursery" does not exist/);
    await refused((d) => { d.classes!.teachers.push({ group: 'year-6', accounts: ['kim'] }); }, /class "year-6" is listed twice/);
    await refused((d) => {
      const u = { id: 'unlock-1', group: 'year-6', category: 'streaming', from: '2026-12-07T10:00:00.000Z', until: '2026-12-07T09:00:00.000Z', by: 'account:sam', reason: 'a lesson' };
      d.classUnlocks = [u];
    }, /an unlock must end after it starts/);
    // A policy change that would make an allowed category illegal is refused while the head's limit names it.
    await refused((d) => { d.policies.find((p) => p.id === 'pupil')!.categories.gaming = { disposition: 'unacceptable-and-illegal' }; }, /"gaming" can never be unlocked/);
    expect(readFileSync(t.file, 'utf8')).toBe(before);
  });
});
