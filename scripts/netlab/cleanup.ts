// Naming and removal of labs. A lab's namespaces are called `sg-<owner pid>-<random>-<role>`, so
// anyone can tell whose they are and whether that owner still lives; removal is synchronous so
// it also works from a process 'exit' handler, where nothing asynchronous runs any more.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NETNS_DIR = '/run/netns';
const ETC_NETNS_DIR = '/etc/netns';
const LAB_NAME = /^(sg-(\d+)-([a-z0-9]+))-([a-z][a-z0-9]*)$/;
const LAB_ID = /^sg-(\d+)-[a-z0-9]+$/;

export function labsRoot(): string {
  return join(tmpdir(), 'schoolgate-netlab');
}

export function newLabId(): string {
  return `sg-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function labDirectory(id: string): string {
  return join(labsRoot(), id);
}

/** The start time of a process (clock ticks since boot), which tells a reused PID from the original. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") ".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Records who owns a lab, for `cleanup` to judge later. */
export function writeOwner(dir: string): void {
  writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, startTime: startTime(process.pid) }));
}

export function ownerAlive(id: string): boolean {
  const m = LAB_ID.exec(id);
  if (!m) return false;
  const pid = Number(m[1]);
  const now = startTime(pid);
  if (now === undefined) return false;
  try {
    const owner = JSON.parse(readFileSync(join(labDirectory(id), 'owner.json'), 'utf8')) as { startTime?: string };
    return owner.startTime === undefined || owner.startTime === now;
  } catch {
    return true; // no record (yet): trust the PID rather than remove a lab being built
  }
}

export interface LabOnHost {
  id: string;
  pid: number;
  namespaces: string[];
}

/** Every lab with a namespace on this machine, whoever owns it. */
export function listLabs(): LabOnHost[] {
  const byId = new Map<string, LabOnHost>();
  let entries: string[] = [];
  try {
    entries = readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
  for (const name of entries) {
    const m = LAB_NAME.exec(name);
    if (!m) continue;
    const id = m[1]!;
    const lab = byId.get(id) ?? { id, pid: Number(m[2]), namespaces: [] };
    lab.namespaces.push(name);
    byId.set(id, lab);
  }
  return [...byId.values()];
}

export function namespaceInode(name: string): number | undefined {
  try {
    return statSync(join(NETNS_DIR, name)).ino;
  } catch {
    return undefined;
  }
}

/** Live (non-zombie) processes whose network namespace is one of `inodes`. */
export function processesIn(inodes: ReadonlySet<number>): number[] {
  const found: number[] = [];
  if (inodes.size === 0) return found;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const link = readlinkSync(`/proc/${entry}/ns/net`);
      const ino = Number(link.slice(link.indexOf('[') + 1, -1));
      if (inodes.has(ino) && !isZombie(Number(entry))) found.push(Number(entry));
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  return found;
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes a lab: kills every process inside its namespaces, deletes the namespaces (their veths
 * and bridges go with them), their /etc/netns entries and the lab's directory. Safe to repeat.
 */
export function removeLabSync(id: string, namespaces: readonly string[]): void {
  const inodes = new Set<number>();
  for (const ns of namespaces) {
    const ino = namespaceInode(ns);
    if (ino !== undefined) inodes.add(ino);
  }
  // Kill until nothing is left: a dying process's children could still be starting up.
  for (let round = 0; round < 50; round++) {
    const pids = processesIn(inodes);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    sleepSync(10);
  }
  const existing = namespaces.filter((ns) => existsSync(join(NETNS_DIR, ns)));
  if (existing.length > 0) {
    try {
      execFileSync('ip', ['-force', '-batch', '-'], { input: existing.map((ns) => `netns delete ${ns}\n`).join(''), stdio: ['pipe', 'ignore', 'pipe'] });
    } catch {
      // -force carries on past errors; what could not be deleted is checked by the callers' tests
    }
  }
  for (const ns of namespaces) rmSync(join(ETC_NETNS_DIR, ns), { recursive: true, force: true });
  rmSync(labDirectory(id), { recursive: true, force: true });
}

/** Removes every lab whose owner process has died. Returns the ids removed. */
export function cleanupStaleLabs(): string[] {
  const removed: string[] = [];
  for (const lab of listLabs()) {
    if (ownerAlive(lab.id)) continue;
    removeLabSync(lab.id, lab.namespaces);
    removed.push(lab.id);
  }
  // Directories and /etc/netns entries left without any namespace (an owner killed mid-bring-up).
  for (const id of safeReaddir(labsRoot())) {
    if (LAB_ID.test(id) && !ownerAlive(id)) {
      rmSync(labDirectory(id), { recursive: true, force: true });
      if (!removed.includes(id)) removed.push(id);
    }
  }
  for (const name of safeReaddir(ETC_NETNS_DIR)) {
    const m = LAB_NAME.exec(name);
    if (m && !ownerAlive(m[1]!)) rmSync(join(ETC_NETNS_DIR, name), { recursive: true, force: true });
  }
  return removed;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
}
