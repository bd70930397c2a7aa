// The shipped sshd drop-in (image/sshd_config.d/schoolgate.conf) as the real sshd reads it: `sshd -t`
// accepts a configuration that includes it the way Debian's /etc/ssh/sshd_config does, and
// `sshd -T` shows it in force: keys only, no root, only the group `schoolgate`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DROP_IN = resolve(import.meta.dirname, '../../../image/sshd_config.d/schoolgate.conf');
const SSHD = '/usr/sbin/sshd';

let dir: string;
let config: string;

function sshd(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(SSHD, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'schoolgate-sshd-'));
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const keygen = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey], { encoding: 'utf8' });
  if (keygen.status !== 0) throw new Error(`ssh-keygen failed: ${keygen.stderr}`);
  // sshd -t checks for its privilege-separation directory, which the openssh-server service makes at start.
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  config = join(dir, 'sshd_config');
  // Debian's own sshd_config starts with this Include; its other lines are defaults or
  // settings the drop-in overrides (the first value of a keyword wins, so the Include comes first).
  writeFileSync(config, `Include ${DROP_IN}\nHostKey ${hostKey}\nKbdInteractiveAuthentication no\nUsePAM yes\nPrintMotd no\nSubsystem sftp /usr/lib/openssh/sftp-server\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('image/sshd_config.d/schoolgate.conf', () => {
  it('is accepted by sshd -t', () => {
    const r = sshd(['-t', '-f', config]);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('is in force: key only, no root, only the schoolgate group', () => {
    const r = sshd(['-T', '-f', config, '-C', 'user=technician,host=laptop.school.example,addr=10.0.0.5']);
    expect(r.status, r.out).toBe(0);
    const settings = new Map(r.out.trim().split('\n').map((line) => {
      const [key, ...value] = line.split(' ');
      return [key!, value.join(' ')] as const;
    }));
    expect(settings.get('passwordauthentication')).toBe('no');
    expect(settings.get('kbdinteractiveauthentication')).toBe('no');
    expect(settings.get('permitrootlogin')).toBe('no');
    expect(settings.get('authenticationmethods')).toBe('publickey');
    expect(settings.get('allowgroups')).toBe('schoolgate');
    expect(settings.get('allowtcpforwarding')).toBe('local');
  });

  it('refuses a drop-in with a mistake (the check can fail)', () => {
    const broken = join(dir, 'broken.conf');
    writeFileSync(broken, `Include ${DROP_IN}\nPermitRootLogin sometimes\n`);
    expect(sshd(['-t', '-f', broken]).status).not.toBe(0);
  });
});
