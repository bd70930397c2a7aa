// One packet in, one reply (or a deliberate drop) out, through the current directory and
// pipeline. Everything a packet can trigger runs inside a guard here: a bug becomes SERVFAIL, a
// counted error and a (rate-limited) log line, never an exception that reaches the socket's
// event loop and takes the daemon down.
import type { ClientDirectory } from '../clients/directory.ts';
import type { Logger } from '../log.ts';
import { answer, RequestContext, type Responder } from './context.ts';
import { countDecision, type DnsCounters, type EventBuffer, type QueryEvent, type Transport, type Verdict } from './events.ts';
import type { Pipeline } from './pipeline.ts';
import { fitForUdp } from './reply.ts';
import { Rcode, ReadOutcome, readQuery } from './wire.ts';

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

const ERROR_LOG_INTERVAL_MS = 1000;
/** What the query log records instead of a name a restricted list matched. */
export const RESTRICTED_NAME = '(restricted)';

export class QueryHandler {
  runtime: HandlerRuntime;
  readonly #events: EventBuffer;
  readonly #counters: DnsCounters;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #monotonic: () => number;
  #lastErrorLog = Number.NEGATIVE_INFINITY;
  #unloggedErrors = 0;
  readonly #finishAsync = (ctx: RequestContext): void => this.#finish(ctx);

  constructor(options: QueryHandlerOptions) {
    this.runtime = options.runtime;
    this.#events = options.events;
    this.#counters = options.counters;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#monotonic = options.monotonic;
  }

  /** Handles one query; `responder.respond` is called exactly once, now or when the answer is ready. */
  handle(packet: Uint8Array, source: string, sourcePort: number, transport: Transport, responder: Responder): void {
    const ctx = new RequestContext();
    ctx.packet = packet;
    ctx.source = source;
    ctx.sourcePort = sourcePort;
    ctx.transport = transport;
    ctx.responder = responder;
    try {
      ctx.at = this.#now();
      ctx.started = this.#monotonic();
      const runtime = this.runtime;
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
      const pending = runtime.pipeline.run(ctx);
      if (pending === undefined) {
        this.#finish(ctx);
        return;
      }
      pending.then(this.#finishAsync, (error: unknown) => this.#failed(ctx, error));
    } catch (error) {
      this.#failed(ctx, error);
    }
  }

  #failed(ctx: RequestContext, error: unknown): void {
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

  #finish(ctx: RequestContext): void {
    try {
      if (ctx.reply !== undefined && ctx.transport === 'udp') ctx.reply = fitForUdp(ctx.reply, ctx.packet, ctx.query);
      const network = ctx.client ? ctx.client.network.id : null;
      countDecision(this.#counters, ctx.verdict, network);
      this.#events.push(this.#event(ctx, ctx.verdict, network));
    } catch (error) {
      this.#counters.handlerErrors++;
      this.#logError(error, ctx);
    }
    this.#deliver(ctx);
  }

  #event(ctx: RequestContext, verdict: Verdict, network: string | null): QueryEvent {
    const latency = this.#monotonic() - ctx.started;
    const event: QueryEvent = {
      at: ctx.at,
      network,
      client: ctx.source,
      transport: ctx.transport,
      name: ctx.redact ? RESTRICTED_NAME : ctx.query.name,
      qtype: ctx.query.qtype,
      verdict,
      rcode: ctx.rcode,
      latencyMs: latency > 0 ? latency : 0,
    };
    if (ctx.upstream !== undefined) event.upstream = ctx.upstream;
    if (ctx.category !== undefined) event.category = ctx.category;
    if (ctx.list !== undefined) event.list = ctx.list;
    if (ctx.watch) event.watch = true;
    if (ctx.client?.device) event.device = ctx.client.device.id;
    return event;
  }

  #deliver(ctx: RequestContext): void {
    try {
      ctx.responder?.respond(ctx);
    } catch (error) {
      this.#counters.handlerErrors++;
      this.#logError(error, ctx);
    }
  }

  /** At most one line a second: a bug hit by every question must not flood the journal. */
  #logError(error: unknown, ctx: RequestContext): void {
    let t: number;
    try {
      t = this.#monotonic();
    } catch {
      t = Date.now();
    }
    if (t - this.#lastErrorLog < ERROR_LOG_INTERVAL_MS) {
      this.#unloggedErrors++;
      return;
    }
    this.#lastErrorLog = t;
    const suppressed = this.#unloggedErrors;
    this.#unloggedErrors = 0;
    try {
      this.#logger.error({ err: error, client: ctx.source, name: ctx.query.name, suppressed }, 'DNS handler error answered SERVFAIL');
    } catch {
      // the logger itself failed; the counter still records the error
    }
  }
}
