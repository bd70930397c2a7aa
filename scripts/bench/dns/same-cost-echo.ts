// The p99 reference: a Node server that does nothing but spend a given CPU time per query and
// answer it (NXDOMAIN, the question echoed). At half of Schoolgate's peak, on the same machine
// with the same load generator, its p99 is what a server of Schoolgate's CPU cost per query gets
// here for that cost alone; the rest of Schoolgate's p99 is its own. Run as a child:
// `same-cost-echo.ts PORT BURN_US`.
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
export async function startSameCostEcho(server: Server, burnUs: number, nice?: number): Promise<ReturnType<typeof spawnTracked>> {
  const node = [process.execPath, '--max-semi-space-size=4', new URL(import.meta.url).pathname, String(server.port), String(burnUs)];
  const [program, ...args] = nice === undefined ? node : ['nice', '-n', String(nice), ...node];
  const child = spawnTracked(program!, args);
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

/** A dnsperf run against `server`, with the CPU per query of process `pid` filled in. */
export type Measure = (server: Server, pid: number | undefined, label: string, extra: Partial<PerfOptions>) => Promise<PerfResult>;

/** The reference, calibrated and listening, for the half-peak rounds. */
export interface SameCostEcho {
  server: Server;
  pid: number | undefined;
  /** The echo's own CPU per query at peak, with nothing to burn. */
  echoCpuUs: number;
  /** What it burns per query: Schoolgate's CPU per query less the echo's own. */
  burnUs: number;
  stop: () => Promise<void>;
}

/** Measures the echo's own cost at peak, then starts it again burning the rest of `targetCpuUs`. */
export async function startCalibratedEcho(targetCpuUs: number, measure: Measure, nice?: number): Promise<SameCostEcho> {
  const server: Server = { address: '127.0.0.1', port: await freePort('127.0.0.1') };
  const bare = await startSameCostEcho(server, 0, nice);
  const calibration = await measure(server, bare.pid, 'echo-peak', {});
  await stopChild(bare);
  const burnUs = Math.max(0, targetCpuUs - calibration.serverCpuUs);
  const child = await startSameCostEcho(server, burnUs, nice);
  return { server, pid: child.pid, echoCpuUs: calibration.serverCpuUs, burnUs, stop: () => stopChild(child) };
}
