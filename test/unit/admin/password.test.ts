// argon2id hashes and the password policy.
import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, temporaryPassword, verifyPassword } from '../../../firmware/admin/auth/password.ts';

describe('passwords', () => {
  it('hashes with argon2id (19 MiB, 2 passes, 1 lane) and verifies only the same password', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(hash);
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
  });

  it('refuses short, common (whatever the case) and username-bearing passwords', () => {
    expect(passwordProblem('elevenchars')).toMatch(/at least 12/);
    expect(passwordProblem('QwertyUiop123')).toMatch(/common/);
    expect(passwordProblem('Heron-Lantern-42')).toBeUndefined();
    expect(passwordProblem('1qaz2wsx3edc')).toMatch(/common/);
    expect(passwordProblem('1QAZ2WSX3EDC')).toMatch(/common/);
    expect(passwordProblem('LeaveMeAlone')).toMatch(/common/);
    expect(passwordProblem('jo.head-is-here', 'jo.head')).toMatch(/username/);
    expect(passwordProblem('a long and unusual phrase')).toBeUndefined();
  });

  it('makes temporary passwords that pass its own policy', () => {
    const a = temporaryPassword();
    expect(a).toMatch(/^([a-zA-Z2-9]{4}-){4}[a-zA-Z2-9]{4}$/);
    expect(passwordProblem(a)).toBeUndefined();
    expect(temporaryPassword()).not.toBe(a);
  });
});
