// What waits for a collector: a bounded queue of framed messages that drops its oldest, counted,
// when a collector stays away longer than the queue lasts. Bounded by count and by octets, so a
// burst of long messages cannot grow the daemon's memory past a known figure. Pure.

export interface QueueCounts {
  queued: number;
  queuedBytes: number;
  /** Messages dropped to make room since start. */
  dropped: number;
}

export class SendQueue {
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  #items: Buffer[] = [];
  /** The index of the first item still queued: shifting an array on every send is O(n). */
  #head = 0;
  #bytes = 0;
  #dropped = 0;

  constructor(maxMessages: number, maxBytes = maxMessages * 1024) {
    if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new Error(`a queue holds at least one message, not ${maxMessages}`);
    this.#maxMessages = maxMessages;
    this.#maxBytes = maxBytes;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Adds a message at the back, dropping the oldest until both limits hold; returns how many it dropped. */
  push(message: Buffer): number {
    let dropped = 0;
    if (message.length > this.#maxBytes) {
      // Never queued: it would empty the queue and still not fit.
      this.#dropped++;
      return 1;
    }
    this.#items.push(message);
    this.#bytes += message.length;
    while (this.length > this.#maxMessages || this.#bytes > this.#maxBytes) {
      this.#take();
      dropped++;
    }
    this.#dropped += dropped;
    return dropped;
  }

  /** The oldest message, left in the queue until done() says it was written. */
  peek(): Buffer | undefined {
    return this.#items[this.#head];
  }

  /** The oldest message was written: it leaves the queue. */
  done(): void {
    if (this.length > 0) this.#take();
  }

  counts(): QueueCounts {
    return { queued: this.length, queuedBytes: this.#bytes, dropped: this.#dropped };
  }

  #take(): void {
    const item = this.#items[this.#head];
    this.#items[this.#head] = Buffer.alloc(0);
    this.#head++;
    this.#bytes -= item?.length ?? 0;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * How long to wait before reconnecting after `failures` failures in a row: 1 s, doubling, at most
 * `maxMs`; `random` (0 ≤ r < 1) spreads a trust's boxes so they do not all call back at once
 * after the collector restarts.
 */
export function reconnectDelayMs(failures: number, random: number, maxMs = 60_000): number {
  const base = Math.min(maxMs, 1000 * 2 ** Math.max(0, Math.min(failures - 1, 16)));
  return Math.round(base * (0.5 + random / 2));
}
