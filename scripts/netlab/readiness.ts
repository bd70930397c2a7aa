// Waiting for a service to listen, without sending it anything: /proc/<pid>/net/{tcp,udp} lists
// the sockets of the namespace that process lives in, so the host reads the lab's sockets directly.
import { readFile } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';

export type Protocol = 'tcp' | 'udp';

/** "0100007F:0035" -> { address: '127.0.0.1', port: 53 } (IPv4 is stored in host byte order). */
function parseEndpoint(hex: string): { address: string; port: number } {
  const [a = '', p = '0'] = hex.split(':');
  const bytes = [6, 4, 2, 0].map((i) => parseInt(a.slice(i, i + 2), 16));
  return { address: bytes.join('.'), port: parseInt(p, 16) };
}

export async function listening(pid: number, protocol: Protocol, address: string, port: number): Promise<boolean> {
  let table: string;
  try {
    table = await readFile(`/proc/${pid}/net/${protocol}`, 'utf8');
  } catch {
    return false;
  }
  // TCP sockets must be in LISTEN (0A); bound UDP sockets show as unconnected (07).
  const state = protocol === 'tcp' ? '0A' : '07';
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== state) continue;
    const local = parseEndpoint(f[1]!);
    if (local.port === port && (local.address === address || local.address === '0.0.0.0')) return true;
  }
  return false;
}

export interface Listener {
  protocol: Protocol;
  address: string;
  port: number;
}

/** Resolves when `child` listens on every endpoint; rejects if it exits first or time runs out. */
export async function waitListening(child: ChildProcess, what: string, endpoints: readonly Listener[], timeoutMs: number, describe: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${what} did not start\n${await describe()}`);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before listening\n${await describe()}`);
    }
    const ready = await Promise.all(endpoints.map((e) => listening(pid, e.protocol, e.address, e.port)));
    if (ready.every(Boolean)) return;
    if (Date.now() > deadline) {
      const missing = endpoints.filter((_, i) => !ready[i]).map((e) => `${e.protocol} ${e.address}:${e.port}`);
      throw new Error(`${what} not listening on ${missing.join(', ')} after ${timeoutMs} ms\n${await describe()}`);
    }
    await new Promise((r) => setTimeout(r, 15));
  }
}
