// Forwarding to upstream resolvers over UDP, in order, each try bounded by the configured timeout.
//
// Sockets: each upstream has a small pool of long-lived UDP sockets (dnsmasq keeps 64 random-port
// sockets the same way), each connected to the upstream from an ephemeral port the kernel picks at
// random. A try goes out on a slot chosen at random from the pool, with a random 16-bit ID from the
// CSPRNG, so an off-path attacker must guess the port among the pool's and the ID. A socket is
// retired (and replaced by a fresh one on a new port) after `socketMaxQueries` questions or
// `socketMaxAgeMs`, so the ports an attacker may have learnt stop being useful. Retired sockets
// close once their last question is answered or timed out; idle pools close themselves, so a
// forwarder dropped by a reload leaves nothing open.
//
// A try in flight is found by (socket, ID). Only an answer that passes checkUpstreamAnswer (ID,
// QR, opcode, name, type, class) from the upstream's own address and port is believed (the
// kernel already drops datagrams from anyone else on a connected socket); anything else is
// ignored. A truncated answer is asked again over TCP (upstream-tcp.ts). What the journal hears
// about each upstream's health is upstream-health.ts.
import { randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parseAddress } from '../clients/ip.ts';
import type { Logger } from '../log.ts';
import { UpstreamHealth, type HealthSettings } from './upstream-health.ts';
import { AnswerCheck, buildUpstreamQuery, checkUpstreamAnswer, upstreamRcode } from './upstream-message.ts';
import { exchangeOverTcp, TCP_CLOSED, type TcpExchange } from './upstream-tcp.ts';
import { HEADER_LENGTH, Rcode, type ParsedQuery } from './wire.ts';

export interface UpstreamTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

export type FailureReason = 'timeout' | 'unreachable' | 'error' | 'bad-answer' | 'declined' | 'closed' | 'overloaded';

export interface ForwardResult {
  /** The upstream's answer (our ID still in it), or undefined when every upstream failed. */
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
  /** Monotonic ms (tests). */
  monotonic?: () => number;
}

const NO_ANSWER: ForwardResult = Object.freeze({ response: undefined, upstream: undefined });
const NO_ANSWER_NOW: Promise<ForwardResult> = Promise.resolve(NO_ANSWER);

const DEFAULT_POOL_SIZE = 64;
const DEFAULT_SOCKET_MAX_QUERIES = 1000;
const DEFAULT_SOCKET_MAX_AGE_MS = 30_000;
const DEFAULT_HEALTH_LOG_INTERVAL_MS = 60_000;
// One lost datagram is not an outage.
const DEFAULT_FAILING_AFTER = 3;
/** Bounded attempts to find an ID not already in flight on the chosen socket. */
const ID_ATTEMPTS = 8;

// Random bytes from the CSPRNG in batches: one syscall per few thousand queries.
const idPool = new Uint16Array(4096);
let idNext = idPool.length;
function random16(): number {
  if (idNext === idPool.length) {
    randomFillSync(idPool);
    idNext = 0;
  }
  return idPool[idNext++]!;
}

/** How one try ended (no objects: the hot path passes these as arguments). */
const TryEnd = { answer: 0, failed: 1 } as const;
type TryEnd = (typeof TryEnd)[keyof typeof TryEnd];

class Target implements UpstreamTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly value: bigint;
  /** Socket slots; undefined until first used, or after the socket in it was retired. */
  readonly slots: (PoolSocket | undefined)[];
  readonly health: UpstreamHealth;

  constructor(name: string, address: string, port: number, family: 4 | 6, value: bigint, poolSize: number, health: HealthSettings) {
    this.name = name;
    this.address = address;
    this.port = port;
    this.family = family;
    this.value = value;
    this.slots = new Array<PoolSocket | undefined>(poolSize).fill(undefined);
    this.health = new UpstreamHealth(name, family === 6 ? `[${address}]:${port}` : `${address}:${port}`, health);
  }
}

/** One long-lived UDP socket connected to one upstream, and the tries in flight on it by ID. */
class PoolSocket {
  readonly socket: dgram.Socket;
  readonly target: Target;
  readonly pending = new Map<number, Pending>();
  readonly born: number;
  /** Tries waiting for connect() to finish. */
  waiting: Pending[] = [];
  uses = 0;
  connected = false;
  retired = false;
  closed = false;
  /** One callback per socket, not per send. */
  readonly onSent: (error: Error | null) => void;

  constructor(socket: dgram.Socket, target: Target, born: number, onSent: (ps: PoolSocket, error: Error | null) => void) {
    this.socket = socket;
    this.target = target;
    this.born = born;
    this.onSent = (error) => onSent(this, error);
  }
}

/** One question on its way through the upstreams; reused once its promise is resolved. */
class Pending {
  request: Uint8Array = EMPTY;
  q: ParsedQuery | undefined = undefined;
  resolve: ((result: ForwardResult) => void) | undefined = undefined;
  /** Index of the upstream being tried. */
  index = 0;
  fallback: ForwardResult | undefined = undefined;
  /** The bytes of the current try (our ID in them). */
  query: Buffer = EMPTY_BUFFER;
  id = 0;
  socket: PoolSocket | undefined = undefined;
  /** Changes whenever the current try ends: stale timeout entries and TCP results see a new value. */
  seq = 0;
  /** For close(): every question in flight, whatever it is waiting on. */
  live = false;
}

const EMPTY = new Uint8Array(0);
const EMPTY_BUFFER = Buffer.alloc(0);
let seqCounter = 0;

export class Forwarder {
  readonly upstreams: readonly UpstreamTarget[];
  readonly timeoutMs: number;
  readonly #targets: Target[];
  readonly #onFailure: ForwarderOptions['onFailure'];
  readonly #maxInFlight: number;
  readonly #poolSize: number;
  readonly #socketMaxQueries: number;
  readonly #socketMaxAgeMs: number;
  readonly #monotonic: () => number;
  readonly #live = new Set<() => void>();
  /** Retired sockets still waiting for answers. */
  readonly #draining = new Set<PoolSocket>();
  readonly #free: Pending[] = [];
  // Timeouts: every try waits the same time, so a FIFO of (try, seq, deadline) is in deadline
  // order; one timer is armed for its head.
  #tq: Pending[] = [];
  #tqSeq: number[] = [];
  #tqDeadline: number[] = [];
  #tqHead = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The timer holds the process open only while a question is in flight. */
  #timerRef = true;
  #sweeper: NodeJS.Timeout | undefined;
  #openSockets = 0;
  #forwarding = 0;
  #closed = false;
  readonly #onTimer = (): void => this.#expire();
  readonly #onSent = (ps: PoolSocket, error: Error | null): void => {
    if (error) this.#socketFailed(ps, error as NodeJS.ErrnoException);
  };

  constructor(options: ForwarderOptions) {
    this.timeoutMs = options.timeoutMs;
    this.#onFailure = options.onFailure;
    this.#maxInFlight = options.maxInFlight ?? 4096;
    this.#poolSize = Math.max(1, Math.floor(options.poolSize ?? DEFAULT_POOL_SIZE));
    this.#socketMaxQueries = Math.max(1, Math.floor(options.socketMaxQueries ?? DEFAULT_SOCKET_MAX_QUERIES));
    this.#socketMaxAgeMs = Math.max(1, options.socketMaxAgeMs ?? DEFAULT_SOCKET_MAX_AGE_MS);
    this.#monotonic = options.monotonic ?? (() => performance.now());
    const health: HealthSettings = {
      failingAfter: Math.max(1, Math.floor(options.failingAfter ?? DEFAULT_FAILING_AFTER)),
      intervalMs: options.healthLogIntervalMs ?? DEFAULT_HEALTH_LOG_INTERVAL_MS,
      monotonic: this.#monotonic,
      logger: options.logger,
    };
    this.#targets = [];
    for (const u of options.upstreams) {
      const parsed = parseAddress(u.address.split('%')[0]!);
      if (!parsed) throw new Error(`upstream ${u.name}: "${u.address}" is not an IP address`);
      // Connect in the address's own family; a mapped ::ffff:a.b.c.d upstream is just IPv4.
      const address = parsed.family === 4 && u.address.includes(':') ? u.address.slice(u.address.lastIndexOf(':') + 1) : u.address;
      this.#targets.push(new Target(u.name, address, u.port, parsed.family, parsed.value, this.#poolSize, health));
    }
    this.upstreams = this.#targets.map(({ name, address, port }) => ({ name, address, port }));
  }

  /** Asks each upstream in turn until one answers; never rejects. */
  forward(request: Uint8Array, q: ParsedQuery): Promise<ForwardResult> {
    if (this.#closed || this.#targets.length === 0) return NO_ANSWER_NOW;
    if (this.#forwarding >= this.#maxInFlight) {
      this.#fail(this.#targets[0]!, 'overloaded');
      return NO_ANSWER_NOW;
    }
    this.#forwarding++;
    const p = this.#free.pop() ?? new Pending();
    p.request = request;
    p.q = q;
    p.index = 0;
    p.fallback = undefined;
    p.live = true;
    const promise = new Promise<ForwardResult>((resolve) => {
      p.resolve = resolve;
    });
    this.#try(p);
    return promise;
  }

  /** Ends every exchange in flight (they report failure) and refuses new ones. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const abort of [...this.#live]) abort();
    const sockets: PoolSocket[] = [...this.#draining];
    for (const t of this.#targets) {
      for (let i = 0; i < t.slots.length; i++) {
        const ps = t.slots[i];
        if (ps) sockets.push(ps);
        t.slots[i] = undefined;
      }
    }
    for (const ps of sockets) {
      const tries = [...ps.pending.values(), ...ps.waiting];
      ps.pending.clear();
      ps.waiting = [];
      for (const p of tries) {
        p.socket = undefined;
        p.seq = ++seqCounter;
        this.#done(p, p.fallback ?? NO_ANSWER);
      }
      this.#closeSocket(ps);
    }
    this.#draining.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#tq = [];
    this.#tqSeq = [];
    this.#tqDeadline = [];
    this.#tqHead = 0;
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Questions being forwarded now. */
  get inFlight(): number {
    return this.#forwarding;
  }

  /** UDP sockets open now (pooled and draining). */
  get openSockets(): number {
    return this.#openSockets;
  }

  // ---- one question through the upstreams ----

  /** Starts the try of upstream `p.index` (or ends the question when none is left). */
  #try(p: Pending): void {
    if (this.#closed || p.index >= this.#targets.length) {
      this.#done(p, p.fallback ?? NO_ANSWER);
      return;
    }
    const target = this.#targets[p.index]!;
    let ps: PoolSocket;
    try {
      ps = this.#socketFor(target);
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
    ps.uses++;
    if (ps.uses >= this.#socketMaxQueries) this.#retire(ps);
    this.#schedule(p);
    if (ps.connected) ps.socket.send(p.query, ps.onSent);
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
    target.health.answered();
    const rcode = upstreamRcode(response!);
    if (rcode === Rcode.SERVFAIL || rcode === Rcode.REFUSED) {
      // An upstream that answers SERVFAIL/REFUSED is passed over, but its answer beats none at all.
      this.#fail(target, 'declined');
      p.fallback ??= { response, upstream: target.name };
      p.index++;
      this.#try(p);
      return;
    }
    this.#done(p, { response, upstream: target.name });
  }

  #done(p: Pending, result: ForwardResult): void {
    if (!p.live) return;
    p.live = false;
    const resolve = p.resolve!;
    p.resolve = undefined;
    p.request = EMPTY;
    p.q = undefined;
    p.fallback = undefined;
    p.query = EMPTY_BUFFER;
    p.socket = undefined;
    p.seq = ++seqCounter;
    this.#forwarding--;
    if (this.#forwarding === 0 && this.#timer !== undefined && this.#timerRef) {
      // Only stale entries are left in the timeout queue: they must not keep the process alive.
      this.#timer.unref();
      this.#timerRef = false;
    }
    this.#free.push(p);
    resolve(result);
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
    if (ps.retired && ps.pending.size === 0) this.#closeSocket(ps);
  }

  // ---- sockets ----

  #socketFor(target: Target): PoolSocket {
    const slots = target.slots;
    const slot = slots.length === 1 ? 0 : random16() % slots.length;
    let ps = slots[slot];
    if (ps !== undefined && this.#monotonic() - ps.born >= this.#socketMaxAgeMs) {
      this.#retire(ps);
      ps = undefined;
    }
    if (ps === undefined) {
      ps = this.#open(target);
      slots[slot] = ps;
    }
    return ps;
  }

  #open(target: Target): PoolSocket {
    const socket = dgram.createSocket(target.family === 6 ? 'udp6' : 'udp4');
    const ps = new PoolSocket(socket, target, this.#monotonic(), this.#onSent);
    this.#openSockets++;
    // The pool alone must not keep the process alive: a try in flight holds the timeout timer.
    socket.unref();
    socket.on('error', (error: NodeJS.ErrnoException) => this.#socketFailed(ps, error));
    socket.on('message', (data: Buffer, rinfo: dgram.RemoteInfo) => this.#onMessage(ps, data, rinfo));
    socket.connect(target.port, target.address, () => {
      if (ps.closed) return;
      ps.connected = true;
      const waiting = ps.waiting;
      ps.waiting = [];
      for (const p of waiting) socket.send(p.query, ps.onSent);
    });
    this.#startSweeper();
    return ps;
  }

  #onMessage(ps: PoolSocket, data: Buffer, rinfo: dgram.RemoteInfo): void {
    if (data.length < HEADER_LENGTH) return;
    const p = ps.pending.get((data[0]! << 8) | data[1]!);
    if (p === undefined) return;
    const target = ps.target;
    if (rinfo.port !== target.port || (rinfo.address !== target.address && !sameAddress(rinfo.address, target))) return;
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
    this.#retire(ps);
    const tries = [...ps.pending.values(), ...ps.waiting];
    for (const p of tries) {
      this.#detach(p);
      this.#tryEnded(p, ps.target, TryEnd.failed, undefined, reason, error);
    }
    if (ps.pending.size === 0) this.#closeSocket(ps);
  }

  /** No new tries on `ps`; it closes when its last one ends. */
  #retire(ps: PoolSocket): void {
    if (ps.retired) return;
    ps.retired = true;
    const slots = ps.target.slots;
    const i = slots.indexOf(ps);
    if (i >= 0) slots[i] = undefined;
    if (ps.pending.size === 0 && ps.waiting.length === 0) this.#closeSocket(ps);
    else this.#draining.add(ps);
  }

  #closeSocket(ps: PoolSocket): void {
    if (ps.closed) return;
    ps.closed = true;
    this.#draining.delete(ps);
    this.#openSockets--;
    try {
      ps.socket.close();
    } catch {
      // already closed
    }
  }

  /** Retires sockets past their age even when no question picks their slot; stops when idle. */
  #startSweeper(): void {
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(50, this.#socketMaxAgeMs / 2));
    this.#sweeper.unref();
  }

  #sweep(): void {
    const now = this.#monotonic();
    for (const t of this.#targets) {
      for (const ps of t.slots) {
        if (ps !== undefined && now - ps.born >= this.#socketMaxAgeMs) this.#retire(ps);
      }
    }
    if (this.#openSockets === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  // ---- timeouts ----

  #schedule(p: Pending): void {
    const deadline = this.#monotonic() + this.timeoutMs;
    this.#tq.push(p);
    this.#tqSeq.push(p.seq);
    this.#tqDeadline.push(deadline);
    if (this.#timer === undefined) this.#arm(deadline);
    else if (!this.#timerRef) {
      this.#timer.ref();
      this.#timerRef = true;
    }
  }

  #arm(deadline: number): void {
    const delay = Math.max(1, Math.ceil(deadline - this.#monotonic()));
    this.#timer = setTimeout(this.#onTimer, delay);
    this.#timerRef = true;
    if (this.#forwarding === 0) {
      this.#timer.unref();
      this.#timerRef = false;
    }
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#monotonic();
    const tq = this.#tq;
    while (this.#tqHead < tq.length) {
      const i = this.#tqHead;
      const p = tq[i]!;
      if (p.seq !== this.#tqSeq[i]) {
        // That try already ended.
        tq[i] = undefined as unknown as Pending;
        this.#tqHead++;
        continue;
      }
      const deadline = this.#tqDeadline[i]!;
      if (deadline > now) {
        this.#arm(deadline);
        break;
      }
      tq[i] = undefined as unknown as Pending;
      this.#tqHead++;
      const target = p.socket?.target ?? this.#targets[p.index]!;
      this.#detach(p);
      this.#tryEnded(p, target, TryEnd.failed, undefined, 'timeout');
    }
    this.#compactTimeouts();
  }

  #compactTimeouts(): void {
    const head = this.#tqHead;
    if (head === this.#tq.length) {
      this.#tq = [];
      this.#tqSeq = [];
      this.#tqDeadline = [];
      this.#tqHead = 0;
    } else if (head > 1024 && head * 2 > this.#tq.length) {
      this.#tq = this.#tq.slice(head);
      this.#tqSeq = this.#tqSeq.slice(head);
      this.#tqDeadline = this.#tqDeadline.slice(head);
      this.#tqHead = 0;
    }
  }

  // ---- failures and health ----

  #fail(target: Target, reason: FailureReason, error?: Error): void {
    if (reason === 'closed') return;
    if (reason !== 'overloaded') target.health.failed(reason, error);
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

function sameAddress(text: string, target: Target): boolean {
  const parsed = parseAddress(text.split('%')[0]!);
  return parsed !== undefined && parsed.family === target.family && parsed.value === target.value;
}
