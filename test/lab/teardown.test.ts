// A lab must never outlive its owner: not after destroy(), not after a signal or a crash, and
// when the owner is killed outright, the next lab (or `cli.ts cleanup`) removes what it left.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { NAMESPACES } from '../../scripts/netlab/addresses.ts';
import { cleanupStaleLabs } from '../../scripts/netlab/cleanup.ts';
import { exec } from '../../scripts/netlab/exec.ts';
import { NODE, REPO_ROOT } from '../../scripts/netlab/gateway.ts';
import { Lab } from '../../scripts/netlab/lab.ts';

const OWNER = fileURLToPath(new URL('./fixtures/lab-owner.ts', import.meta.url));

interface Report {
  id: string;
  dir: string;
  namespaces: string[];
  pids: number[];
}

function namespacesOf(id: string): string[] {
  return readdirSync('/run/netns').filter((n) => n.startsWith(`${id}-`));
}

/** Running, not a zombie (an orphan's zombie waits for whoever reaps orphans here). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** Everything a lab leaves on the machine that is still there. */
function remains(r: Report): string[] {
  return [
    ...namespacesOf(r.id).map((n) => `namespace ${n}`),
    ...r.namespaces.filter((n) => existsSync(`/etc/netns/${n}`)).map((n) => `/etc/netns/${n}`),
    ...r.pids.filter(alive).map((p) => `process ${p}`),
    ...(existsSync(r.dir) ? [`directory ${r.dir}`] : []),
  ];
}

/** Resolves once `child` has exited (at once if it already has). */
function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts an owner process and waits for its report. */
async function startOwner(mode: 'wait' | 'throw'): Promise<{ report: Report; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; pid: number; stderr: () => string }> {
  const child = spawn(NODE, [OWNER, mode], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    void exited.then(() => reject(new Error(`lab owner exited before reporting:\n${stderr}`)));
  });
  return { report: JSON.parse(first) as Report, exited, pid: child.pid!, stderr: () => stderr };
}

describe('teardown', () => {
  test('destroy() removes every namespace, process, /etc/netns entry and file, and can be repeated', async () => {
    const lab = await Lab.create({ name: 'teardown.test' });
    const client = lab.spawn('guest', ['sleep', '600']);
    await new Promise((r) => client.once('spawn', r));
    const report: Report = {
      id: lab.id, dir: lab.dir, namespaces: lab.namespaces(),
      pids: [...lab.wan.services.map((s) => s.child.pid!), client.pid!],
    };
    expect(namespacesOf(lab.id)).toHaveLength(NAMESPACES.length);
    expect(report.pids.every(alive)).toBe(true);
    await lab.destroy();
    await lab.destroy();
    // Killed children exit (and are reaped) through this process's event loop: wait for each exit.
    await Promise.all([...lab.wan.services.map((s) => exitOf(s.child)), exitOf(client)]);
    expect(remains(report)).toEqual([]);
    console.log(`netlab bring-up ${Math.round(lab.bringUpMs)} ms + teardown ${Math.round(lab.teardownMs)} ms = ${Math.round(lab.bringUpMs + lab.teardownMs)} ms`);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`an owner stopped with ${signal} takes its lab with it`, async () => {
      const owner = await startOwner('wait');
      expect(namespacesOf(owner.report.id)).toHaveLength(NAMESPACES.length);
      process.kill(owner.pid, signal);
      const end = await owner.exited;
      expect(end.code, owner.stderr()).toBe(128 + (signal === 'SIGTERM' ? 15 : 2));
      expect(remains(owner.report)).toEqual([]);
    });
  }

  test('an owner that dies of an uncaught exception takes its lab with it', async () => {
    const owner = await startOwner('throw');
    const end = await owner.exited;
    expect(end.code).toBe(1);
    expect(owner.stderr()).toContain('failing on purpose');
    expect(remains(owner.report)).toEqual([]);
  });

  test('what a SIGKILLed owner leaves behind is removed by cleanup', async () => {
    const owner = await startOwner('wait');
    process.kill(owner.pid, 'SIGKILL');
    await owner.exited;
    // Nothing could run in the owner: its lab is still there...
    expect(namespacesOf(owner.report.id)).toHaveLength(NAMESPACES.length);
    expect(owner.report.pids.some(alive)).toBe(true);
    // ...until cleanup, which the CLI offers and every Lab.create() runs first.
    const r = await exec([NODE, 'scripts/netlab/cli.ts', 'cleanup'], { cwd: REPO_ROOT });
    expect(r.code, r.stderr).toBe(0);
    // It names what it removed. Labs started meanwhile by other test runs on this machine run the
    // same cleanup first and may get there before this one, so the name is not required here;
    // that nothing of the lab remains is.
    expect(r.stdout).toMatch(/^(removed .+|nothing to clean up)\n$/);
    // The owner's children are not ours to wait for: the SIGKILL cleanup sent them takes effect
    // as the kernel delivers it, so wait until nothing remains (failing if something stays).
    await expect.poll(() => remains(owner.report), { timeout: 10_000 }).toEqual([]);
  });

  test('cleanup leaves a lab whose owner is alive alone', async () => {
    const lab = await Lab.create({ name: 'teardown.test-live' });
    try {
      expect(cleanupStaleLabs()).not.toContain(lab.id);
      expect(namespacesOf(lab.id)).toHaveLength(NAMESPACES.length);
    } finally {
      await lab.destroy();
    }
  });
});
