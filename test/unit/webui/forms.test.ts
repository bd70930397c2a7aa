// The checks the forms make before sending, the table's sort order, and the UI's copies of the
// role lists, held to firmware/admin/roles.ts so they cannot drift from the server's.
import { describe, expect, it } from 'vitest';
import { APPROVER_ROLES, ROLES } from '../../../firmware/admin/roles.ts';
import { sortRows } from '../../../webui/src/components/sort.ts';
import { formatBytes, formatUptime, groupSecret } from '../../../webui/src/format.ts';
import { ALL_ROLES, APPROVERS, checkPassword, checkSetupAccounts, checkTotp, type FieldErrors, type SetupAccountDraft } from '../../../webui/src/validate.ts';

const account = (over: Partial<SetupAccountDraft>): SetupAccountDraft => ({
  username: 'a.head', displayName: 'A Head', email: '', roles: ['headteacher'], password: 'correct horse battery', repeat: 'correct horse battery', ...over,
});

describe('role lists', () => {
  it('name every role of roles.ts and the same approver roles', () => {
    expect([...ALL_ROLES].sort()).toEqual([...ROLES].sort());
    expect([...APPROVERS].sort()).toEqual([...APPROVER_ROLES].sort());
  });
});

describe('checks', () => {
  it('wants 12 characters and the same password twice', () => {
    const e: FieldErrors = {};
    checkPassword(e, 'p', 'short', 'short', 'r');
    expect(e.p).toMatch(/5 characters.*at least 12/);
    const f: FieldErrors = {};
    checkPassword(f, 'p', 'twelve chars', 'twelve chars!', 'r');
    expect(f).toEqual({ r: 'The two passwords are not the same.' });
    const g: FieldErrors = {};
    checkPassword(g, 'p', 'twelve chars', 'twelve chars', 'r');
    expect(g).toEqual({});
  });

  it('wants six digits for a code, spaces allowed', () => {
    const e: FieldErrors = {};
    checkTotp(e, 'c', '123 456');
    expect(e).toEqual({});
    checkTotp(e, 'c', '12345');
    expect(e.c).toBeDefined();
  });

  it('wants two approvers, distinct usernames and a role on each account at setup', () => {
    expect(checkSetupAccounts([account({}), account({ username: 'd.dsl', roles: ['dsl', 'online-safety-lead'] })])).toEqual({ fields: {}, general: null });
    const one = checkSetupAccounts([account({}), account({ username: 'o.office', roles: ['office'] })]);
    expect(one.general).toMatch(/two accounts need an approving role.*one has/);
    const bad = checkSetupAccounts([account({}), account({ roles: [], username: 'a.head', password: 'short', repeat: 'short' }), account({ username: 'Bad Name' })]);
    expect(bad.fields).toMatchObject({
      'accounts/1/username': 'Account 1 already has this username.',
      'accounts/1/roles': 'Choose at least one role.',
      'accounts/2/username': expect.stringMatching(/lower-case/),
    });
    expect(bad.fields['accounts/1/password']).toMatch(/at least 12/);
  });
});

describe('sortRows', () => {
  it('sorts numbers as numbers and text in order, stably, with missing values last both ways', () => {
    const rows = [{ n: 10, s: 'b' }, { n: 9, s: 'A' }, { n: null, s: '' }, { n: 100, s: 'c' }, { n: 9, s: 'a2' }];
    expect(sortRows(rows, (r) => r.n, 'ascending').map((r) => r.n)).toEqual([9, 9, 10, 100, null]);
    expect(sortRows(rows, (r) => r.n, 'descending').map((r) => r.n)).toEqual([100, 10, 9, 9, null]);
    expect(sortRows(rows, (r) => r.n, 'ascending').filter((r) => r.n === 9).map((r) => r.s)).toEqual(['A', 'a2']);
    expect(sortRows(rows, (r) => r.s, 'ascending').map((r) => r.s)).toEqual(['A', 'a2', 'b', 'c', '']);
  });
});

it('groups a TOTP secret in fours for typing', () => {
  expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
  expect(groupSecret('ABCDEFG')).toBe('ABCD EFG');
});

it('says how long the gateway has run', () => {
  expect(formatUptime(59)).toBe('0 min');
  expect(formatUptime(3 * 3600 + 120)).toBe('3 h 2 min');
  expect(formatUptime(2 * 86400 + 5 * 3600)).toBe('2 d 5 h');
});

it('says a size in binary units, whole bytes below a kilobyte', () => {
  expect(formatBytes(0)).toBe('0 B');
  expect(formatBytes(1023)).toBe('1023 B');
  expect(formatBytes(1536)).toBe('1.5 KB');
  expect(formatBytes(12_300_000)).toBe('11.7 MB');
  expect(formatBytes(3 * 1024 ** 5)).toBe('3072.0 TB');
});
