// The tests' service manager: what systemd does on the box, for machines whose PID 1 is not
// systemd. It runs the real daemon from ROOT/current/bin/schoolgate and restarts it for real, so
// a restart after `current` moves starts the other release.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ServiceManager } from '../../firmware/upgrade/service-manager.ts';

export interface Supervisor extends ServiceManager {
  /** Everything every started daemon printed, for a failure's message. */
  output(): string;
  /** The running child's pid, or undefined if it has exited. */
  pid(): number | undefined;
  stop(): Promise<void>;
}

export function superviseCurrent(root: string, dataDir: string, env: NodeJS.ProcessEnv): Supervisor {
  let child: ChildProcess | undefined;
  let output = '';
  const start = (): void => {
    // Detached: the launcher execs node, but a broken release may leave children; the group goes.
    child = spawn(join(root, 'current/bin/schoolgate'), ['run', '--data-dir', dataDir], { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.pid === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.on('exit', resolve));
    process.kill(-running.pid, 'SIGTERM');
    const timer = setTimeout(() => { try { process.kill(-running.pid!, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  start();
  return {
    async restart() {
      await stop();
      start();
    },
    // It never restarts by itself: a crash stays a crash, which the health check then sees.
    automaticRestarts: async () => 0,
    // Exited and not restarted, as systemd's "failed": the health check need not wait it out.
    failed: async () => child === undefined || child.exitCode !== null || child.signalCode !== null,
    output: () => output,
    pid: () => (child?.exitCode === null ? child.pid : undefined),
    stop,
  };
}
