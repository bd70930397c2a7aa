// `schoolgate changes` against a real daemon: a technician asks for an exception (its end date on
// the school's clocks) and for ending one, lists and shows them, is told approvals are given in
// the web UI, cannot apply before two approvers agree, withdraws (final); usage errors and bad
// input are clear; the exceptions are listed; every step is audited under ssh:USER. (The whole
// path through approval and applying is test/unit/control/changes/change-service.test.ts.)
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untilInstant } from '../../../firmware/cli/commands/changes.ts';
import { formatChange, formatChangeList } from '../../../firmware/cli/format-changes.ts';
import { foldChange } from '../../../firmware/control/changes/change-fold.ts';
import type { ChangeListView, ChangeRequest, ExceptionListView } from '../../../firmware/control/changes/change-schema.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../../support/daemon.ts';
import { startTestUpstream } from '../../support/upstream.ts';

let daemon: RunningDaemon;
let stopUpstream: () => Promise<void>;

beforeAll(async () => {
  const upstream = await startTestUpstream();
  stopUpstream = upstream.close;
  const config = await testConfig(upstream);
  config.lists = [];
  config.exceptions = [{ id: 'by-hand', domain: 'old.example', action: 'allow', networks: ['staff'], reason: 'set up before change control', requestedBy: 'IT' }];
  daemon = await startDaemonProcess(config);
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  await stopUpstream?.();
});

describe('schoolgate changes', () => {
  it('asks, lists, shows, refuses approval over SSH and applying before approval, withdraws; all audited', async () => {
    const asked = await daemon.cli(['changes', 'request', '--allow', 'WWW.Youtube.com.', '--networks', 'staff,pupil', '--until', '2099-07-01',
      '--why', 'Year 6 history topic videos', '--risk', 'restricted mode on; two weeks only', '--json']);
    expect(asked.code, asked.stderr).toBe(0);
    const change = JSON.parse(asked.stdout) as ChangeRequest;
    // The end of 1 July on the school's clocks: 23:59 BST is 22:59 UTC.
    expect(change).toMatchObject({ id: 1, status: 'awaiting-approval', needsHead: true, proposal: { domain: 'www.youtube.com', networks: ['staff', 'pupil'], expires: '2099-07-01T22:59:00.000Z' } });
    expect(change.requestedBy).toMatch(/^ssh:/);

    const human = await daemon.cli(['changes', 'show', '1']);
    expect(human.stdout).toContain('Change request 1: Awaiting approval');
    expect(human.stdout).toContain('- Allow www.youtube.com (and every name under it) on Staff, Pupils');
    expect(human.stdout).toContain('Approvals are given in the web UI');

    const list = await daemon.cli(['changes', '--json']);
    expect((JSON.parse(list.stdout) as ChangeListView)).toMatchObject({ approvers: 0, changes: [{ id: 1, title: 'Allow www.youtube.com on Staff, Pupils until 1 Jul' }] });
    expect((await daemon.cli(['changes'])).stdout).toContain('Only 0 accounts may approve');

    const approve = await daemon.cli(['changes', 'approve', '1']);
    expect(approve.code).toBe(1);
    expect(approve.stderr).toContain('approvals are given in the web UI by a signed-in approver (Change requests), never over SSH');
    const apply = await daemon.cli(['changes', 'apply', '1']);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('request 1 cannot be applied yet: it has 0 of the 2 approvals it needs');

    const ended = await daemon.cli(['changes', 'end-exception', 'by-hand', '--why', 'the topic is finished', '--risk', 'staff lose access to old.example']);
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toContain('Asked as change request 2');
    expect(ended.stdout).toContain('End the exception allowing old.example on Staff now');

    const withdrawn = await daemon.cli(['changes', 'withdraw', '1', '--note', 'asked by mistake']);
    expect(withdrawn.code, withdrawn.stderr).toBe(0);
    expect(withdrawn.stdout).toContain('Change request 1: Withdrawn');
    const again = await daemon.cli(['changes', 'withdraw', '1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('withdrawn, and a withdrawn request is final');

    const exceptions = await daemon.cli(['changes', 'exceptions', '--json']);
    expect((JSON.parse(exceptions.stdout) as ExceptionListView)).toMatchObject({ timezone: 'Europe/London', exceptions: [{ id: 'by-hand', where: 'Staff', changeRequest: null }] });
    expect((await daemon.cli(['changes', 'exceptions'])).stdout).toMatch(/by-hand +allow +old\.example +Staff +no end date/);

    const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
    try {
      const steps = [...state.audit.export()].filter((e) => e.action.startsWith('change.')).map((e) => [e.action, e.subject]);
      expect(steps).toEqual([['change.request', 'change 1'], ['change.request', 'change 2'], ['change.withdraw', 'change 1']]);
      expect(state.audit.verify()).toMatchObject({ ok: true });
    } finally {
      state.close();
    }
  }, 60_000);

  it('asks for an allow for named devices (--device, repeated), which needs the head even on staff; a bad MAC is refused in words', async () => {
    const asked = await daemon.cli(['changes', 'request', '--allow', 'roblox.com', '--networks', 'staff', '--device', '3C-22-FB-00-00-01', '--device', '3c22.fb00.0002',
      '--why', 'after-school club on the staff laptops', '--risk', 'two devices only, supervised', '--json']);
    expect(asked.code, asked.stderr).toBe(0);
    expect(JSON.parse(asked.stdout) as ChangeRequest).toMatchObject({ needsHead: true, proposal: { devices: ['3c:22:fb:00:00:01', '3c:22:fb:00:00:02'] } });
    const human = await daemon.cli(['changes', 'show', String((JSON.parse(asked.stdout) as ChangeRequest).id)]);
    expect(human.stdout).toContain('it is for named devices: the headteacher must be one of them');
    expect(human.stdout).toContain('Allow roblox.com (and every name under it) for the device 3c:22:fb:00:00:01 and the device 3c:22:fb:00:00:02 on Staff');
    const bad = await daemon.cli(['changes', 'request', '--allow', 'roblox.com', '--networks', 'staff', '--device', 'sams-watch', '--why', 'x'.repeat(12), '--risk', 'y'.repeat(12)]);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('a device is named by its MAC address, and "sams-watch" is not a MAC address');
  });

  it('says what is wrong with the command line', async () => {
    for (const [args, message] of [
      [['changes', 'request', '--allow', 'a.example', '--block', 'b.example'], 'say which name: --allow NAME or --block NAME'],
      [['changes', 'request', '--allow', 'a.example', '--why', 'x'.repeat(12), '--risk', 'y'.repeat(12)], 'missing --networks'],
      [['changes', 'request', '--allow', 'a.example', '--networks', 'staff', '--risk', 'y'.repeat(12)], 'missing --why'],
      [['changes', 'show', 'one'], '"one" is not a change request number'],
      [['changes', 'sent-upstream', '1'], "missing --reference: the filtering provider's reference"],
      [['changes', '--status', 'pending'], '--status must be one of awaiting-approval, approved'],
      [['changes', 'frobnicate'], 'unknown changes action "frobnicate"'],
    ] as const) {
      const result = await daemon.cli([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
    const bad = await daemon.cli(['changes', 'request', '--allow', 'a.example', '--networks', 'library', '--why', 'x'.repeat(12), '--risk', 'y'.repeat(12)]);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('there is no network "library"');
  });
});

describe('on a terminal', () => {
  it('reads an end day as its end on the school\'s clocks and refuses days that do not exist', () => {
    expect(untilInstant('2026-12-19', 'Europe/London')).toBe('2026-12-19T23:59:00.000Z');
    expect(untilInstant('2026-07-01T15:30', 'Europe/London')).toBe('2026-07-01T14:30:00.000Z');
    expect(() => untilInstant('2026-02-30', 'Europe/London')).toThrow('is not a real day');
    expect(() => untilInstant('next friday', 'Europe/London')).toThrow('is not a day');
  });

  it('prints typed text without control codes, every edit of a page\'s change, and the time to decision', () => {
    const change = foldChange({
      id: 3, proposal: { kind: 'config', action: 'policy.edit', subject: 'pupil', edits: [{ path: '/policies/1/categories/social', before: { disposition: 'unacceptable' }, after: { disposition: 'acceptable' } }] },
      summary: ['Pupils: Social networking: unacceptable → acceptable'], title: 'Change the Pupils policy: Social networking', rationale: 'PSHE\u001b[2J lessons', riskNote: 'supervised in class',
      fromAlert: null, requestedBy: 'account:osl', requestedAt: '2026-12-07T09:00:00.000Z', needsHead: true, requestedByHead: false,
    }, [
      { id: 1, kind: 'approved', by: 'account:dsl', at: '2026-12-07T09:30:00.000Z', note: null, reference: null, head: false },
      { id: 2, kind: 'approved', by: 'account:head', at: '2026-12-07T11:00:00.000Z', note: 'ok', reference: null, head: true },
    ]);
    const out = formatChange(change);
    expect(out).not.toContain('\u001b');
    expect(out).toContain('/policies/1/categories/social: {"disposition":"unacceptable"} → {"disposition":"acceptable"}');
    expect(out).toContain('Decided:          2026-12-07 11:00 UTC, 2 h after it was asked');
    expect(out).toContain('schoolgate changes apply 3');
    expect(formatChangeList({ approvers: 3, changes: [] })).toBe('No change requests.\n');
  });
});
