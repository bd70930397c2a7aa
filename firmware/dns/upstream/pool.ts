// The forwarder's UDP sockets: per upstream, a pool of sockets connected from random ports, each
// replaced after so many questions or so long, and closed once its last try has ended.
import { random16 } from './random.ts';
import { openDgramSocket, type OpenUpstreamSocket, type UpstreamSocket } from './socket.ts';
import type { Target } from './target.ts';
import { TriesById, type Pending } from './tries.ts';

/** One long-lived UDP socket connected to one upstream, and the tries in flight on it by ID. */
export class PoolSocket {
  // Set by the pool as soon as it is opened: the socket's events name this PoolSocket, so it comes first.
  socket!: UpstreamSocket;
  readonly target: Target;
  readonly pending = new TriesById();
  readonly born: number;
  /** Tries waiting for connect() to finish. */
  waiting: Pending[] = [];
  uses = 0;
  retired = false;
  closed = false;

  constructor(target: Target, born: number) {
    this.target = target;
    this.born = born;
  }

  get connected(): boolean {
    return this.socket.connected;
  }
}

export interface PoolSettings {
  /** Questions a socket carries before it is retired. */
  maxQueries: number;
  /** Longest a socket is used before it is retired (ms). */
  maxAgeMs: number;
  monotonic: () => number;
  /** How a socket is opened (default: Node's dgram; socket.ts). */
  open?: OpenUpstreamSocket;
}

/** What the forwarder hears from the pool's sockets. */
export interface PoolEvents {
  message(ps: PoolSocket, data: Uint8Array): void;
  /** A socket failed (on a send or a receive), with every try on it. */
  error(ps: PoolSocket, error: NodeJS.ErrnoException): void;
  /** A socket finished connecting: the tries waiting on it may go. */
  ready(ps: PoolSocket): void;
}

/**
 * Each upstream has a small pool of long-lived UDP sockets (dnsmasq keeps 64 random-port sockets
 * the same way), each connected to the upstream from an ephemeral port the kernel picks at random.
 * A try goes out on a slot chosen at random from the pool. A socket is retired (and replaced by a
 * fresh one on a new port) after `maxQueries` questions or `maxAgeMs`, so the ports an attacker
 * may have learnt stop being useful. Retired sockets close once their last question is answered
 * or timed out; idle pools close themselves, so a forwarder dropped by a reload leaves nothing open.
 */
export class SocketPool {
  readonly #targets: readonly Target[];
  readonly #maxQueries: number;
  readonly #maxAgeMs: number;
  readonly #monotonic: () => number;
  readonly #openSocket: OpenUpstreamSocket;
  readonly #events: PoolEvents;
  /** Retired sockets still waiting for answers. */
  readonly #draining = new Set<PoolSocket>();
  #sweeper: NodeJS.Timeout | undefined;
  #openSockets = 0;

  constructor(targets: readonly Target[], settings: PoolSettings, events: PoolEvents) {
    this.#targets = targets;
    this.#maxQueries = settings.maxQueries;
    this.#maxAgeMs = settings.maxAgeMs;
    this.#monotonic = settings.monotonic;
    this.#openSocket = settings.open ?? openDgramSocket;
    this.#events = events;
  }

  /** UDP sockets open now (pooled and draining). */
  get openSockets(): number {
    return this.#openSockets;
  }

  /** The socket for a try to `target`: a random slot's, opened or replaced as needed. */
  socketFor(target: Target): PoolSocket {
    const slots = target.slots;
    const slot = slots.length === 1 ? 0 : random16() % slots.length;
    let ps = slots[slot];
    if (ps !== undefined && this.#monotonic() - ps.born >= this.#maxAgeMs) {
      this.retire(ps);
      ps = undefined;
    }
    if (ps === undefined) {
      ps = this.#open(target);
      slots[slot] = ps;
    }
    return ps;
  }

  /** Counts a try put on `ps` (already in its pending map, so retiring only drains it). */
  countUse(ps: PoolSocket): void {
    ps.uses++;
    if (ps.uses >= this.#maxQueries) this.retire(ps);
  }

  /** No new tries on `ps`; it closes when its last one ends. */
  retire(ps: PoolSocket): void {
    if (ps.retired) return;
    ps.retired = true;
    const slots = ps.target.slots;
    const i = slots.indexOf(ps);
    if (i >= 0) slots[i] = undefined;
    if (ps.pending.size === 0 && ps.waiting.length === 0) this.closeSocket(ps);
    else this.#draining.add(ps);
  }

  closeSocket(ps: PoolSocket): void {
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

  /** Closes every socket, pooled or draining, handing each try still on one to `abandon` first. */
  closeAll(abandon: (p: Pending) => void): void {
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
      for (const p of tries) abandon(p);
      this.closeSocket(ps);
    }
    this.#draining.clear();
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Throws when the socket cannot be opened (the try then fails with the error). */
  #open(target: Target): PoolSocket {
    const ps = new PoolSocket(target, this.#monotonic());
    const events = this.#events;
    // The pool alone must not keep the process alive (the sockets are unreferenced): a try in
    // flight holds the timeout timer.
    ps.socket = this.#openSocket(target, {
      message: (data) => events.message(ps, data),
      error: (error) => events.error(ps, error),
      ready: () => {
        if (!ps.closed) events.ready(ps);
      },
    });
    this.#openSockets++;
    this.#startSweeper();
    return ps;
  }

  /** Retires sockets past their age even when no question picks their slot; stops when idle. */
  #startSweeper(): void {
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(50, this.#maxAgeMs / 2));
    this.#sweeper.unref();
  }

  #sweep(): void {
    const now = this.#monotonic();
    for (const t of this.#targets) {
      for (const ps of t.slots) {
        if (ps !== undefined && now - ps.born >= this.#maxAgeMs) this.retire(ps);
      }
    }
    if (this.#openSockets === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}
