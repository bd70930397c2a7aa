import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSecretFile } from '../../../../../firmware/monitor/alerts/delivery/secret-file.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-secret-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

async function secret(name: string, text: string, mode = 0o600): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  await chmod(file, mode);
  return file;
}

describe('readSecretFile', () => {
  it('reads a private file, relative to the data directory or absolute, without its line break', async () => {
    await secret('smtp-password', 'pa ss word\n');
    expect(await readSecretFile('smtp-password', dir, 'SMTP password')).toBe('pa ss word');
    expect(await readSecretFile(join(dir, 'smtp-password'), '/nowhere', 'SMTP password')).toBe('pa ss word');
  });

  it.each([0o640, 0o604, 0o620])('refuses a file open to group or others (mode %s), naming the fix', async (mode) => {
    const file = await secret('key', 'secret', mode);
    await expect(readSecretFile('key', dir, 'webhook secret')).rejects.toThrow(`the webhook secret file ${file} is open to group or others (mode 0${mode.toString(8)}): run chmod 600 ${file}`);
  });

  it('refuses a missing, empty, multi-line or non-regular file', async () => {
    await expect(readSecretFile('absent', dir, 'SMTP password')).rejects.toThrow(/cannot read the SMTP password file .*absent: it does not exist/);
    await secret('empty', '\n');
    await expect(readSecretFile('empty', dir, 'SMTP password')).rejects.toThrow(/is empty/);
    await secret('two', 'a\nb\n');
    await expect(readSecretFile('two', dir, 'SMTP password')).rejects.toThrow(/more than one line/);
    await mkdir(join(dir, 'sub'), { mode: 0o700 });
    await expect(readSecretFile('sub', dir, 'SMTP password')).rejects.toThrow(/not a regular file/);
  });
});
