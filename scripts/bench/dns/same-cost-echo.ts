// The p99 reference: a Node server that does nothing but spend a given CPU time per query and
// answer it (NXDOMAIN, the question echoed). At half of Schoolgate's peak, on the same machine
// with the same load generator, its p99 is what any server of Schoolgate's CPU cost per query
// gets here: on a 2-core box shared with dnsperf and the upstream, the scheduler's time slices
// shape the tail more than the server's own pauses. Run as a child: `same-cost-echo.ts PORT BURN_US`.
import dgram from 'node:dgram';
import { spawnTracked, stopChild } from './children.ts';
import type { PerfOptions, PerfResult } from './dnsperf.ts';
import { freePort } from './ports.ts';
import type { Server } from './probe.ts';

const ANSWER_FLAGS = 0x80; // QR
const NXDOMAIN = 3;

function serve(port: number, burnUs: number): void {
  const socket = dgram.createSocket({ type: 'udp4', lookup: (address, _family, callback) => callback(null, address, 4) });
  socket.on('message', (query, rinfo) => {
    if (query.length < 12) return;
    const until = performance.now() + burnUs / 1000;
    while (performance.now() < until);
    query[2] = query[2]! | ANSWER_FLAGS;
    query[3] = (query[3]! & 0xf0) | NXDOMAIN;
    socket.send(query, rinfo.port, rinfo.address);
  });
  socket.bind(port, '127.0.0.1', () => {
    // As Schoolgate's listeners: large buffers, so a burst waits instead of being dropped.
    socket.setRecvBufferSize(8 << 20);
    socket.setSendBufferSize(8 << 20);
    process.stdout.write('ready\n');
  });
}

/** Starts the reference on `server` with Schoolgate's Node flags; resolves once it listens. */
export async function startSameCostEcho(server: Server, burnUs: number): Promise<ReturnType<typeof spawnTracked>> {
  const child = spawnTracked(process.execPath, ['--max-semi-space-size=4', new URL(import.meta.url).pathname, String(server.port), String(burnUs)]);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`same-cost echo exited (${code}) before listening`)));
  });
  return child;
}

if (import.meta.main) {
  const [port, burn] = process.argv.slice(2).map(Number);
  if (!Number.isInteger(port) || !(burn! >= 0)) throw new Error('usage: same-cost-echo.ts PORT BURN_US');
  serve(port!, burn!);
}

export interface SameCostResult {
  /** The echo's own CPU per query at peak, with nothing to burn. */
  echoCpuUs: number;
  /** What it burnt per query at half peak: Schoolgate's CPU per query less the echo's own. */
  burnUs: number;
  half: PerfResult;
}

/** A dnsperf run against `server`, with the CPU per query of process `pid` filled in. */
export type Measure = (server: Server, pid: number | undefined, label: string, extra: Partial<PerfOptions>) => Promise<PerfResult>;

/**
 * Measures the echo's own cost at peak, then runs it at `halfQps` burning the rest of
 * `targetCpuUs` per query, with the same dnsperf options as Schoolgate's half-peak run.
 */
export async function measureSameCostEcho(o: { targetCpuUs: number; halfQps: number; half: Partial<PerfOptions>; measure: Measure }): Promise<SameCostResult> {
  const server: Server = { address: '127.0.0.1', port: await freePort('127.0.0.1') };
  let child = await startSameCostEcho(server, 0);
  const bare = await o.measure(server, child.pid, 'echo-peak', {});
  await stopChild(child);
  const burnUs = Math.max(0, o.targetCpuUs - bare.serverCpuUs);
  child = await startSameCostEcho(server, burnUs);
  try {
    return { echoCpuUs: bare.serverCpuUs, burnUs, half: await o.measure(server, child.pid, 'echo-half', o.half) };
  } finally {
    await stopChild(child);
  }
}
