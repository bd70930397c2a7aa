// The sockets: a UDP and a TCP listener for every configured endpoint. UDP hands each datagram to
// the handler; TCP reads 2-byte length frames, answers pipelined queries as they complete (in any
// order), and protects itself with an idle timeout, a connection cap and a per-connection cap
// on questions in flight (reading pauses while a connection is at its cap).
import dgram from 'node:dgram';
import net, { isIP } from 'node:net';
import type { Endpoint } from '../../config/schema.ts';
import type { Logger } from '../../log.ts';
import type { Netio } from '../../native/netio.ts';
import type { RequestContext, Responder } from '../query/context.ts';
import type { DnsCounters } from '../events/event-buffer.ts';
import type { QueryHandler } from '../query/handler.ts';
import { BatchedUdpListener } from './udp-batched.ts';
import { HEADER_LENGTH } from '../wire/constants.ts';

export interface TcpLimits {
  maxConnections: number;
  maxInFlightPerConnection: number;
  idleMs: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = { maxConnections: 256, maxInFlightPerConnection: 32, idleMs: 10_000 };

export interface Listening {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
}

export interface DnsServerOptions {
  endpoints: readonly Endpoint[];
  handler: QueryHandler;
  counters: DnsCounters;
  logger: Logger;
  tcp?: Partial<TcpLimits>;
  /**
   * Bytes asked for each UDP listener's receive and send buffers (default 8 MiB). A burst that
   * arrives while the event loop is busy (a GC pause, a list reload) waits here instead of being
   * dropped by the kernel. Linux caps the size at net.core.rmem_max / wmem_max.
   */
  udpBufferBytes?: number;
  /**
   * Binds UDP with SO_REUSEPORT, so other threads can bind the same port and the kernel spreads
   * datagrams across them by flow hash (dns.threads > 1).
   */
  reusePort?: boolean;
  /** No TCP listeners: a DNS worker thread, whose TCP stays with the main thread. */
  udpOnly?: boolean;
  /** UDP through the netio addon (recvmmsg/sendmmsg); absent: Node's dgram. */
  netio?: Netio;
}

export const DEFAULT_UDP_BUFFER_BYTES = 8 * 1024 * 1024;

/** The buffer sizes a UDP listener got (as the kernel reports them: Linux doubles the request). */
export interface UdpBuffers {
  address: string;
  port: number;
  requested: number;
  receive: number;
  send: number;
}

const isV6 = (address: string): boolean => address.includes(':');

class UdpListener implements Responder {
  readonly socket: dgram.Socket;
  #open = true;

  constructor(socket: dgram.Socket) {
    this.socket = socket;
  }

  respond(ctx: RequestContext): void {
    if (ctx.reply === undefined || !this.#open) return;
    // Without a callback Node drops a failed send (a full buffer) silently; the client asks again.
    // A copy: dgram may keep the buffer until it is sent, and a forwarded reply can be a view of
    // an upstream socket's receive buffer that is reused once this returns (upstream/socket.ts).
    this.socket.send(Buffer.from(ctx.reply), ctx.sourcePort, ctx.source);
  }

  close(): Promise<void> {
    if (!this.#open) return Promise.resolve();
    this.#open = false;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

class TcpConnection implements Responder {
  readonly #socket: net.Socket;
  readonly #server: DnsServer;
  readonly #address: string;
  readonly #port: number;
  #buffer: Buffer = Buffer.alloc(0);
  #inFlight = 0;
  #paused = false;
  #ended = false;
  #closed = false;

  constructor(socket: net.Socket, server: DnsServer) {
    this.#socket = socket;
    this.#server = server;
    this.#address = socket.remoteAddress ?? '';
    this.#port = socket.remotePort ?? 0;
    socket.setNoDelay(true);
    socket.setTimeout(server.tcpLimits.idleMs);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => {
      this.#ended = true;
      this.#maybeEnd();
    });
    socket.on('timeout', () => {
      // Idle means nothing in flight either: a slow upstream must not cost the client its answer.
      if (this.#inFlight === 0) socket.destroy();
      else socket.setTimeout(server.tcpLimits.idleMs);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#closed = true;
      server.connectionClosed(this);
    });
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    try {
      this.#readFrames(chunk);
    } catch (error) {
      // The handler guards itself; this is for a bug in the framing, and costs one connection.
      this.#server.counters.handlerErrors++;
      this.#server.logError(error);
      this.#socket.destroy();
    }
  }

  #readFrames(chunk: Buffer): void {
    let buf = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const limits = this.#server.tcpLimits;
    while (buf.length >= 2 && !this.#closed) {
      const length = buf.readUInt16BE(0);
      if (length < HEADER_LENGTH) {
        // Framing is lost once a frame is nonsense: close this connection, nothing else.
        this.#server.counters.tcpMalformed++;
        this.#socket.destroy();
        return;
      }
      if (buf.length < 2 + length) break;
      const frame = buf.subarray(2, 2 + length);
      buf = buf.subarray(2 + length);
      this.#inFlight++;
      this.#server.handler.handle(frame, this.#address, this.#port, 'tcp', this);
      if (this.#inFlight >= limits.maxInFlightPerConnection && !this.#paused) {
        this.#paused = true;
        this.#socket.pause();
      }
    }
    this.#buffer = buf;
  }

  respond(ctx: RequestContext): void {
    this.#inFlight--;
    const reply = ctx.reply;
    if (reply !== undefined && !this.#closed && this.#socket.writable) {
      const framed = Buffer.allocUnsafe(reply.length + 2);
      framed.writeUInt16BE(reply.length, 0);
      framed.set(reply, 2);
      this.#socket.write(framed);
    }
    if (this.#paused && this.#inFlight < this.#server.tcpLimits.maxInFlightPerConnection && !this.#closed) {
      this.#paused = false;
      this.#socket.resume();
    }
    this.#maybeEnd();
  }

  #maybeEnd(): void {
    if (this.#ended && this.#inFlight === 0 && !this.#closed) this.#socket.end();
  }
}

export class DnsServer {
  readonly handler: QueryHandler;
  readonly counters: DnsCounters;
  readonly tcpLimits: TcpLimits;
  readonly #endpoints: readonly Endpoint[];
  readonly #logger: Logger;
  readonly #udp: Array<{ close(): Promise<void> }> = [];
  readonly #tcp: net.Server[] = [];
  readonly #connections = new Set<TcpConnection>();
  readonly #udpBufferBytes: number;
  readonly #reusePort: boolean;
  readonly #udpOnly: boolean;
  readonly #netio: Netio | undefined;
  #listening: Listening[] = [];
  #udpBuffers: UdpBuffers[] = [];

  constructor(options: DnsServerOptions) {
    this.#endpoints = options.endpoints;
    this.handler = options.handler;
    this.counters = options.counters;
    this.#logger = options.logger;
    this.tcpLimits = { ...DEFAULT_TCP_LIMITS, ...options.tcp };
    this.#udpBufferBytes = options.udpBufferBytes ?? DEFAULT_UDP_BUFFER_BYTES;
    this.#reusePort = options.reusePort === true;
    this.#udpOnly = options.udpOnly === true;
    this.#netio = options.netio;
  }

  /** Binds every endpoint (UDP, then TCP on the same port); on any failure closes what it bound. */
  async start(): Promise<void> {
    try {
      for (const endpoint of this.#endpoints) await this.#bindEndpoint(endpoint);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async #bindEndpoint(endpoint: Endpoint): Promise<void> {
    // Port 0 asks for any free port: the kernel picks one free for UDP, which a TCP socket (another
    // process's connection) may hold; then UDP goes back and both try a new one.
    for (let attempt = 1; ; attempt++) {
      const port = await this.#bindUdp(endpoint);
      if (this.#udpOnly) return;
      try {
        await this.#bindTcp(endpoint, port);
        return;
      } catch (error) {
        const inUse = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
        if (endpoint.port !== 0 || !inUse || attempt >= 5) throw error;
        await this.#udp.pop()!.close();
        this.#listening = this.#listening.filter((l) => !(l.transport === 'udp' && l.address === endpoint.address && l.port === port));
        this.#udpBuffers = this.#udpBuffers.filter((b) => !(b.address === endpoint.address && b.port === port));
      }
    }
  }

  async stop(): Promise<void> {
    const closing: Promise<void>[] = this.#udp.map((l) => l.close());
    for (const server of this.#tcp) closing.push(new Promise((resolve) => server.close(() => resolve())));
    for (const connection of this.#connections) connection.destroy();
    this.#udp.length = 0;
    this.#tcp.length = 0;
    this.#listening = [];
    this.#udpBuffers = [];
    await Promise.all(closing);
  }

  listening(): Listening[] {
    return this.#listening.map((l) => ({ ...l }));
  }

  /** The socket buffer sizes each UDP listener got. */
  udpBuffers(): UdpBuffers[] {
    return this.#udpBuffers.map((b) => ({ ...b }));
  }

  logError(error: unknown): void {
    this.#logger.error({ err: error }, 'DNS TCP connection error');
  }

  connectionClosed(connection: TcpConnection): void {
    this.#connections.delete(connection);
  }

  #bindUdp(endpoint: Endpoint): Promise<number> {
    if (this.#netio !== undefined) return Promise.resolve(this.#bindBatched(endpoint, this.#netio));
    const socket = dgram.createSocket({
      type: isV6(endpoint.address) ? 'udp6' : 'udp4', ipv6Only: isV6(endpoint.address), reusePort: this.#reusePort, lookup: literalOnly,
    });
    const listener = new UdpListener(socket);
    return new Promise<number>((resolve, reject) => {
      socket.once('error', (error) => {
        socket.close();
        reject(bindError('UDP', endpoint, error));
      });
      socket.bind({ address: endpoint.address, port: endpoint.port, exclusive: true }, () => {
        socket.removeAllListeners('error');
        socket.on('error', (error) => this.#logger.debug({ err: error }, 'DNS UDP socket error'));
        socket.on('message', (msg, rinfo) => this.handler.handle(msg, rinfo.address, rinfo.port, 'udp', listener));
        this.#udp.push(listener);
        const port = socket.address().port;
        this.#listening.push({ transport: 'udp', address: endpoint.address, port });
        this.#sizeBuffers(socket, endpoint.address, port);
        resolve(port);
      });
    });
  }

  #bindBatched(endpoint: Endpoint, netio: Netio): number {
    let listener: BatchedUdpListener;
    try {
      listener = new BatchedUdpListener({
        netio, address: endpoint.address, port: endpoint.port, reusePort: this.#reusePort, bufferBytes: this.#udpBufferBytes,
        handler: this.handler, counters: this.counters, logger: this.#logger,
      });
    } catch (error) {
      throw bindError('UDP', endpoint, error as NodeJS.ErrnoException);
    }
    this.#udp.push(listener);
    this.#listening.push({ transport: 'udp', address: endpoint.address, port: listener.port });
    const [receive, send] = listener.bufferSizes();
    this.#recordBuffers(endpoint.address, listener.port, receive, send);
    return listener.port;
  }

  /** Asks for large buffers (best effort: a refusal costs nothing but bursts) and logs what it got. */
  #sizeBuffers(socket: dgram.Socket, address: string, port: number): void {
    const requested = this.#udpBufferBytes;
    let receive = 0;
    let send = 0;
    try {
      socket.setRecvBufferSize(requested);
      socket.setSendBufferSize(requested);
    } catch (error) {
      this.#logger.warn({ err: error, requested }, 'DNS cannot size its UDP socket buffers');
    }
    try {
      receive = socket.getRecvBufferSize();
      send = socket.getSendBufferSize();
    } catch {
      // reported as 0: unknown
    }
    this.#recordBuffers(address, port, receive, send);
  }

  #recordBuffers(address: string, port: number, receive: number, send: number): void {
    const requested = this.#udpBufferBytes;
    this.#udpBuffers.push({ address, port, requested, receive, send });
    // Linux reports twice the size it granted (the other half is its bookkeeping).
    const capped = receive > 0 && receive < requested * 2;
    const fields = { address, port, requestedBytes: requested, receiveBytes: receive, sendBytes: send };
    if (capped) {
      this.#logger.info({ ...fields, hint: `raise net.core.rmem_max (and wmem_max) to at least ${requested} for the full buffer` }, 'DNS UDP buffers capped by the kernel');
    } else {
      this.#logger.info(fields, 'DNS UDP buffers');
    }
  }

  #bindTcp(endpoint: Endpoint, port: number): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.#accept(socket));
    server.maxConnections = this.tcpLimits.maxConnections;
    return new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(bindError('TCP', { address: endpoint.address, port }, error)));
      server.listen({ host: endpoint.address, port, ipv6Only: isV6(endpoint.address), exclusive: true }, () => {
        server.removeAllListeners('error');
        server.on('error', (error) => this.#logger.warn({ err: error }, 'DNS TCP listener error'));
        this.#tcp.push(server);
        this.#listening.push({ transport: 'tcp', address: endpoint.address, port });
        resolve();
      });
    });
  }

  #accept(socket: net.Socket): void {
    try {
      this.counters.tcpConnections++;
      this.#connections.add(new TcpConnection(socket, this));
    } catch (error) {
      this.counters.handlerErrors++;
      this.#logger.error({ err: error }, 'DNS TCP accept failed');
      socket.destroy();
    }
  }
}

/**
 * The listeners only ever answer the address a datagram came from, always a literal. Node's
 * default lookup would defer every reply to the next tick to "resolve" it (measured: ~0.2 µs of
 * CPU per answer); this answers at once and refuses anything that is not a literal.
 */
function literalOnly(address: string, family: unknown, callback: (error: Error | null, address: string, family: number) => void): void {
  const kind = isIP(address);
  if (kind === 0) callback(new Error(`DNS replies go to literal addresses only, not "${address}"`), address, 0);
  else callback(null, address, kind);
}

function bindError(transport: string, endpoint: Endpoint, error: NodeJS.ErrnoException): Error {
  const where = `${transport} ${isV6(endpoint.address) ? `[${endpoint.address}]` : endpoint.address}:${endpoint.port}`;
  const why: Record<string, string> = {
    EADDRINUSE: 'the address is already in use (is another DNS server such as dnsmasq or systemd-resolved running?)',
    EACCES: 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)',
    EADDRNOTAVAIL: 'no interface on this machine has that address',
  };
  return new Error(`DNS cannot listen on ${where}: ${why[error.code ?? ''] ?? error.message}`, { cause: error });
}
