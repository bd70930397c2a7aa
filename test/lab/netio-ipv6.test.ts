// The netio listener with an IPv6 link-local client, which only works if the scope (the
// interface) travels with the source address into JavaScript and back into the answer. Runs in a
// network namespace of its own (`unshare -n`) that the kernel removes when the process ends.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'netio-link-local.ts');
const SETUP = [
  'ip link set lo up',
  'ip link add sga type veth peer name sgb',
  'ip link set sga up',
  'ip link set sgb up',
  'ip -6 address add fe80::a/64 dev sga nodad',
  'ip -6 address add fe80::b/64 dev sgb nodad',
].join(' && ');

describe('netio over link-local IPv6', () => {
  it('reports the source with its scope and answers it on the right interface', () => {
    const r = spawnSync('unshare', ['-n', '--', 'sh', '-c', `${SETUP} && exec "$0" "$1"`, process.execPath, FIXTURE], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    const { seen, answer } = JSON.parse(r.stdout.trim()) as { seen: string[]; answer: number[] };
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^fe80::b%\d+$/);
    expect(answer).toEqual([3, 2, 1]);
  });
});
