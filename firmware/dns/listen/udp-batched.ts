// A UDP listener on the netio addon: questions arrive in batches (recvmmsg), with one call from C
// per batch, and answers leave in batches (sendmmsg). Node's dgram makes a Buffer, an address
// object and a send request for every datagram, and crosses into JavaScript once per datagram;
// on a busy gateway that was the largest share of a question's CPU (see the README, "Benchmarks").
//
// Answers given while a batch is being handled go out at its end. Answers that come later (after
// an upstream replied) are gathered until the event loop's next idle phase, so the answers from one
// turn of the loop share a sendmmsg too.
import type { Logger } from '../../log.ts';
import type { Netio, NetioSocket } from '../../native/netio.ts';
import type { RequestContext, Responder } from '../query/context.ts';
import type { DnsCounters } from '../events/event-buffer.ts';
import type { QueryHandler } from '../query/handler.ts';
import { LogThrottle } from '../query/log-throttle.ts';

export interface BatchedUdpOptions {
  netio: Netio;
  address: string;
  port: number;
  reusePort: boolean;
  bufferBytes: number;
  handler: QueryHandler;
  counters: DnsCounters;
  logger: Logger;
}

/** Source addresses seen, as the strings the handler takes; cleared when it reaches this size. */
const MAX_CACHED_SOURCES = 16_384;

export class BatchedUdpListener implements Responder {
  readonly port: number;
  readonly #netio: Netio;
  readonly #socket: NetioSocket;
  readonly #handler: QueryHandler;
  readonly #counters: DnsCounters;
  readonly #logger: Logger;
  readonly #input: Uint8Array;
  readonly #inputMeta: Int32Array;
  readonly #inputMetaBytes: Buffer;
  readonly #output: Uint8Array;
  readonly #outputMeta: Int32Array;
  readonly #outputMetaBytes: Uint8Array;
  readonly #slot: number;
  readonly #metaInts: number;
  readonly #textAt: number;
  readonly #textMax: number;
  readonly #batch: number;
  readonly #sources = new Map<number, string>();
  #queued = 0;
  #used = 0;
  #inBatch = false;
  #flushScheduled = false;
  #open = true;
  readonly #errorLog = new LogThrottle();

  /** Binds at once; throws as dgram's bind would (an Error whose `code` is EADDRINUSE, EACCES, ...). */
  constructor(options: BatchedUdpOptions) {
    const n = options.netio;
    this.#netio = n;
    this.#handler = options.handler;
    this.#counters = options.counters;
    this.#logger = options.logger;
    this.#slot = n.SLOT;
    this.#metaInts = n.META / 4;
    this.#textAt = n.TEXT_AT;
    this.#textMax = n.META - n.TEXT_AT - 1;
    this.#batch = n.BATCH;
    const family = options.address.includes(':') ? 6 : 4;
    const opened = n.openUdp(family, options.address, options.port, options.reusePort, options.bufferBytes, this.#onBatch);
    this.#socket = opened.socket;
    this.#input = new Uint8Array(opened.input);
    this.#inputMeta = new Int32Array(opened.inputMeta);
    this.#inputMetaBytes = Buffer.from(opened.inputMeta);
    this.#output = new Uint8Array(opened.output);
    this.#outputMeta = new Int32Array(opened.outputMeta);
    this.#outputMetaBytes = new Uint8Array(opened.outputMeta);
    this.port = n.localPort(this.#socket);
  }

  /** [receive, send] buffer sizes as the kernel reports them. */
  bufferSizes(): [number, number] {
    return this.#netio.bufferSizes(this.#socket);
  }

  respond(ctx: RequestContext): void {
    const reply = ctx.reply;
    if (reply === undefined || !this.#open) return;
    const source = ctx.source;
    if (reply.length > this.#output.length || source.length > this.#textMax) {
      this.#counters.unsent++;
      return;
    }
    if (this.#queued === this.#batch || this.#used + reply.length > this.#output.length) this.#flush();
    const m = this.#queued * this.#metaInts;
    const meta = this.#outputMeta;
    meta[m] = reply.length;
    meta[m + 1] = this.#used;
    meta[m + 2] = ctx.sourcePort;
    meta[m + 3] = source.length;
    const text = this.#outputMetaBytes;
    const at = m * 4 + this.#textAt;
    for (let i = 0; i < source.length; i++) text[at + i] = source.charCodeAt(i);
    this.#output.set(reply, this.#used);
    this.#used += reply.length;
    this.#queued++;
    if (!this.#inBatch && !this.#flushScheduled) {
      // Sent at the loop's next idle phase, with every other answer given until then: netio
      // calls onBatch(0) from an idle handle of its own (no Immediate object per loop turn).
      this.#flushScheduled = true;
      this.#netio.armFlush(this.#socket);
    }
  }

  close(): Promise<void> {
    if (this.#open) {
      this.#open = false;
      this.#netio.closeUdp(this.#socket);
    }
    return Promise.resolve();
  }

  // Called from C with the number of datagrams waiting in the input slots, or with 0 at the idle
  // phase after armFlush. It must not throw: an exception here would reach the process as uncaught.
  readonly #onBatch = (count: number): void => {
    if (count === 0) this.#flushScheduled = false;
    this.#inBatch = true;
    for (let i = 0; i < count; i++) {
      try {
        this.#receive(i);
      } catch (error) {
        this.#counters.handlerErrors++;
        this.#logOnce(error, 'DNS UDP batch: a datagram could not be handed to the handler');
      }
    }
    this.#inBatch = false;
    this.#flushGuarded();
  };

  /** #flush for its one caller, C, which could not handle an exception. */
  #flushGuarded(): void {
    try {
      this.#flush();
    } catch (error) {
      this.#logOnce(error, 'DNS UDP batch: answers could not be sent');
    }
  }

  #receive(i: number): void {
    const meta = this.#inputMeta;
    const m = i * this.#metaInts;
    const length = meta[m]!;
    const family = meta[m + 3]!;
    // Longer than a slot (no question is) or from an address family we do not serve.
    if (meta[m + 1] !== 0 || (family !== 4 && family !== 6)) {
      this.#counters.dropped++;
      return;
    }
    const source = family === 4 ? this.#ipv4(m * 4 + 16) : this.#inputMetaBytes.toString('latin1', m * 4 + this.#textAt, m * 4 + this.#textAt + meta[m + 5]!);
    // Copied by the handler: the context keeps its packet until the answer is sent, and the slot is reused.
    this.#handler.handleCopy(this.#input, i * this.#slot, length, source, meta[m + 2]!, 'udp', this);
  }

  #ipv4(at: number): string {
    const b = this.#inputMetaBytes;
    const key = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
    let text = this.#sources.get(key);
    if (text === undefined) {
      if (this.#sources.size >= MAX_CACHED_SOURCES) this.#sources.clear();
      text = `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
      this.#sources.set(key, text);
    }
    return text;
  }

  #flush(): void {
    const queued = this.#queued;
    if (queued === 0) return;
    this.#queued = 0;
    this.#used = 0;
    if (!this.#open) return;
    // What the kernel did not take (a full send buffer) is lost, as with dgram: the client asks again.
    this.#counters.unsent += queued - this.#netio.sendBatch(this.#socket, queued);
  }

  #logOnce(error: unknown, message: string): void {
    const suppressed = this.#errorLog.take(performance.now());
    if (suppressed === undefined) return;
    try {
      this.#logger.error({ err: error, suppressed }, message);
    } catch {
      // nothing left to tell
    }
  }
}
