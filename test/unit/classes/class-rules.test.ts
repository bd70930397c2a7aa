// The class view's rules and its live page, pure: who may end an unlock, a limit that a restricted
// list or an illegal disposition makes void, the school's clock in a refusal, and a lesson's
// lookups with restricted and upstream-provider names never shown.
import { describe, expect, it } from 'vitest';
import { classLive } from '../../../firmware/classes/class-live.ts';
import { assertMayEnd, checkUnlock, ClassRefusal, clockTime, limitsFor, type ClassCaller } from '../../../firmware/classes/class-rules.ts';
import type { ClassUnlock } from '../../../firmware/config/classes-schema.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { permissionsOf, type Role } from '../../../firmware/admin/roles.ts';

const caller = (username: string, roles: Role[]): ClassCaller => ({ actor: `account:${username}`, username, permissions: permissionsOf(roles), head: roles.includes('headteacher') });
const ssh: ClassCaller = { actor: 'ssh:tess', username: undefined, permissions: new Set(), head: false };

function config() {
  const c = defaultConfig();
  c.deviceGroups = [{ id: 'year-6', name: 'Year 6' }];
  c.lists.push({ id: 'iwf', name: 'IWF', category: 'hate', file: '/lists/iwf.txt', format: 'domains', restricted: true, enabled: true });
  c.classes = { teachers: [{ group: 'year-6', accounts: ['sam'] }], unlocks: [{ category: 'streaming', maxMinutes: 45 }, { category: 'hate', maxMinutes: 10 }] };
  return c;
}

const refusal = (fn: () => unknown): ClassRefusal => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ClassRefusal);
    return error as ClassRefusal;
  }
  throw new Error('not refused');
};

describe('the rules', () => {
  it("never offers or allows a limit a restricted list voids, and tells the time on the school's clock", () => {
    const c = config();
    expect(limitsFor(c, 'year-6').map((l) => l.category)).toEqual(['streaming']);
    expect(refusal(() => checkUnlock(c, caller('sam', ['staff']), { group: 'year-6', category: 'hate', minutes: 10, reason: 'a lesson' }, 0, (id) => id)).message)
      .toBe('hate can never be unlocked: it is illegal content, blocked for everyone');
    // 1 July: British Summer Time.
    expect(clockTime(Date.UTC(2026, 6, 1, 9, 5), 'Europe/London')).toBe('10:05');
  });

  it('lets a teacher of the class, the head, the DSL and SSH end an unlock; not another teacher', () => {
    const c = config();
    const u: ClassUnlock = { id: 'unlock-1', group: 'year-6', category: 'streaming', from: '2026-12-07T10:00:00.000Z', until: '2026-12-07T10:30:00.000Z', by: 'account:sam', reason: 'a film' };
    for (const who of [caller('sam', ['staff']), caller('head', ['headteacher']), caller('dsl', ['dsl']), ssh]) expect(() => assertMayEnd(c, who, u)).not.toThrow();
    expect(refusal(() => assertMayEnd(c, caller('kim', ['staff']), u)).message).toBe("only Year 6's teachers, the headteacher or the safeguarding lead can end Year 6's unlock");
  });
});

describe('the live page', () => {
  it('hides restricted and upstream-provider names and names devices and categories as staff know them', () => {
    const at = Date.UTC(2026, 11, 7, 10, 0);
    const base = { network: 'pupil', client: '10.0.0.9', transport: 'udp' as const, qtype: 1, rcode: 0, latencyMs: 1 };
    const live = classLive({
      group: 'year-6', name: 'Year 6', from: at - 3_600_000, to: at,
      devices: [{ mac: 'aa:00:00:00:00:01', name: '', lastSeen: '2026-12-07T09:00:00.000Z' }],
      log: {
        events: [
          { ...base, at, device: 'aa:00:00:00:00:01', name: 'iwf-test.example', verdict: 'blocked', category: 'upstream-filter' },
          { ...base, at, device: 'aa:00:00:00:00:01', name: '(restricted)', verdict: 'blocked', category: 'restricted' },
          { ...base, at, name: 'no-lease.example', verdict: 'forwarded' },
        ],
        devices: [{ device: 'aa:00:00:00:00:01', questions: 2, blocked: 2, last: at }],
        blocked: [{ name: 'iwf-test.example', category: 'upstream-filter', count: 1, devices: 1 }, { name: 'game.example', category: 'gaming', count: 1, devices: 1 }],
      },
      titleOf: (id) => id.toUpperCase(),
    });
    expect(live.lookups.map((l) => [l.device, l.name, l.restricted, l.category])).toEqual([
      ['aa:00:00:00:00:01', null, true, null], ['aa:00:00:00:00:01', null, true, null], ['10.0.0.9', 'no-lease.example', false, null],
    ]);
    expect(live.blockedNames).toEqual([{ name: 'game.example', category: 'GAMING', count: 1, devices: 1 }]);
    expect(live.devices).toEqual([{ mac: 'aa:00:00:00:00:01', name: 'aa:00:00:00:00:01', lastSeen: '2026-12-07T10:00:00.000Z', questions: 2, blocked: 2 }]);
  });
});
