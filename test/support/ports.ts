// Free loopback ports for tests that start real listeners: found free, released, and bound again
// by the daemon seconds later. They are taken below the kernel's ephemeral range: a port the kernel
// hands out for listen(0) is in the same range it gives every outgoing connection, so with a dozen
// test processes talking over loopback one of those connections took a daemon's DNS port in the
// seconds before it listened (EADDRINUSE in a CI run). Below the range only another test's own
// choice can collide: a port is never handed out twice by one process (a daemon's DNS and admin
// ports once came out the same in a CI run, neither bound yet when the other was picked), and
// vitest's workers pick from slices of their own.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

/** The first port the kernel gives outgoing connections (net.ipv4.ip_local_port_range). */
function ephemeralStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const TOP = ephemeralStart() - 1;
const BOTTOM = Math.max(10_000, TOP - 10_000);
const SLICES = 8;
const SLICE = Math.floor((TOP - BOTTOM + 1) / SLICES);
// VITEST_POOL_ID numbers the workers running at once from 1; outside vitest the whole range.
const pool = Number(process.env.VITEST_POOL_ID);
const LOWEST = Number.isInteger(pool) && pool > 0 ? BOTTOM + ((pool - 1) % SLICES) * SLICE : BOTTOM;
const HIGHEST = Number.isInteger(pool) && pool > 0 ? LOWEST + SLICE - 1 : TOP;
const handedOut = new Set<number>();

async function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/** A port free for both TCP and UDP on host (DNS listens on both). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (handedOut.has(port)) continue;
    if (await tcpFree(host, port) && await udpFree(host, port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port found');
}
