// `schoolgate classes` against a real daemon: the classes, their teachers, what may be unlocked and
// the unlocks in force; `schoolgate check` explains a name a class unlock opens for a device of the
// class; `classes end-unlock` ends it early (audited under ssh:USER) and the DNS filter follows at
// once; usage errors and an unknown unlock are clear.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassListView } from '../../../firmware/classes/class-schema.ts';
import type { CheckReport } from '../../../firmware/dns/policy/check-name.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../../support/daemon.ts';
import { startTestUpstream } from '../../support/upstream.ts';

let daemon: RunningDaemon;
let stopUpstream: () => Promise<void>;
const MAC = 'aa:00:00:00:06:01';
const from = new Date(Date.now() - 60_000).toISOString();
const until = new Date(Date.now() + 2 * 3_600_000).toISOString();

beforeAll(async () => {
  const upstream = await startTestUpstream();
  stopUpstream = upstream.close;
  const config = await testConfig(upstream);
  config.deviceGroups = [{ id: 'year-6', name: 'Year 6' }, { id: 'year-5', name: 'Year 5' }];
  config.classes = { teachers: [{ group: 'year-6', accounts: ['sam'] }], unlocks: [{ category: 'social', groups: ['year-6'], maxMinutes: 60 }] };
  config.classUnlocks = [{ id: 'unlock-1', group: 'year-6', category: 'social', from, until, by: 'account:sam', reason: 'a lesson on\nonline safety' }];
  daemon = await startDaemonProcess(config);
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  await stopUpstream?.();
});

describe('schoolgate classes', () => {
  it('lists, explains the unlock in check, ends it early; audited', async () => {
    const listed = await daemon.cli(['classes', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const view = JSON.parse(listed.stdout) as ClassListView;
    expect(view.classes.map((c) => [c.group, c.teachers, c.unlockable.map((u) => u.category), c.unlocks.map((u) => u.id), c.mayUnlock])).toEqual([
      ['year-6', ['sam'], ['social'], ['unlock-1'], false],
      ['year-5', [], [], [], false],
    ]);
    const human = (await daemon.cli(['classes'])).stdout;
    expect(human).toMatch(/year-6 +"Year 6" +0 +sam +social \(60 min\)/);
    expect(human).toMatch(/unlock-1 +year-6 +social .* account:sam +"a lesson on\\nonline safety"/);

    const added = await daemon.cli(['devices', 'add', MAC, 'Y6 iPad 1', '--network', 'pupil', '--group', 'year-6']);
    expect(added.code, added.stderr).toBe(0);
    const check = async () => JSON.parse((await daemon.cli(['check', 'facebook.com', '--network', 'pupil', '--device', MAC, '--json'])).stdout) as CheckReport;
    const open = await check();
    expect(open.answer).toBe('allowed');
    expect(open.policy.categories.find((c) => c.id === 'social')).toMatchObject({ blocksNow: false, unlock: { id: 'unlock-1', by: 'account:sam' } });
    expect((await daemon.cli(['check', 'facebook.com', '--network', 'pupil', '--device', MAC])).stdout).toContain('unlocked for "Year 6" (year-6) by account:sam until');

    expect((await daemon.cli(['classes', 'end-unlock'])).stderr).toContain('usage: schoolgate classes end-unlock ID');
    const unknown = await daemon.cli(['classes', 'end-unlock', 'unlock-9']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('there is no unlock unlock-9 in force');
    const ended = await daemon.cli(['classes', 'end-unlock', 'unlock-1']);
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toContain('unlock-1 ended');
    expect((await check()).answer).toBe('blocked');
    expect((await daemon.cli(['classes'])).stdout).toContain('No unlocks in force.');

    const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
    try {
      const entries = [...state.audit.export()].filter((e) => e.action.startsWith('class.'));
      expect(entries.map((e) => [e.action, e.subject, e.actor.startsWith('ssh:')])).toEqual([['class.unlock-end', 'year-6', true]]);
      expect(state.audit.verify()).toMatchObject({ ok: true });
    } finally {
      state.close();
    }
  });
});
