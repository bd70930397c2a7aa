// Forwarding to upstream resolvers over UDP, in order, each try bounded by the configured timeout.
// Every try uses a new socket (a fresh ephemeral port chosen by the kernel) connected to the
// upstream, and a random 16-bit ID from the CSPRNG: an off-path attacker must guess both. Only an
// answer that passes checkUpstreamAnswer from the upstream's own address and port is believed;
// anything else is ignored. A truncated answer is asked again over TCP.
import { randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { parseAddress } from '../clients/ip.ts';
import { AnswerCheck, buildUpstreamQuery, checkUpstreamAnswer, upstreamRcode } from './upstream-message.ts';
import { Rcode, type ParsedQuery } from './wire.ts';

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
   * Most questions forwarded at once (default 4096). Each holds a socket until answered or timed
   * out; past this, new questions get SERVFAIL at once instead of exhausting file descriptors.
   */
  maxInFlight?: number;
  /** Told about every failed try, for counters and logs. */
  onFailure?: (upstream: UpstreamTarget, reason: FailureReason, error?: Error) => void;
}

type Exchange =
  | { kind: 'answer'; response: Uint8Array }
  | { kind: 'truncated' }
  | { kind: 'failed'; reason: FailureReason; error?: Error };

const CLOSED: Exchange = { kind: 'failed', reason: 'closed' };
const TIMEOUT: Exchange = { kind: 'failed', reason: 'timeout' };
const TRUNCATED: Exchange = { kind: 'truncated' };
const NO_ANSWER: ForwardResult = Object.freeze({ response: undefined, upstream: undefined });

interface Target extends UpstreamTarget {
  family: 4 | 6;
  value: bigint;
}

// IDs come from the CSPRNG in batches: one syscall per few thousand queries.
const idPool = new Uint16Array(4096);
let idNext = idPool.length;
function randomId(): number {
  if (idNext === idPool.length) {
    randomFillSync(idPool);
    idNext = 0;
  }
  return idPool[idNext++]!;
}

export class Forwarder {
  readonly upstreams: readonly UpstreamTarget[];
  readonly timeoutMs: number;
  readonly #targets: Target[];
  readonly #onFailure: ForwarderOptions['onFailure'];
  readonly #live = new Set<() => void>();
  readonly #maxInFlight: number;
  #forwarding = 0;
  #closed = false;

  constructor(options: ForwarderOptions) {
    this.timeoutMs = options.timeoutMs;
    this.#onFailure = options.onFailure;
    this.#maxInFlight = options.maxInFlight ?? 4096;
    this.#targets = [];
    for (const u of options.upstreams) {
      const parsed = parseAddress(u.address.split('%')[0]!);
      if (!parsed) throw new Error(`upstream ${u.name}: "${u.address}" is not an IP address`);
      // Connect in the address's own family; a mapped ::ffff:a.b.c.d upstream is just IPv4.
      const address = parsed.family === 4 && u.address.includes(':') ? u.address.slice(u.address.lastIndexOf(':') + 1) : u.address;
      this.#targets.push({ name: u.name, address, port: u.port, family: parsed.family, value: parsed.value });
    }
    this.upstreams = this.#targets.map(({ name, address, port }) => ({ name, address, port }));
  }

  /** Asks each upstream in turn until one answers; never rejects. */
  async forward(request: Uint8Array, q: ParsedQuery): Promise<ForwardResult> {
    if (this.#forwarding >= this.#maxInFlight) {
      const first = this.#targets[0];
      if (first) this.#fail(first, 'overloaded');
      return NO_ANSWER;
    }
    this.#forwarding++;
    try {
      return await this.#tryEach(request, q);
    } finally {
      this.#forwarding--;
    }
  }

  async #tryEach(request: Uint8Array, q: ParsedQuery): Promise<ForwardResult> {
    // An upstream that answers SERVFAIL/REFUSED is passed over, but its answer beats none at all.
    let fallback: ForwardResult | undefined;
    for (const target of this.#targets) {
      if (this.#closed) break;
      const query = buildUpstreamQuery(request, q, randomId());
      let result = await this.#udp(target, query);
      if (result.kind === 'truncated') result = await this.#tcp(target, query);
      if (result.kind === 'failed') {
        this.#fail(target, result.reason, result.error);
        continue;
      }
      if (result.kind !== 'answer') continue;
      const rcode = upstreamRcode(result.response);
      if (rcode === Rcode.SERVFAIL || rcode === Rcode.REFUSED) {
        this.#fail(target, 'declined');
        fallback ??= { response: result.response, upstream: target.name };
        continue;
      }
      return { response: result.response, upstream: target.name };
    }
    return fallback ?? NO_ANSWER;
  }

  /** Ends every exchange in flight (they report failure) and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const abort of [...this.#live]) abort();
  }

  /** Questions being forwarded now. */
  get inFlight(): number {
    return this.#forwarding;
  }

  #fail(target: Target, reason: FailureReason, error?: Error): void {
    if (reason === 'closed') return;
    try {
      this.#onFailure?.(target, reason, error);
    } catch {
      // A failing observer must not turn an upstream failure into a lost reply.
    }
  }

  #udp(target: Target, query: Buffer): Promise<Exchange> {
    if (this.#closed) return Promise.resolve(CLOSED);
    return new Promise<Exchange>((resolve) => {
      const socket = dgram.createSocket(target.family === 6 ? 'udp6' : 'udp4');
      let done = false;
      const finish = (result: Exchange): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#live.delete(abort);
        try {
          socket.close();
        } catch {
          // already closed
        }
        resolve(result);
      };
      const abort = (): void => finish(CLOSED);
      const timer = setTimeout(finish, this.timeoutMs, TIMEOUT);
      this.#live.add(abort);
      socket.on('error', (error: NodeJS.ErrnoException) => {
        finish({ kind: 'failed', reason: error.code === 'ECONNREFUSED' ? 'unreachable' : 'error', error });
      });
      socket.on('message', (data, rinfo) => {
        if (rinfo.port !== target.port || !sameAddress(rinfo.address, target)) return;
        const check = checkUpstreamAnswer(data, query);
        if (check === AnswerCheck.ok) finish({ kind: 'answer', response: data });
        else if (check === AnswerCheck.truncated) finish(TRUNCATED);
      });
      socket.connect(target.port, target.address, () => {
        if (done) return;
        socket.send(query, (error) => {
          if (error) finish({ kind: 'failed', reason: 'error', error });
        });
      });
    });
  }

  #tcp(target: Target, query: Buffer): Promise<Exchange> {
    if (this.#closed) return Promise.resolve(CLOSED);
    return new Promise<Exchange>((resolve) => {
      const socket = net.connect({ host: target.address, port: target.port, noDelay: true });
      let done = false;
      let received: Buffer = Buffer.alloc(0);
      const finish = (result: Exchange): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#live.delete(abort);
        socket.destroy();
        resolve(result);
      };
      const abort = (): void => finish(CLOSED);
      const timer = setTimeout(finish, this.timeoutMs, TIMEOUT);
      this.#live.add(abort);
      socket.on('error', (error: NodeJS.ErrnoException) => {
        finish({ kind: 'failed', reason: error.code === 'ECONNREFUSED' ? 'unreachable' : 'error', error });
      });
      socket.on('close', () => finish({ kind: 'failed', reason: 'error', error: new Error('connection closed before the answer') }));
      socket.on('data', (chunk: Buffer) => {
        received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
        if (received.length < 2) return;
        const length = received.readUInt16BE(0);
        if (received.length < 2 + length) return;
        const response = received.subarray(2, 2 + length);
        // Over TCP the stream carries only our one query: anything else means a broken upstream.
        if (checkUpstreamAnswer(response, query) === AnswerCheck.mismatch) finish({ kind: 'failed', reason: 'bad-answer' });
        else finish({ kind: 'answer', response });
      });
      const framed = Buffer.allocUnsafe(query.length + 2);
      framed.writeUInt16BE(query.length, 0);
      query.copy(framed, 2);
      socket.write(framed);
    });
  }
}

function sameAddress(text: string, target: Target): boolean {
  const parsed = parseAddress(text.split('%')[0]!);
  return parsed !== undefined && parsed.family === target.family && parsed.value === target.value;
}
