// Every process the benchmark starts is registered here, so that any way out (normal end, a
// failure, Ctrl-C, SIGTERM) stops all of them: a forgotten dnsmasq would hold its port and skew
// the next run's numbers.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const live = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void> | void> = [];

export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM, then SIGKILL if it has not gone within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** Runs after the children are stopped (e.g. removing the temp directory). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

let cleaning: Promise<void> | undefined;
export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...live].map((c) => stopChild(c)));
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`bench: cleanup step failed: ${(error as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}

let signalled = false;
/** True once Ctrl-C/SIGTERM arrived: failures after that are the children being stopped. */
export function interrupted(): boolean {
  return signalled;
}

/** Installs the handlers that make every exit path clean up. */
export function installExitHandlers(): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    signalled = true;
    process.stderr.write(`\nbench: ${signal}, stopping everything it started\n`);
    void cleanupAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Last resort when the event loop is already gone: no waiting possible, so SIGKILL.
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function statusKb(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** The pid and all its descendants (worker threads are in the pid itself; processes are not). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${out[i]}/task/${task}/children`, 'utf8').trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      } catch {
        // the task ended while we looked
      }
    }
  }
  return out;
}

/**
 * VmRSS (or another /proc status field such as RssAnon) summed over the process tree, in MB;
 * NaN when the process is gone. RssAnon is worth a look beside VmRSS: Node's executable alone
 * maps tens of MB of file pages that count in VmRSS but are shared and evictable.
 */
export function rssMb(pid: number | undefined, field = 'VmRSS'): number {
  if (pid === undefined) return Number.NaN;
  let kb: number;
  try {
    kb = statusKb(pid, field);
  } catch {
    return Number.NaN;
  }
  for (const p of processTree(pid).slice(1)) {
    try {
      kb += statusKb(p, field);
    } catch {
      // a descendant that ended while we looked holds no memory
    }
  }
  return kb / 1024;
}

/** Peak RSS of the pid alone (VmHWM), in MB. */
export function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return statusKb(pid, 'VmHWM') / 1024;
  } catch {
    return Number.NaN;
  }
}

let clockTicks: number | undefined;

/**
 * CPU time (user + system) used so far by the pid and its descendants, every thread, in seconds:
 * /proc/PID/stat fields 14 and 15, in clock ticks.
 */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      if (p === pid) return Number.NaN;
    }
  }
  return ticks / clockTicks;
}
