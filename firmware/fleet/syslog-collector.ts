// One connection to one collector: the messages queue here (send-queue.ts) and are written in
// order while connected; a connection that fails or breaks is tried again after a growing,
// spread-out pause. Nothing here waits on the collector in the caller's path: send() only
// queues, so DNS and the alert service never wait for a slow or absent collector. A syslog
// receiver never answers, so a message written to the socket counts as sent; one lost with a
// connection that breaks just after is the price of the protocol (RFC 6587 has no acknowledgement).
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Logger } from '../log.ts';
import type { CollectorState, SyslogCollectorStatus } from './fleet-status-schema.ts';
import { reconnectDelayMs, SendQueue } from './send-queue.ts';
import { frame } from './syslog-message.ts';

export interface CollectorTls {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface CollectorOptions {
  host: string;
  port: number;
  transport: 'tcp' | 'tls';
  queueSize: number;
  logger: Logger;
  connectTimeoutMs?: number;
  /** The pause before the first reconnect grows from here (tests shorten it). */
  maxBackoffMs?: number;
  random?: () => number;
  now?: () => Date;
}

export const DEFAULT_QUEUE_SIZE = 2000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export class SyslogConnection {
  readonly name: string;
  readonly #o: CollectorOptions;
  readonly #queue: SendQueue;
  readonly #now: () => Date;
  #tls: CollectorTls | undefined;
  #socket: Socket | undefined;
  #state: CollectorState = 'connecting';
  #connectedSince: Date | null = null;
  #writable = false;
  #sent = 0;
  #failures = 0;
  #failuresInRow = 0;
  #lastError: { message: string; at: Date } | null = null;
  #timer: NodeJS.Timeout | undefined;
  #closing = false;
  /** Resolved whenever the queue empties: close() waits on it to flush. */
  #drained: (() => void)[] = [];

  constructor(options: CollectorOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.name = `${options.transport}://${isIP(options.host) === 6 ? `[${options.host}]` : options.host}:${options.port}`;
    this.#queue = new SendQueue(options.queueSize);
  }

  /** Connects with these TLS settings (none for tcp); messages sent before queue meanwhile. */
  start(tls?: CollectorTls): void {
    this.#tls = tls;
    this.#connect();
  }

  /** The collector's set-up failed (an unreadable CA file): say why, and keep queueing until the configuration changes. */
  fail(reason: string): void {
    this.#state = 'failed';
    this.#error(reason);
  }

  /** Queues one message (unframed); never waits, never throws. */
  send(message: Buffer): void {
    if (this.#closing) return;
    this.#queue.push(frame(message));
    this.#pump();
  }

  status(): SyslogCollectorStatus {
    const { queued, dropped } = this.#queue.counts();
    return {
      collector: this.name,
      state: this.#state,
      connectedSince: this.#connectedSince?.toISOString() ?? null,
      queued, sent: this.#sent, dropped, failures: this.#failures,
      lastError: this.#lastError?.message ?? null,
      lastErrorAt: this.#lastError?.at.toISOString() ?? null,
    };
  }

  /** Resolves once every queued message is written (true) or `waitMs` has passed (false). */
  flushed(waitMs: number): Promise<boolean> {
    if (this.#queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs);
      this.#drained.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Gives the queue up to `flushMs` to reach the collector (a connection still being made may yet
   * carry it: the daemon's stop entry is written just before this), then closes for good.
   */
  async close(flushMs = 2000): Promise<void> {
    if (this.#state === 'connected' || this.#state === 'connecting') await this.flushed(flushMs);
    this.#closing = true;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#state = 'closed';
    if (socket !== undefined && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          socket.destroy();
          resolve();
        }, 1000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.end();
      });
    }
  }

  #connect(): void {
    if (this.#closing) return;
    this.#state = 'connecting';
    const { host, port } = this.#o;
    let socket: Socket;
    if (this.#o.transport === 'tls') {
      const options: ConnectionOptions = {
        host, port,
        // The name the certificate must carry; an IP address is checked against its IP SANs instead.
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...(this.#tls?.ca !== undefined ? { ca: this.#tls.ca } : {}),
        ...(this.#tls?.cert !== undefined ? { cert: this.#tls.cert } : {}),
        ...(this.#tls?.key !== undefined ? { key: this.#tls.key } : {}),
      };
      socket = tlsConnect(options);
      socket.once('secureConnect', () => this.#connected(socket));
    } else {
      socket = netConnect({ host, port });
      socket.once('connect', () => this.#connected(socket));
    }
    this.#socket = socket;
    socket.setTimeout(this.#o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, () => {
      socket.destroy(new Error(`no connection within ${(this.#o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000} s`));
    });
    // A collector says nothing; whatever it does send is read and dropped so it cannot fill a buffer.
    socket.on('data', () => undefined);
    socket.on('drain', () => {
      this.#writable = true;
      this.#pump();
    });
    let failure: string | undefined;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      failure = `${err.message}${err.code !== undefined && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
    });
    socket.on('close', () => this.#lost(socket, failure));
  }

  #connected(socket: Socket): void {
    if (socket !== this.#socket) return;
    socket.setTimeout(0);
    // A collector that vanished (its box powered off) is noticed by keep-alive, not by the next write a day later.
    socket.setKeepAlive(true, 30_000);
    socket.setNoDelay(true);
    this.#state = 'connected';
    this.#connectedSince = this.#now();
    this.#writable = true;
    this.#failuresInRow = 0;
    this.#o.logger.info({ collector: this.name }, 'syslog collector connected');
    this.#pump();
  }

  #pump(): void {
    const socket = this.#socket;
    if (socket === undefined || !this.#writable || this.#state !== 'connected') return;
    for (let message = this.#queue.peek(); message !== undefined; message = this.#queue.peek()) {
      const more = socket.write(message);
      this.#queue.done();
      this.#sent++;
      if (!more) {
        this.#writable = false;
        return;
      }
    }
    for (const resolve of this.#drained.splice(0)) resolve();
  }

  #error(message: string): void {
    this.#lastError = { message, at: this.#now() };
  }

  #lost(socket: Socket, failure: string | undefined): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    this.#writable = false;
    this.#connectedSince = null;
    if (this.#closing) return;
    this.#error(failure ?? (this.#state === 'connected' ? 'the collector closed the connection' : 'the connection closed'));
    this.#failures++;
    this.#failuresInRow++;
    this.#state = 'waiting';
    const delay = reconnectDelayMs(this.#failuresInRow, (this.#o.random ?? Math.random)(), this.#o.maxBackoffMs);
    this.#o.logger.warn({ collector: this.name, reason: this.#lastError?.message, retryInMs: delay }, 'syslog collector unreachable; messages queue until it is back');
    this.#timer = setTimeout(() => this.#connect(), delay);
    this.#timer.unref();
  }
}
