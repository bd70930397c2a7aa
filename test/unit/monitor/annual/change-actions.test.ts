// The annual pack's "changes to filtering and configuration": every step of a change request
// counts (all requests and their outcomes are audited annually), and an applied request that
// stands for a page's edit says which.
import { expect, it } from 'vitest';
import { changeEntryWords, isChangeAction } from '../../../../firmware/monitor/annual/change-actions.ts';

it('counts each change request step and words an applied page edit by what it stands for', () => {
  for (const action of ['change.request', 'change.approve', 'change.decline', 'change.withdraw', 'change.apply', 'change.apply-failed', 'change.upstream']) {
    expect(isChangeAction(action)).toBe(true);
    expect(changeEntryWords({ action })).not.toBe(action);
  }
  expect(isChangeAction('auth.login')).toBe(false);
  // A teacher's class unlock is a filtering change within the head's limits; who teaches a class is not.
  expect(changeEntryWords({ action: 'class.unlock' })).toMatch(/^Category unlocked for a class/);
  expect(isChangeAction('class.unlock-end')).toBe(true);
  expect(isChangeAction('classes.teachers')).toBe(false);
  expect(changeEntryWords({ action: 'change.apply', details: { action: 'policy.edit', subject: 'pupil' } })).toBe('Approved filtering change applied: Acceptable-use table changed');
  expect(changeEntryWords({ action: 'change.apply', details: { action: 'classes.limits', subject: 'classes.unlocks' } })).toBe('Approved filtering change applied: What teachers may unlock for their classes changed');
  expect(changeEntryWords({ action: 'change.apply', details: { proposal: { kind: 'exception' } } })).toBe('Approved filtering change applied');
  expect(changeEntryWords({ action: 'something.new' })).toBe('something.new');
});
