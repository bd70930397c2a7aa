// The forwarder's per-try bookkeeping: the question in flight (Pending, reused between questions)
// and the one timer that ends every try that outlives the timeout.
import type { ForwardListener, ForwardResult } from './forwarder.ts';
import type { PoolSocket } from './pool.ts';
import type { Target } from './target.ts';
import type { ParsedQuery } from '../wire/question-reader.ts';

const EMPTY = new Uint8Array(0);
const EMPTY_BUFFER = Buffer.alloc(0);
const NO_TARGETS: readonly Target[] = [];

/** One question on its way through the upstreams; reused once its listener has been told. */
export class Pending {
  request: Uint8Array = EMPTY;
  q: ParsedQuery | undefined = undefined;
  /** Who is told how the question ended, and what it asked with. */
  listener: ForwardListener<unknown> | undefined = undefined;
  token: unknown = undefined;
  /** The upstreams in the order this question tries them (order.ts), and which one is next. */
  order: readonly Target[] = NO_TARGETS;
  index = 0;
  /** The upstream of the try in flight, and how many answers it had given when the try went out. */
  target: Target | undefined = undefined;
  answersAtSend = 0;
  /** Tries of this question that ran out of time, and the upstream of the last one. */
  timeouts = 0;
  timedOut: Target | undefined = undefined;
  /** The question already had its second chance (or, for a probe, never gets one). */
  retried = false;
  fallback: ForwardResult | undefined = undefined;
  /** The bytes of the current try (our ID in them). */
  query: Buffer = EMPTY_BUFFER;
  id = 0;
  socket: PoolSocket | undefined = undefined;
  /** Changes whenever the current try ends: stale timeout entries and TCP results see a new value. */
  seq = 0;
  /** For close(): every question in flight, whatever it is waiting on. */
  live = false;

  /** A new question, from the first upstream of `order`. */
  begin(request: Uint8Array, q: ParsedQuery, order: readonly Target[], listener: ForwardListener<unknown>, token: unknown): void {
    this.request = request;
    this.q = q;
    this.order = order;
    this.index = 0;
    this.timeouts = 0;
    this.retried = false;
    this.fallback = undefined;
    this.live = true;
    this.listener = listener;
    this.token = token;
  }

  /** Drops what the finished question held, so the free list keeps no request alive. */
  clear(): void {
    this.request = EMPTY;
    this.q = undefined;
    this.listener = undefined;
    this.token = undefined;
    this.fallback = undefined;
    this.query = EMPTY_BUFFER;
    this.socket = undefined;
    this.order = NO_TARGETS;
    this.target = undefined;
    this.timedOut = undefined;
  }
}

/**
 * The tries in flight on one socket, by query ID. A socket carries a few at a time, so this is two
 * arrays searched in order rather than a Map: a Map's table is reallocated each time it grows
 * and shrinks, which for a socket going between zero and a few tries was every few questions.
 * The arrays only grow (to the most tries the socket ever had at once).
 */
export class TriesById {
  readonly #ids: number[] = [];
  readonly #tries: (Pending | undefined)[] = [];
  #count = 0;

  get size(): number {
    return this.#count;
  }

  get(id: number): Pending | undefined {
    const i = this.#find(id);
    return i < 0 ? undefined : this.#tries[i];
  }

  has(id: number): boolean {
    return this.#find(id) >= 0;
  }

  /** Adds the try `p` under `id`, which must not be in use (the forwarder picks a free one). */
  set(id: number, p: Pending): void {
    this.#ids[this.#count] = id;
    this.#tries[this.#count] = p;
    this.#count++;
  }

  delete(id: number): void {
    const i = this.#find(id);
    if (i < 0) return;
    const last = --this.#count;
    this.#ids[i] = this.#ids[last]!;
    this.#tries[i] = this.#tries[last];
    this.#tries[last] = undefined;
  }

  /** The tries, as a list of their own (callers end them while going through it). */
  values(): Pending[] {
    return this.#tries.slice(0, this.#count) as Pending[];
  }

  clear(): void {
    this.#tries.fill(undefined, 0, this.#count);
    this.#count = 0;
  }

  #find(id: number): number {
    const ids = this.#ids;
    for (let i = 0; i < this.#count; i++) if (ids[i] === id) return i;
    return -1;
  }
}

export class TryTimeouts {
  readonly #timeoutMs: number;
  readonly #monotonic: () => number;
  /** Whose tries these are. */
  readonly #owner: { readonly inFlight: number };
  readonly #onExpired: (p: Pending) => void;
  // Every try waits the same time, so a FIFO of (try, seq, deadline) is in deadline order; one
  // timer is armed for its head. The FIFO is a ring that grows to the most tries begun within one
  // timeout and stays that size: as growing and re-sliced arrays it made most of what a forwarded
  // question left for the old generation's collector (~1 MB a second at 8k forwarded a second).
  #tries: (Pending | undefined)[] = new Array<Pending | undefined>(MIN_RING).fill(undefined);
  #seqs = new Float64Array(MIN_RING);
  #deadlines = new Float64Array(MIN_RING);
  #head = 0;
  #size = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The timer holds the process open only while a question is in flight. */
  #timerRef = true;
  readonly #onTimer = (): void => this.#expire();

  /** `onExpired`: the try `p` ran out of time (it is still on its socket). */
  constructor(timeoutMs: number, monotonic: () => number, owner: { readonly inFlight: number }, onExpired: (p: Pending) => void) {
    this.#timeoutMs = timeoutMs;
    this.#monotonic = monotonic;
    this.#owner = owner;
    this.#onExpired = onExpired;
  }

  /** Tries in the queue, ended ones included until their deadline's pass (tests). */
  get queued(): number {
    return this.#size;
  }

  /** Room in the queue (tests: it grows, it does not shrink). */
  get capacity(): number {
    return this.#tries.length;
  }

  /** Starts the clock on the try `p` now has (at `p.seq`). */
  schedule(p: Pending): void {
    const deadline = this.#monotonic() + this.#timeoutMs;
    if (this.#size === this.#tries.length) this.#grow();
    const i = (this.#head + this.#size) & (this.#tries.length - 1);
    this.#tries[i] = p;
    this.#seqs[i] = p.seq;
    this.#deadlines[i] = deadline;
    this.#size++;
    if (this.#timer === undefined) this.#arm(deadline);
    else if (!this.#timerRef) {
      this.#timer.ref();
      this.#timerRef = true;
    }
  }

  /** Nothing is in flight any more. */
  idle(): void {
    if (this.#timer !== undefined && this.#timerRef) {
      // Only stale entries are left in the timeout queue: they must not keep the process alive.
      this.#timer.unref();
      this.#timerRef = false;
    }
  }

  /** Forgets every try (the forwarder is closing). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#tries.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }

  /** Twice the room, the queue's order kept (from index 0). */
  #grow(): void {
    const capacity = this.#tries.length;
    const tries = new Array<Pending | undefined>(capacity * 2).fill(undefined);
    const seqs = new Float64Array(capacity * 2);
    const deadlines = new Float64Array(capacity * 2);
    for (let k = 0; k < this.#size; k++) {
      const i = (this.#head + k) & (capacity - 1);
      tries[k] = this.#tries[i];
      seqs[k] = this.#seqs[i]!;
      deadlines[k] = this.#deadlines[i]!;
    }
    this.#tries = tries;
    this.#seqs = seqs;
    this.#deadlines = deadlines;
    this.#head = 0;
  }

  #arm(deadline: number): void {
    const delay = Math.max(1, Math.ceil(deadline - this.#monotonic()));
    this.#timer = setTimeout(this.#onTimer, delay);
    this.#timerRef = true;
    if (this.#owner.inFlight === 0) {
      this.#timer.unref();
      this.#timerRef = false;
    }
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#monotonic();
    while (this.#size > 0) {
      const i = this.#head;
      const p = this.#tries[i]!;
      const live = p.seq === this.#seqs[i];
      if (live && this.#deadlines[i]! > now) {
        // A try that moved on to the next upstream during this pass armed a timer for its own,
        // later deadline; the head of the queue is due first.
        clearTimeout(this.#timer);
        this.#arm(this.#deadlines[i]!);
        break;
      }
      // Taken off first: onExpired may schedule the try's next attempt at the tail.
      this.#tries[i] = undefined;
      this.#head = (i + 1) & (this.#tries.length - 1);
      this.#size--;
      if (live) this.#onExpired(p);
    }
  }
}

/** The timeout queue's first size (a power of two, as every later one). */
const MIN_RING = 64;
