// Free loopback ports for tests that start real listeners: found free, released, and bound again
// by the daemon seconds later. They are taken below the kernel's ephemeral range: a port the kernel
// hands out for listen(0) is in the same range it gives every outgoing connection, so with a dozen
// test processes talking over loopback one of those connections took a daemon's DNS port in the
// seconds before it listened (EADDRINUSE in a CI run). Below the range only another test's own
// choice can collide, which a random pick over ten thousand ports makes rare.
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

const HIGHEST = ephemeralStart() - 1;
const LOWEST = Math.max(10_000, HIGHEST - 10_000);

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
    if (await tcpFree(host, port) && await udpFree(host, port)) return port;
  }
  throw new Error('no free port found');
}
