// One UDP socket to one upstream, through the netio addon (one call into JavaScript per batch of
// answers, no per-datagram buffer, address object or send request) or through Node's dgram where
// the addon is not in use. Either way the socket is bound to a port the kernel picks at random
// and connected to the upstream: the kernel then takes datagrams from that address and port only,
// and hands over its ICMP errors (ECONNREFUSED when nothing listens there), so a dead upstream is
// given up at once rather than at the timeout. A socket never keeps the process alive alone.
import dgram from 'node:dgram';
import { constants } from 'node:os';
import type { Netio } from '../../native/netio.ts';
import { sameAddress, type Target } from './target.ts';

export interface UpstreamSocketEvents {
  /**
   * A datagram from the upstream's address and port. `data` is valid during the call only (netio
   * reuses its buffer once the batch is handled): copy what is kept. Everything that follows from
   * an answer (inspection, cache, reply) happens within this call.
   */
  message(data: Uint8Array): void;
  /** The socket failed (a send or an ICMP error): every try on it is lost. */
  error(error: NodeJS.ErrnoException): void;
  /** connect() has finished: queries may be sent. */
  ready(): void;
}

export interface UpstreamSocket {
  /** False until `ready` (dgram connects asynchronously; netio at once). */
  readonly connected: boolean;
  send(query: Uint8Array): void;
  close(): void;
}

export type OpenUpstreamSocket = (target: Target, events: UpstreamSocketEvents) => UpstreamSocket;

/** Through Node's dgram. */
export function openDgramSocket(target: Target, events: UpstreamSocketEvents): UpstreamSocket {
  const socket = dgram.createSocket(target.family === 6 ? 'udp6' : 'udp4');
  socket.unref();
  const onSent = (error: Error | null): void => {
    if (error) events.error(error);
  };
  const io = {
    connected: false,
    send: (query: Uint8Array): void => {
      socket.send(query, onSent);
    },
    close: (): void => {
      try {
        socket.close();
      } catch {
        // already closed
      }
    },
  };
  socket.on('error', (error: NodeJS.ErrnoException) => events.error(error));
  socket.on('message', (data: Buffer, rinfo: dgram.RemoteInfo) => {
    // The kernel already drops other sources on a connected socket; this is the second lock.
    if (rinfo.port === target.port && (rinfo.address === target.address || sameAddress(rinfo.address, target))) events.message(data);
  });
  socket.connect(target.port, target.address, () => {
    io.connected = true;
    events.ready();
  });
  return io;
}

/** Answers a batch holds at most: an upstream socket carries few questions at a time. */
const UPSTREAM_SLOTS = 4;

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** The int32 that reads an IPv4 address's network-order bytes on this (little-endian) machine. */
function networkOrderInt32(address: number): number {
  return ((address >>> 24) & 0xff) | (((address >>> 16) & 0xff) << 8) | (((address >>> 8) & 0xff) << 16) | ((address & 0xff) << 24);
}

function errnoError(errno: number, what: string): NodeJS.ErrnoException {
  const code = ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
  const error: NodeJS.ErrnoException = new Error(`${what} ${code}`);
  error.code = code;
  error.errno = -errno;
  return error;
}

/** Through the netio addon; throws (with the errno's code) when the socket cannot be opened or connected. */
export function netioSocketOpener(netio: Netio): OpenUpstreamSocket {
  const metaInts = netio.META / 4;
  const textAt = netio.TEXT_AT;
  return (target, events) => {
    let open = true;
    // Assigned once opened; onBatch is only ever called later, from the event loop.
    let input: Uint8Array;
    let meta: Int32Array;
    let metaBytes: Buffer;
    const v4 = target.family === 4 ? networkOrderInt32(Number(target.value)) : 0;
    // The kernel already drops other sources on a connected socket; this is the second lock.
    const fromTarget = (m: number): boolean => meta[m + 2] === target.port && (target.family === 4
      ? meta[m + 3] === 4 && meta[m + 4] === v4
      : meta[m + 3] === 6 && sameAddress(metaBytes.toString('latin1', m * 4 + textAt, m * 4 + textAt + meta[m + 5]!), target));
    const onBatch = (count: number): void => {
      if (count < 0) {
        events.error(errnoError(-count, 'recv'));
        return;
      }
      for (let i = 0; i < count && open; i++) {
        const m = i * metaInts;
        // Longer than a slot: no answer to our query is (we advertise a smaller EDNS payload).
        if (meta[m + 1] !== 0 || !fromTarget(m)) continue;
        const start = i * netio.SLOT;
        events.message(input.subarray(start, start + meta[m]!));
      }
    };
    const udp = netio.openUdp(target.family, target.family === 6 ? '::' : '0.0.0.0', 0, false, 0, onBatch, UPSTREAM_SLOTS);
    input = new Uint8Array(udp.input);
    meta = new Int32Array(udp.inputMeta);
    metaBytes = Buffer.from(udp.inputMeta);
    const socket = udp.socket;
    try {
      netio.unrefUdp(socket);
      netio.connectUdp(socket, target.address, target.port);
    } catch (error) {
      netio.closeUdp(socket);
      throw error;
    }
    const output = new Uint8Array(udp.output);
    const outputMeta = new Int32Array(udp.outputMeta);
    return {
      connected: true,
      send(query: Uint8Array): void {
        if (!open) return;
        if (query.length > output.length) {
          queueMicrotask(() => events.error(errnoError(constants.errno.EMSGSIZE, 'send')));
          return;
        }
        output.set(query, 0);
        // Length, offset, port, address length 0: to the connected address.
        outputMeta[0] = query.length;
        outputMeta[1] = 0;
        outputMeta[2] = 0;
        outputMeta[3] = 0;
        const sent = netio.sendBatch(socket, 1);
        // A refusal (a pending ICMP error) is told as dgram tells it: after the send call returned.
        // A full send buffer (0 sent) loses the query as a dropped datagram would: the try times out.
        if (sent < 0) queueMicrotask(() => events.error(errnoError(-sent, 'send')));
      },
      close(): void {
        if (!open) return;
        open = false;
        netio.closeUdp(socket);
      },
    };
  };
}
