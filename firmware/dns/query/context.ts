// One question on its way through the pipeline: what was asked, by whom, over what, and (once a
// stage decides) the verdict and the reply bytes. Stages read and write this object only.
import type { ClientInfo } from '../../clients/directory.ts';
import type { Transport, Verdict } from '../events/event-buffer.ts';
import { writeReply, type SynthRecord } from '../wire/replies.ts';
import type { StageResult } from './stage.ts';
import { ParsedQuery } from '../wire/question-reader.ts';

/** Where a finished context goes: the UDP listener or the TCP connection it came from. */
export interface Responder {
  /** Called exactly once per context; `ctx.reply` undefined means "drop, send nothing". */
  respond(ctx: RequestContext): void;
}

/** Where a question that waited goes on (the pipeline that started it: a reload may have swapped in another). */
export interface Resumable {
  resume(ctx: RequestContext, result: StageResult): void;
}

/** What the handler is told about a question that waited, once the pipeline is done with it. */
export interface WaitHooks {
  answered(ctx: RequestContext): void;
  failed(ctx: RequestContext, error: unknown): void;
}

const EMPTY = new Uint8Array(0);

export class RequestContext {
  readonly query = new ParsedQuery();
  /** The request exactly as received. */
  packet: Uint8Array = EMPTY;
  source = '';
  sourcePort = 0;
  transport: Transport = 'udp';
  client: ClientInfo | undefined = undefined;
  /** Wall clock at arrival (ms since the epoch), for the event. */
  at = 0;
  /** Monotonic clock at arrival (ms), for latency. */
  started = 0;
  responder: Responder | undefined = undefined;
  /** Set by whoever runs the pipeline, for a question that has to wait. */
  hooks: WaitHooks | undefined = undefined;
  /** While a stage waits: the pipeline and the stage's index. */
  waitingIn: Resumable | undefined = undefined;
  waitingAt = -1;

  verdict: Verdict = 'servfail';
  rcode = 0;
  /** The reply to send; undefined until a stage answers (or for a drop). */
  reply: Uint8Array | undefined = undefined;
  upstream: string | undefined = undefined;
  /** The category that blocked the name, or the watched category of an allowed visit. */
  category: string | undefined = undefined;
  /** The list (or exception id) whose entry decided. */
  list: string | undefined = undefined;
  /** Allowed, but the visit is an alert for the weekly review. */
  watch = false;
  /** A restricted (illegal-content) list matched: the name is never logged, only "restricted". */
  redact = false;
  /** The safe-search host this name is answered as (a CNAME to it), when the policy asks. */
  rewrite: string | undefined = undefined;

  /** For the stage that returned WAIT: once, with what it would have returned. */
  resume(result: StageResult): void {
    const pipeline = this.waitingIn;
    if (pipeline === undefined) throw new Error('resume() without a waiting stage');
    this.waitingIn = undefined;
    pipeline.resume(this, result);
  }

  /** For the stage that returned WAIT, when its wait ended in a bug: the handler answers SERVFAIL. */
  fail(error: unknown): void {
    this.waitingIn = undefined;
    this.hooks?.failed(this, error);
  }

  /**
   * Makes the context as good as new, for reuse by the handler once its reply was handed to the
   * responder. (`query` is reset by the reader.)
   */
  reset(): void {
    this.waitingIn = undefined;
    this.waitingAt = -1;
    this.packet = EMPTY;
    this.source = '';
    this.sourcePort = 0;
    this.transport = 'udp';
    this.client = undefined;
    this.at = 0;
    this.started = 0;
    this.responder = undefined;
    this.verdict = 'servfail';
    this.rcode = 0;
    this.reply = undefined;
    this.upstream = undefined;
    this.category = undefined;
    this.list = undefined;
    this.watch = false;
    this.redact = false;
    this.rewrite = undefined;
  }
}

/** Answers `ctx` with a synthesised reply (question and EDNS echoed). */
export function answer(ctx: RequestContext, verdict: Verdict, rcode: number, records?: readonly SynthRecord[]): void {
  ctx.verdict = verdict;
  ctx.rcode = rcode;
  ctx.reply = writeReply(ctx.packet, ctx.query, rcode, records);
}
