// Forwarding to upstream resolvers over UDP, in order, each try bounded by the configured timeout.
// The order puts failing upstreams last (order.ts). A question whose only timed-out try
// went to an upstream that is not failing gets one more try there: a datagram lost on a school's
// line is not an outage, and a device told SERVFAIL shows an error rather than asking again. A
// try that times out while its upstream answers questions sent after it was lost (`lost`), and
// does not count towards the upstream failing: a burst of drops must not push it to the back.
//
// Sockets: each upstream has a small pool of long-lived UDP sockets, each connected from a port
// the kernel picks at random and replaced on a new port after a while (pool.ts). A try
// goes out on a slot chosen at random from the pool, with a random 16-bit ID from the CSPRNG, so
// an off-path attacker must guess the port among the pool's and the ID.
//
// A try in flight is found by (socket, ID). Only an answer that passes checkUpstreamAnswer (ID,
// QR, opcode, name, type, class) from the upstream's own address and port is believed (the
// kernel already drops datagrams from anyone else on a connected socket); anything else is
// ignored. A truncated answer is asked again over TCP (tcp.ts). What the journal hears
// about each upstream's health is health.ts; the timeouts of tries, tries.ts.
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../log.ts';
import type { Netio } from '../../native/netio.ts';
import type { HealthSettings } from './health.ts';
import { AnswerCheck, buildUpstreamQuery, checkUpstreamAnswer, upstreamRcode } from './upstream-message.ts';
import { TryOrder } from './order.ts';
import { SocketPool, type PoolSocket } from './pool.ts';
import { random16 } from './random.ts';
import { netioSocketOpener } from './socket.ts';
import { targetFor, type Target } from './target.ts';
import { exchangeOverTcp, TCP_CLOSED, type TcpExchange } from './tcp.ts';
import { Pending, TryTimeouts } from './tries.ts';
import { type ParsedQuery } from '../wire/question-reader.ts';
import { HEADER_LENGTH, Rcode } from '../wire/constants.ts';

export interface UpstreamTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

/**
 * Why a try failed. `timeout`: no answer in time, and none to any other question sent since;
 * `lost`: no answer in time, while the upstream answered questions sent after it (a datagram lost
 * on the way, not an outage).
 */
export type FailureReason = 'timeout' | 'lost' | 'unreachable' | 'error' | 'bad-answer' | 'declined' | 'closed' | 'overloaded';

export interface ForwardResult {
  /**
   * The upstream's answer (our ID still in it), or undefined when every upstream failed. It may be
   * a view of the socket's receive buffer: valid until the listener's call returns.
   */
  response: Uint8Array | undefined;
  upstream: string | undefined;
}

export interface ForwarderOptions {
  upstreams: readonly UpstreamTarget[];
  timeoutMs: number;
  /**
   * Most questions forwarded at once (default 4096). Past this, new questions get SERVFAIL at
   * once instead of queueing without bound.
   */
  maxInFlight?: number;
  /** Told about every failed try, for counters and logs. */
  onFailure?: (upstream: UpstreamTarget, reason: FailureReason, error?: Error) => void;
  /** Where "upstream failing" (warn) and "upstream recovered" (info) lines go. */
  logger?: Logger;
  /** Sockets per upstream (default 64). */
  poolSize?: number;
  /** Questions a socket carries before it is replaced by one on a new port (default 1000). */
  socketMaxQueries?: number;
  /** Longest a socket is used before it is replaced by one on a new port (default 30 s). */
  socketMaxAgeMs?: number;
  /** Least time between two health lines about one upstream (default 60 s). */
  healthLogIntervalMs?: number;
  /** Failed tries in a row, with no answer between them, that make an upstream "failing" (default 3). */
  failingAfter?: number;
  /** How often a failing upstream behind answering ones is sent a copy of a question (default 2 s). */
  probeIntervalMs?: number;
  /** Monotonic ms (tests). */
  monotonic?: () => number;
  /** The netio addon, when dns.udpIo uses it: the sockets then receive in batches (socket.ts). */
  netio?: Netio;
}

const NO_ANSWER: ForwardResult = Object.freeze({ response: undefined, upstream: undefined });

/** Who hears how a question asked with Forwarder.ask ended, with the token it was asked with. */
export interface ForwardListener<T> {
  forwarded(token: T, result: ForwardResult): void;
}

/** A probe's answer only tells the upstream's health (#tryEnded); nobody waits for it. */
const PROBE_LISTENER: ForwardListener<unknown> = { forwarded: () => undefined };


const DEFAULT_POOL_SIZE = 64;
const DEFAULT_SOCKET_MAX_QUERIES = 1000;
const DEFAULT_SOCKET_MAX_AGE_MS = 30_000;
const DEFAULT_HEALTH_LOG_INTERVAL_MS = 60_000;
// One lost datagram is not an outage.
const DEFAULT_FAILING_AFTER = 3;
/** Bounded attempts to find an ID not already in flight on the chosen socket. */
const ID_ATTEMPTS = 8;

/** How one try ended (no objects: the hot path passes these as arguments). */
const TryEnd = { answer: 0, failed: 1 } as const;
type TryEnd = (typeof TryEnd)[keyof typeof TryEnd];

let seqCounter = 0;

export class Forwarder {
  readonly upstreams: readonly UpstreamTarget[];
  readonly timeoutMs: number;
  readonly #targets: Target[];
  readonly #order: TryOrder;
  readonly #onFailure: ForwarderOptions['onFailure'];
  readonly #maxInFlight: number;
  readonly #live = new Set<() => void>();
  readonly #pool: SocketPool;
  readonly #timeouts: TryTimeouts;
  readonly #free: Pending[] = [];
  /** The question ask() is starting, and its result if it ended before ask() returned. */
  #asking: Pending | undefined;
  #immediate: ForwardResult | undefined;
  #forwarding = 0;
  #closed = false;

  constructor(options: ForwarderOptions) {
    this.timeoutMs = options.timeoutMs;
    this.#onFailure = options.onFailure;
    this.#maxInFlight = options.maxInFlight ?? 4096;
    const poolSize = Math.max(1, Math.floor(options.poolSize ?? DEFAULT_POOL_SIZE));
    const monotonic = options.monotonic ?? (() => performance.now());
    const health: HealthSettings = {
      failingAfter: Math.max(1, Math.floor(options.failingAfter ?? DEFAULT_FAILING_AFTER)),
      intervalMs: options.healthLogIntervalMs ?? DEFAULT_HEALTH_LOG_INTERVAL_MS,
      monotonic,
      logger: options.logger,
    };
    this.#targets = options.upstreams.map((u) => targetFor(u, poolSize, health));
    this.upstreams = this.#targets.map(({ name, address, port }) => ({ name, address, port }));
    this.#order = new TryOrder(this.#targets, monotonic, options.probeIntervalMs);
    this.#pool = new SocketPool(
      this.#targets,
      {
        maxQueries: Math.max(1, Math.floor(options.socketMaxQueries ?? DEFAULT_SOCKET_MAX_QUERIES)),
        maxAgeMs: Math.max(1, options.socketMaxAgeMs ?? DEFAULT_SOCKET_MAX_AGE_MS),
        monotonic,
        ...(options.netio ? { open: netioSocketOpener(options.netio) } : {}),
      },
      {
        message: (ps, data) => this.#onMessage(ps, data),
        error: (ps, error) => this.#socketFailed(ps, error),
        ready: (ps) => this.#connected(ps),
      },
    );
    this.#timeouts = new TryTimeouts(this.timeoutMs, monotonic, this, (p) => this.#expired(p));
  }

  /**
   * Asks each upstream in turn until one answers, then tells `listener.forwarded(token, result)`
   * once, with no promise or closure per question. When the
   * question ends before this returns (closed, overloaded, no socket), the result is returned
   * instead and the listener hears nothing, so a caller is never called back from inside its own call.
   */
  ask<T>(request: Uint8Array, q: ParsedQuery, listener: ForwardListener<T>, token: T): ForwardResult | undefined {
    if (this.#closed || this.#targets.length === 0) return NO_ANSWER;
    if (this.#forwarding >= this.#maxInFlight) {
      this.#fail(this.#targets[0]!, 'overloaded');
      return NO_ANSWER;
    }
    const p = this.#start(request, q, this.#order.current, listener as ForwardListener<unknown>, token);
    this.#asking = p;
    try {
      this.#try(p);
    } finally {
      this.#asking = undefined;
    }
    const immediate = this.#immediate;
    this.#immediate = undefined;
    const probes = this.#order.probesDue();
    if (probes !== undefined) this.#probe(request, q, probes);
    return immediate;
  }

  #start(request: Uint8Array, q: ParsedQuery, order: readonly Target[], listener: ForwardListener<unknown>, token: unknown): Pending {
    this.#forwarding++;
    const p = this.#free.pop() ?? new Pending();
    p.begin(request, q, order, listener, token);
    return p;
  }

  /** Copies the question to each failing upstream in `targets`, within the in-flight cap. */
  #probe(request: Uint8Array, q: ParsedQuery, targets: readonly Target[]): void {
    for (const target of targets) {
      if (this.#closed || this.#forwarding >= this.#maxInFlight) return;
      const p = this.#start(request, q, [target], PROBE_LISTENER, undefined);
      p.retried = true;
      this.#try(p);
    }
  }

  /** Ends every exchange in flight (they report failure) and refuses new ones. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const abort of [...this.#live]) abort();
    this.#pool.closeAll((p) => {
      p.socket = undefined;
      p.seq = ++seqCounter;
      this.#done(p, p.fallback ?? NO_ANSWER);
    });
    this.#timeouts.clear();
  }

  /** Each upstream in configured order, and whether it is failing (tried after the others). */
  upstreamStates(): { name: string; address: string; port: number; failing: boolean }[] {
    return this.#targets.map((t) => ({ name: t.name, address: t.address, port: t.port, failing: t.health.failing }));
  }

  /** Questions being forwarded now. */
  get inFlight(): number {
    return this.#forwarding;
  }

  /** UDP sockets open now (pooled and draining). */
  get openSockets(): number {
    return this.#pool.openSockets;
  }

  // ---- one question through the upstreams ----

  /** Starts the try of upstream `p.order[p.index]`, or the second chance, or ends the question. */
  #try(p: Pending): void {
    let target = p.order[p.index];
    if (target === undefined && !p.retried && p.timeouts === 1 && !p.timedOut!.health.failing) {
      // One try was lost and its upstream is answering others: once more, there only.
      p.retried = true;
      target = p.timedOut;
    }
    if (this.#closed || target === undefined) {
      this.#done(p, p.fallback ?? NO_ANSWER);
      return;
    }
    p.target = target;
    p.answersAtSend = target.health.answerCount;
    let ps: PoolSocket;
    try {
      ps = this.#pool.socketFor(target);
    } catch (error) {
      this.#tryEnded(p, target, TryEnd.failed, undefined, 'error', error as Error);
      return;
    }
    let id = random16();
    for (let i = 0; i < ID_ATTEMPTS && ps.pending.has(id); i++) id = random16();
    if (ps.pending.has(id)) {
      // 8 random IDs all in flight on one socket: not reachable below the in-flight cap.
      this.#tryEnded(p, target, TryEnd.failed, undefined, 'error', new Error('no free query ID'));
      return;
    }
    p.id = id;
    p.query = buildUpstreamQuery(p.request, p.q!, id);
    p.socket = ps;
    p.seq = ++seqCounter;
    ps.pending.set(id, p);
    this.#pool.countUse(ps);
    this.#timeouts.schedule(p);
    if (ps.connected) ps.socket.send(p.query);
    else ps.waiting.push(p);
  }

  /** The end of one try: an answer (any rcode) or a failure. */
  #tryEnded(p: Pending, target: Target, end: TryEnd, response: Uint8Array | undefined, reason: FailureReason, error?: Error): void {
    if (end === TryEnd.failed) {
      this.#fail(target, reason, error);
      p.index++;
      this.#try(p);
      return;
    }
    if (target.health.answered()) this.#order.update();
    const rcode = upstreamRcode(response!);
    if (rcode === Rcode.SERVFAIL || rcode === Rcode.REFUSED) {
      // An upstream that answers SERVFAIL/REFUSED is passed over, but its answer beats none at all.
      this.#fail(target, 'declined');
      // Kept past this call (another upstream is tried first): a copy, not the socket's buffer.
      p.fallback ??= { response: response!.slice(), upstream: target.name };
      p.index++;
      this.#try(p);
      return;
    }
    this.#done(p, { response, upstream: target.name });
  }

  #done(p: Pending, result: ForwardResult): void {
    if (!p.live) return;
    p.live = false;
    const listener = p.listener!;
    const token = p.token;
    p.clear();
    p.seq = ++seqCounter;
    this.#forwarding--;
    if (this.#forwarding === 0) this.#timeouts.idle();
    this.#free.push(p);
    if (p === this.#asking) {
      this.#immediate = result;
      return;
    }
    listener.forwarded(token, result);
  }

  /** Takes the try off its socket (answered, failed or timed out). */
  #detach(p: Pending): void {
    const ps = p.socket;
    p.socket = undefined;
    p.seq = ++seqCounter;
    if (ps === undefined) return;
    if (ps.pending.get(p.id) === p) ps.pending.delete(p.id);
    if (!ps.connected) {
      const i = ps.waiting.indexOf(p);
      if (i >= 0) ps.waiting.splice(i, 1);
    }
    if (ps.retired && ps.pending.size === 0) this.#pool.closeSocket(ps);
  }

  /** The try ran out of time. */
  #expired(p: Pending): void {
    const target = p.target!;
    p.timeouts++;
    p.timedOut = target;
    this.#detach(p);
    this.#tryEnded(p, target, TryEnd.failed, undefined, target.health.answerCount === p.answersAtSend ? 'timeout' : 'lost');
  }

  // ---- answers and socket errors ----

  /** The tries that waited for the socket to connect go out now. */
  #connected(ps: PoolSocket): void {
    const waiting = ps.waiting;
    ps.waiting = [];
    for (const p of waiting) ps.socket.send(p.query);
  }

  /** A datagram from the upstream's own address and port (socket.ts checks both). */
  #onMessage(ps: PoolSocket, data: Uint8Array): void {
    if (data.length < HEADER_LENGTH) return;
    const p = ps.pending.get((data[0]! << 8) | data[1]!);
    if (p === undefined) return;
    const target = ps.target;
    const check = checkUpstreamAnswer(data, p.query);
    if (check === AnswerCheck.mismatch) return;
    this.#detach(p);
    if (check === AnswerCheck.ok) {
      this.#tryEnded(p, target, TryEnd.answer, data, 'error');
      return;
    }
    // Truncated: the same query (same ID) again over TCP.
    const seq = p.seq;
    void this.#tcp(target, p.query).then((result) => {
      if (p.seq !== seq || !p.live) return;
      p.seq = ++seqCounter;
      if (result.kind === 'answer') this.#tryEnded(p, target, TryEnd.answer, result.response, 'error');
      else this.#tryEnded(p, target, TryEnd.failed, undefined, result.reason, result.error);
    });
  }

  /**
   * A socket error (ICMP port unreachable arrives on the next send or receive on a connected
   * socket) concerns every try on that socket, all to the same upstream: they fail, and the
   * socket is replaced.
   */
  #socketFailed(ps: PoolSocket, error: NodeJS.ErrnoException): void {
    if (ps.closed) return;
    const reason: FailureReason = error.code === 'ECONNREFUSED' ? 'unreachable' : 'error';
    this.#pool.retire(ps);
    const tries = [...ps.pending.values(), ...ps.waiting];
    for (const p of tries) {
      this.#detach(p);
      this.#tryEnded(p, ps.target, TryEnd.failed, undefined, reason, error);
    }
    if (ps.pending.size === 0) this.#pool.closeSocket(ps);
  }

  // ---- failures and health ----

  #fail(target: Target, reason: FailureReason, error?: Error): void {
    if (reason === 'closed') return;
    if (reason !== 'overloaded' && target.health.failed(reason, error)) this.#order.update();
    try {
      this.#onFailure?.(target, reason, error);
    } catch {
      // A failing observer must not turn an upstream failure into a lost reply.
    }
  }

  #tcp(target: Target, query: Buffer): Promise<TcpExchange> {
    if (this.#closed) return Promise.resolve(TCP_CLOSED);
    return exchangeOverTcp(target, query, this.timeoutMs, this.#live);
  }
}
