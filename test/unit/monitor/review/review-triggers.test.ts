// What makes a review due: a configuration applied is compared with the one before (filtering
// sections, networks added, a guest network switched on), and a start's version with the last; a
// change request applied here is one such configuration change, one sent upstream its own item.
import { expect, it } from 'vitest';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import { configTriggers, firmwareTrigger, upstreamChangeTrigger } from '../../../../firmware/monitor/review/review-triggers.ts';

it('raises nothing for a change that leaves filtering and the networks as they were', () => {
  const before = defaultConfig();
  const after = structuredClone(before);
  after.site.name = 'Another name';
  after.retention = { ...after.retention };
  expect(configTriggers(before, after)).toEqual([]);
});

it('names the filtering sections that changed, a network added and a guest network switched on', () => {
  const before = defaultConfig();
  const after = structuredClone(before);
  after.exceptions.push({ id: 'maths', domain: 'maths.example', action: 'allow', reason: 'a maths site for Year 4', requestedBy: 'Ms Khan' });
  after.policies[0]!.name = `${after.policies[0]!.name} (edited)`;
  after.networks[1]!.policy = after.policies[0]!.id;
  const guest = structuredClone(after.networks[0]!);
  after.networks.push({ ...guest, id: 'visitors', name: 'Visitors', kind: 'guest', enabled: true });
  const triggers = configTriggers(before, after);
  expect(triggers).toEqual([
    { reason: 'filtering-change', detail: `filtering changed: policies (categories, schedules, safe search); exceptions (names allowed or blocked); the policy of "${after.networks[1]!.name}"` },
    { reason: 'new-network', detail: 'network "Visitors" (guest) added' },
  ]);
  const off = structuredClone(after);
  off.networks.at(-1)!.enabled = false;
  expect(configTriggers(off, after)).toEqual([{ reason: 'byod-enabled', detail: 'guest network "Visitors" switched on: visitors\' and personal devices join it' }]);
});

it('takes a start on a new version as a firmware update, and a first start or the same version as none', () => {
  expect(firmwareTrigger(undefined, '1.2.0')).toBeUndefined();
  expect(firmwareTrigger('1.2.0', '1.2.0')).toBeUndefined();
  expect(firmwareTrigger('1.1.0', '1.2.0')).toEqual({ reason: 'firmware-update', detail: 'firmware 1.1.0 → 1.2.0' });
});

it('counts a change request applied here (an exception added) and one sent upstream as filtering changes', () => {
  const before = defaultConfig();
  const after = structuredClone(before);
  after.exceptions.push({ id: 'change-3', domain: 'maths.example', action: 'allow', networks: ['pupil'], reason: 'times tables', requestedBy: 'Sam' });
  expect(configTriggers(before, after)).toEqual([{ reason: 'filtering-change', detail: 'filtering changed: exceptions (names allowed or blocked)' }]);
  expect(upstreamChangeTrigger(4, 'Block game.example on Pupils', 'SW-1')).toEqual({ reason: 'filtering-change', detail: 'change request 4 sent to the filtering provider (SW-1): Block game.example on Pupils' });
});

it("counts the head's unlock limits as a filtering change, but a teacher's unlock or the teachers of a class raise nothing", async () => {
  const { isFilteringChange } = await import('../../../../firmware/monitor/review/review-page.ts');
  const before = defaultConfig();
  before.deviceGroups = [{ id: 'year-6', name: 'Year 6' }];
  before.classes = { teachers: [], unlocks: [] };
  const unlocked = structuredClone(before);
  unlocked.classUnlocks = [{ id: 'unlock-1', group: 'year-6', category: 'streaming', from: '2026-12-07T10:00:00.000Z', until: '2026-12-07T10:30:00.000Z', by: 'account:sam', reason: 'a film' }];
  unlocked.classes!.teachers = [{ group: 'year-6', accounts: ['sam'] }];
  expect(configTriggers(before, unlocked)).toEqual([]);
  const limits = structuredClone(unlocked);
  limits.classes!.unlocks = [{ category: 'streaming', maxMinutes: 45 }];
  expect(configTriggers(unlocked, limits)).toEqual([{ reason: 'filtering-change', detail: 'filtering changed: what teachers may unlock for their classes' }]);
  // Listed among the week's filtering changes instead (the audit log); assigning teachers is not one.
  expect(isFilteringChange('class.unlock')).toBe(true);
  expect(isFilteringChange('class.unlock-end')).toBe(true);
  expect(isFilteringChange('classes.teachers')).toBe(false);
});
