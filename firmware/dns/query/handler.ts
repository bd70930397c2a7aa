// One packet in, one reply (or a deliberate drop) out, through the current directory and
// pipeline. Everything a packet can trigger runs inside a guard here: a bug becomes SERVFAIL, a
// counted error and a (rate-limited) log line, never an exception that reaches the socket's
// event loop and takes the daemon down.
import type { ClientDirectory } from '../../clients/directory.ts';
import type { Logger } from '../../log.ts';
import { copyBytes } from '../wire/bytes.ts';
import { answer, RequestContext, type Responder, type WaitHooks } from './context.ts';
import { countDecision, emptyEventFields, type DnsCounters, type EventBuffer, type Transport } from '../events/event-buffer.ts';
import { LogThrottle } from './log-throttle.ts';
import type { Pipeline } from '../pipeline.ts';
import { fitForUdp } from '../wire/replies.ts';
import { ReadOutcome, readQuery } from '../wire/question-reader.ts';
import { Rcode } from '../wire/constants.ts';

/** What a reload swaps, as one reference, so a question sees either the old or the new whole. */
export interface HandlerRuntime {
  readonly directory: ClientDirectory;
  readonly pipeline: Pipeline;
}

export interface QueryHandlerOptions {
  runtime: HandlerRuntime;
  events: EventBuffer;
  counters: DnsCounters;
  logger: Logger;
  /** Wall clock, ms since the epoch (event timestamps). */
  now: () => number;
  /** Monotonic ms (latency). */
  monotonic: () => number;
}

/** Contexts kept for reuse; past this, finished ones are left to the garbage collector. */
const MAX_POOLED_CONTEXTS = 4096;

/** A pooled context: reused question after question, with the buffer it copies questions into. */
class PooledContext extends RequestContext {
  /** True from `handle` until the responder has been called. */
  active = false;
  /** Where handleCopy puts the question; grown for a longer one. */
  own: Uint8Array = new Uint8Array(OWN_PACKET_BYTES);
}

/** Room for the packet a pooled context copies in (typical questions are under 100 bytes). */
const OWN_PACKET_BYTES = 256;
/** What the query log records instead of a name a restricted list matched. */
export const RESTRICTED_NAME = '(restricted)';

export class QueryHandler {
  #runtime: HandlerRuntime;
  readonly #events: EventBuffer;
  readonly #counters: DnsCounters;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #monotonic: () => number;
  readonly #errorLog = new LogThrottle();
  /** Filled for each finished question and copied by the event buffer at once: no object per question. */
  readonly #event = emptyEventFields();
  /** How a question that waited for an upstream comes back (one object for every context). */
  readonly #hooks: WaitHooks = {
    answered: (ctx) => this.#finish(ctx as PooledContext),
    failed: (ctx, error) => this.#failed(ctx as PooledContext, error),
  };
  // Contexts live from arrival until the responder is called (after an async answer, too); then
  // they come back here. A question thus allocates no context, query or closure of its own.
  readonly #pool: PooledContext[] = [];

  constructor(options: QueryHandlerOptions) {
    this.#events = options.events;
    this.#counters = options.counters;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#monotonic = options.monotonic;
    this.#runtime = options.runtime;
  }

  get runtime(): HandlerRuntime {
    return this.#runtime;
  }

  /** Swapped as one reference on reload. */
  set runtime(runtime: HandlerRuntime) {
    this.#runtime = runtime;
  }

  /** Contexts waiting for reuse (for tests and diagnostics). */
  get pooledContexts(): number {
    return this.#pool.length;
  }

  /** Handles one query; `responder.respond` is called exactly once, now or when the answer is ready. */
  handle(packet: Uint8Array, source: string, sourcePort: number, transport: Transport, responder: Responder): void {
    this.#start(this.#pool.pop() ?? this.#newContext(), packet, source, sourcePort, transport, responder);
  }

  /**
   * As handle, for `length` bytes at `start` of a buffer its owner reuses as soon as this returns
   * (the batched listener's receive slots): they are copied into the context's own memory, which
   * it keeps until the question is answered, instead of into a new buffer per question.
   */
  handleCopy(input: Uint8Array, start: number, length: number, source: string, sourcePort: number, transport: Transport, responder: Responder): void {
    const ctx = this.#pool.pop() ?? this.#newContext();
    let own = ctx.own;
    if (own.length < length) own = ctx.own = new Uint8Array(length);
    copyBytes(own, 0, input, start, start + length);
    this.#start(ctx, own.subarray(0, length), source, sourcePort, transport, responder);
  }

  #start(ctx: PooledContext, packet: Uint8Array, source: string, sourcePort: number, transport: Transport, responder: Responder): void {
    ctx.active = true;
    ctx.packet = packet;
    ctx.source = source;
    ctx.sourcePort = sourcePort;
    ctx.transport = transport;
    ctx.responder = responder;
    try {
      ctx.at = this.#now();
      ctx.started = this.#monotonic();
      const runtime = this.#runtime;
      const outcome = readQuery(packet, ctx.query);
      if (outcome === ReadOutcome.drop) {
        this.#counters.dropped++;
        this.#deliver(ctx);
        return;
      }
      ctx.client = runtime.directory.lookup(source);
      if (outcome !== ReadOutcome.ok) {
        if (outcome === ReadOutcome.formErr) answer(ctx, 'formerr', Rcode.FORMERR);
        else if (outcome === ReadOutcome.notImp) answer(ctx, 'notimp', Rcode.NOTIMP);
        else answer(ctx, 'badvers', Rcode.BADVERS);
        this.#finish(ctx);
        return;
      }
      // Answered now, or later through this.#hooks.
      if (runtime.pipeline.run(ctx)) this.#finish(ctx);
    } catch (error) {
      this.#failed(ctx, error);
    }
  }

  #newContext(): PooledContext {
    const ctx = new PooledContext();
    ctx.hooks = this.#hooks;
    return ctx;
  }

  #failed(ctx: PooledContext, error: unknown): void {
    this.#counters.handlerErrors++;
    this.#logError(error, ctx);
    try {
      answer(ctx, 'servfail', Rcode.SERVFAIL);
    } catch {
      ctx.reply = undefined;
      ctx.verdict = 'servfail';
      ctx.rcode = Rcode.SERVFAIL;
    }
    this.#finish(ctx);
  }

  #finish(ctx: PooledContext): void {
    try {
      if (ctx.reply !== undefined && ctx.transport === 'udp') ctx.reply = fitForUdp(ctx.reply, ctx.packet, ctx.query);
      const client = ctx.client;
      const network = client ? client.network.id : null;
      countDecision(this.#counters, ctx.verdict, network);
      const latency = this.#monotonic() - ctx.started;
      const e = this.#event;
      e.at = ctx.at;
      e.network = network;
      e.client = ctx.source;
      e.device = client?.device ? client.device.id : undefined;
      e.transport = ctx.transport;
      e.name = ctx.redact ? RESTRICTED_NAME : ctx.query.name;
      e.qtype = ctx.query.qtype;
      e.verdict = ctx.verdict;
      e.rcode = ctx.rcode;
      e.upstream = ctx.upstream;
      e.category = ctx.category;
      e.list = ctx.list;
      e.watch = ctx.watch;
      e.latencyMs = latency > 0 ? latency : 0;
      this.#events.record(e);
    } catch (error) {
      this.#counters.handlerErrors++;
      this.#logError(error, ctx);
    }
    this.#deliver(ctx);
  }

  #deliver(ctx: PooledContext): void {
    // Once only: a context is reused as soon as its responder has seen it.
    if (!ctx.active) return;
    try {
      ctx.responder?.respond(ctx);
    } catch (error) {
      this.#counters.handlerErrors++;
      this.#logError(error, ctx);
    }
    ctx.active = false;
    ctx.reset();
    if (this.#pool.length < MAX_POOLED_CONTEXTS) this.#pool.push(ctx);
  }

  /** At most one line a second: a bug hit by every question must not flood the journal. */
  #logError(error: unknown, ctx: RequestContext): void {
    let t: number;
    try {
      t = this.#monotonic();
    } catch {
      t = Date.now();
    }
    const suppressed = this.#errorLog.take(t);
    if (suppressed === undefined) return;
    try {
      this.#logger.error({ err: error, client: ctx.source, name: ctx.query.name, suppressed }, 'DNS handler error answered SERVFAIL');
    } catch {
      // the logger itself failed; the counter still records the error
    }
  }
}
