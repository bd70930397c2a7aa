// The self-test's one piece of I/O on the network: real questions over UDP to the gateway's own
// DNS listener, each from a new socket bound to the gateway's address on the network under test,
// so the server sees a device on that network. A new socket (a new source port) per question,
// because with dns.threads > 1 the kernel spreads sources over the threads by port: one socket
// would test one thread. One question at a time: the per-client rate limit must never be what a
// check measures.
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { questionPacket, readReply, type Outcome } from './judge.ts';
import type { Route } from './route.ts';

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

/** Asks each name in turn and resolves with what came back for each, in order. Never rejects. */
export async function askEach(route: Route, names: readonly string[], timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const name of names) outcomes.push(await askOne(route, name, timeoutMs));
  return outcomes;
}

async function askOne(route: Route, name: string, timeoutMs: number): Promise<Outcome> {
  const socket = createSocket({ type: route.family === 6 ? 'udp6' : 'udp4' });
  try {
    const bound = await bind(socket, route.source);
    if (bound !== undefined) return { none: `cannot ask from ${route.source}: ${bound}` };
    const id = randomInt(0, 0x10000);
    return await new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => resolve({ none: `no reply within ${timeoutMs / 1000} s` }), timeoutMs);
      const settle = (outcome: Outcome): void => {
        clearTimeout(timer);
        resolve(outcome);
      };
      // Anything else arriving on the port (a late reply, a stray datagram) is not the answer.
      socket.on('message', (bytes) => {
        const reply = readReply(bytes, id, name);
        if (reply) settle({ reply });
      });
      socket.send(questionPacket(name, id), route.server.port, route.server.address, (error) => {
        if (error) settle({ none: `cannot send to ${route.server.address}:${route.server.port}: ${error.message}` });
      });
    });
  } finally {
    try {
      socket.close();
    } catch {
      // never bound: nothing to close
    }
  }
}

/** Binds to `address` on a port of the kernel's choosing; the error's message when the gateway does not hold it. */
function bind(socket: Socket, address: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const failed = (error: Error): void => resolve(error.message);
    socket.once('error', failed);
    socket.bind({ address, port: 0, exclusive: true }, () => {
      socket.off('error', failed);
      resolve(undefined);
    });
  });
}
