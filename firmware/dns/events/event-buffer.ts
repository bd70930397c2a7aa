// Every DNS decision as one event, and the counters behind `schoolgate status`. The buffer between
// the hot path and its consumers is a fixed ring: pushing never waits and never grows; when nobody
// drains it, events are counted as dropped instead of piling up in memory. The shapes are in
// events-schema.ts and only their types are imported here, so a DNS worker thread never loads
// TypeBox (~20 MB a thread).
import type { DnsCounters, QueryEvent, Transport } from './events-schema.ts';
import { VERDICTS, VERDICT_INDEX, type Verdict } from './verdicts.ts';

export type { DnsCounters, QueryEvent, Transport, Verdict };
export { VERDICTS, VERDICT_INDEX };

const TCP = 1;
const WATCH = 2;

/**
 * The fields of one event, as the hot path has them at hand. The buffer copies them into its
 * columns, so recording an event allocates nothing; objects are built only when drained.
 */
export interface EventFields {
  at: number;
  network: string | null;
  client: string;
  device: string | undefined;
  transport: Transport;
  name: string;
  qtype: number;
  verdict: Verdict;
  rcode: number;
  upstream: string | undefined;
  category: string | undefined;
  list: string | undefined;
  watch: boolean;
  latencyMs: number;
}

/** A blank EventFields to fill and reuse; every one has the same shape, which keeps `record` monomorphic. */
export function emptyEventFields(): EventFields {
  return {
    at: 0, network: null, client: '', device: undefined, transport: 'udp', name: '', qtype: 0, verdict: 'servfail',
    rcode: 0, upstream: undefined, category: undefined, list: undefined, watch: false, latencyMs: 0,
  };
}

export class EventBuffer {
  readonly capacity: number;
  // A ring stored by column: numbers in typed arrays, strings (mostly shared: network, list,
  // upstream ids) in plain arrays. No object per event lives here for the garbage collector.
  readonly #at: Float64Array;
  readonly #latency: Float64Array;
  readonly #qtype: Uint16Array;
  readonly #rcode: Uint16Array;
  readonly #verdict: Uint8Array;
  readonly #bits: Uint8Array;
  readonly #network: (string | null)[];
  readonly #client: string[];
  readonly #name: string[];
  readonly #device: (string | undefined)[];
  readonly #upstream: (string | undefined)[];
  readonly #category: (string | undefined)[];
  readonly #list: (string | undefined)[];
  #head = 0;
  #size = 0;
  #dropped = 0;
  readonly #view = emptyEventFields();
  readonly #incoming = emptyEventFields();
  /** Consumers that act on an event at once rather than when the log drains it (a bypass name to learn). */
  #taps: ((e: Readonly<EventFields>) => void)[] = [];

  constructor(capacity = 65536) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`event buffer capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#at = new Float64Array(capacity);
    this.#latency = new Float64Array(capacity);
    this.#qtype = new Uint16Array(capacity);
    this.#rcode = new Uint16Array(capacity);
    this.#verdict = new Uint8Array(capacity);
    this.#bits = new Uint8Array(capacity);
    this.#network = new Array<string | null>(capacity).fill(null);
    this.#client = new Array<string>(capacity).fill('');
    this.#name = new Array<string>(capacity).fill('');
    this.#device = new Array<string | undefined>(capacity).fill(undefined);
    this.#upstream = new Array<string | undefined>(capacity).fill(undefined);
    this.#category = new Array<string | undefined>(capacity).fill(undefined);
    this.#list = new Array<string | undefined>(capacity).fill(undefined);
  }

  /**
   * Calls `visit` with every event recorded from now on, dropped ones included, on the recording
   * thread and before `record` returns: it must be cheap, copy what it keeps (the object is
   * reused) and never throw. Every DNS thread's events reach the main thread's buffer.
   */
  tap(visit: (e: Readonly<EventFields>) => void): void {
    this.#taps = [...this.#taps, visit];
  }

  /** Adds an event; false (and counted) when the buffer is full. */
  push(event: QueryEvent | Readonly<EventFields>): boolean {
    // Copied into one reused object first, so `record` only ever reads objects of one shape.
    const e = this.#incoming;
    e.at = event.at;
    e.network = event.network;
    e.client = event.client;
    e.device = event.device;
    e.transport = event.transport;
    e.name = event.name;
    e.qtype = event.qtype;
    e.verdict = event.verdict;
    e.rcode = event.rcode;
    e.upstream = event.upstream;
    e.category = event.category;
    e.list = event.list;
    e.watch = event.watch === true;
    e.latencyMs = event.latencyMs;
    return this.record(e);
  }

  /**
   * Adds an event, copying its fields into the columns: the caller may reuse `e` as soon as this
   * returns (the query handler fills one object for every question), so nothing is allocated.
   * False (and counted) when full.
   */
  record(e: Readonly<EventFields>): boolean {
    for (const tap of this.#taps) tap(e);
    if (this.#size === this.capacity) {
      this.#dropped++;
      return false;
    }
    let i = this.#head + this.#size;
    if (i >= this.capacity) i -= this.capacity;
    this.#at[i] = e.at;
    this.#latency[i] = e.latencyMs;
    this.#qtype[i] = e.qtype;
    this.#rcode[i] = e.rcode;
    this.#verdict[i] = VERDICT_INDEX.get(e.verdict) ?? VERDICT_INDEX.get('servfail')!;
    this.#bits[i] = (e.transport === 'tcp' ? TCP : 0) | (e.watch ? WATCH : 0);
    this.#network[i] = e.network;
    this.#client[i] = e.client;
    this.#name[i] = e.name;
    this.#device[i] = e.device;
    this.#upstream[i] = e.upstream;
    this.#category[i] = e.category;
    this.#list[i] = e.list;
    this.#size++;
    return true;
  }

  /** Removes and returns up to `max` events, oldest first. */
  drain(max = Number.POSITIVE_INFINITY): QueryEvent[] {
    const out: QueryEvent[] = [];
    this.drainEach(max, (e) => {
      const event: QueryEvent = {
        at: e.at, network: e.network, client: e.client, transport: e.transport, name: e.name, qtype: e.qtype,
        verdict: e.verdict, rcode: e.rcode, latencyMs: e.latencyMs,
      };
      if (e.upstream !== undefined) event.upstream = e.upstream;
      if (e.category !== undefined) event.category = e.category;
      if (e.list !== undefined) event.list = e.list;
      if (e.watch) event.watch = true;
      if (e.device !== undefined) event.device = e.device;
      out.push(event);
    });
    return out;
  }

  /**
   * Removes up to `max` events, oldest first, showing each to `visit` in one reused object that
   * is only valid during the call: the query log packs a batch without an object per event.
   * Returns how many it removed.
   */
  drainEach(max: number, visit: (event: Readonly<EventFields>) => void): number {
    const n = Math.min(max, this.#size);
    const e = this.#view;
    for (let k = 0; k < n; k++) {
      const i = this.#head;
      const bits = this.#bits[i]!;
      e.at = this.#at[i]!;
      e.network = this.#network[i]!;
      e.client = this.#client[i]!;
      e.device = this.#device[i];
      e.transport = (bits & TCP) !== 0 ? 'tcp' : 'udp';
      e.name = this.#name[i]!;
      e.qtype = this.#qtype[i]!;
      e.verdict = VERDICTS[this.#verdict[i]!]!;
      e.rcode = this.#rcode[i]!;
      e.upstream = this.#upstream[i];
      e.category = this.#category[i];
      e.list = this.#list[i];
      e.watch = (bits & WATCH) !== 0;
      e.latencyMs = this.#latency[i]!;
      // Let go of the strings now, not when the slot is next written.
      this.#client[i] = '';
      this.#name[i] = '';
      this.#network[i] = null;
      this.#device[i] = undefined;
      this.#upstream[i] = undefined;
      this.#category[i] = undefined;
      this.#list[i] = undefined;
      this.#head = i + 1 === this.capacity ? 0 : i + 1;
      this.#size--;
      visit(e);
    }
    return n;
  }

  get size(): number {
    return this.#size;
  }

  get dropped(): number {
    return this.#dropped;
  }
}

// Not a valid network id (ids start with a letter), so it cannot collide with one.
export const OUTSIDE_NETWORK = '(outside)';

export function emptyCounters(): DnsCounters {
  return {
    queries: 0,
    dropped: 0,
    unsent: 0,
    byVerdict: {},
    byNetwork: {},
    upstreamFailures: 0,
    upstreamFailuresByUpstream: {},
    handlerErrors: 0,
    tcpConnections: 0,
    tcpMalformed: 0,
  };
}

export function countDecision(c: DnsCounters, verdict: Verdict, network: string | null): void {
  c.queries++;
  c.byVerdict[verdict] = (c.byVerdict[verdict] ?? 0) + 1;
  const key = network ?? OUTSIDE_NETWORK;
  c.byNetwork[key] = (c.byNetwork[key] ?? 0) + 1;
}

export function countUpstreamFailure(c: DnsCounters, upstream: string): void {
  c.upstreamFailures++;
  c.upstreamFailuresByUpstream[upstream] = (c.upstreamFailuresByUpstream[upstream] ?? 0) + 1;
}
