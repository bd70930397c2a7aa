// The pages' one way of naming who did something: an account by its holder's name, an SSH user as
// such, the gateway's own jobs in words.
import { expect, it } from 'vitest';
import { who } from '../../../webui/src/pages/people.ts';

it('names an account by its display name beside the username, and an SSH user or the gateway in words', () => {
  expect(who('account:lee.tech', 'Lee Evans')).toBe('Lee Evans (lee.tech)');
  expect(who('account:lee.tech', 'lee.tech')).toBe('lee.tech');
  expect(who('account:lee.tech')).toBe('lee.tech');
  expect(who('account:gone', null)).toBe('gone');
  expect(who('ssh:lee')).toBe('lee (over SSH)');
  expect(who('system')).toBe('the gateway (automatically)');
  expect(who('system:backup')).toBe('the gateway (automatically)');
});
