// The self-test's one piece of I/O on the network: real questions over UDP to the gateway's own
// DNS listener, from a socket bound to the gateway's address on the network under test, so the
// server sees a device on that network. One question at a time: the per-client rate limit must
// never be what a check measures.
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { questionPacket, readReply, type Outcome, type Reply } from './judge.ts';
import type { Route } from './route.ts';

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

/** Asks each name in turn and resolves with what came back for each, in order. Never rejects. */
export async function askEach(route: Route, names: readonly string[], timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<Outcome[]> {
  const socket = createSocket({ type: route.family === 6 ? 'udp6' : 'udp4' });
  let pending: { id: number; name: string; settle: (outcome: Outcome) => void } | undefined;
  socket.on('message', (bytes) => {
    if (!pending) return;
    const reply: Reply | undefined = readReply(bytes, pending.id, pending.name);
    if (reply) pending.settle({ reply });
  });
  try {
    const bound = await bind(socket, route.source);
    if (bound !== undefined) return names.map(() => ({ none: `cannot ask from ${route.source}: ${bound}` }));
    const outcomes: Outcome[] = [];
    for (const name of names) {
      const id = randomInt(0, 0x10000);
      outcomes.push(await new Promise<Outcome>((resolve) => {
        const timer = setTimeout(() => settle({ none: `no reply within ${timeoutMs / 1000} s` }), timeoutMs);
        const settle = (outcome: Outcome): void => {
          clearTimeout(timer);
          pending = undefined;
          resolve(outcome);
        };
        pending = { id, name, settle };
        socket.send(questionPacket(name, id), route.server.port, route.server.address, (error) => {
          if (error) settle({ none: `cannot send to ${route.server.address}:${route.server.port}: ${error.message}` });
        });
      }));
    }
    return outcomes;
  } finally {
    try {
      socket.close();
    } catch {
      // never bound: nothing to close
    }
  }
}

/** Binds to `address` on any port; the error's message when the gateway does not hold it. */
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
