// A lease is durable when bind() returns: a process killed with SIGKILL right after loses none of
// the leases it reported (WAL with synchronous=NORMAL: the commit is in the kernel when it returns).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();

describe('leases and kill -9', () => {
  it('keeps every lease a killed process had reported as committed', async () => {
    const file = join(tempDir(), 'state.db');
    StateDatabase.open(file).close();
    const child = spawn(process.execPath, [new URL('./lease-writer-child.ts', import.meta.url).pathname, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const reported: string[] = [];
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      // Killed mid-stream once enough leases are reported; a child that died first (it never
      // should) ends the wait too, and the signal check below says so instead of a timeout.
      await Promise.race([exited, new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          reported.push(...lines);
          if (reported.length >= 1000 && !child.killed) {
            child.kill('SIGKILL');
            resolve();
          }
        });
      })]);
    } finally {
      // Never left running after a failure or a timeout: it writes until killed.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    const state = StateDatabase.open(file);
    const stored = new Set(state.leases.list({ networkId: 'pupil' }).map((l) => l.address));
    expect(reported.filter((a) => !stored.has(a))).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(reported.length);
    expect(state.devices.count()).toBe(stored.size);
    state.close();
  });
});
