// Every DNS decision as one event, and the counters behind `schoolgate status`. The event schema
// is the single source for the query log's rows. The buffer between the hot path and its consumers
// is a fixed ring: pushing never waits and never grows; when nobody drains it, events are counted
// as dropped instead of piling up in memory.
import { Type, type Static } from 'typebox';

export const Verdict = Type.Union([
  Type.Literal('forwarded'),
  Type.Literal('cached'),
  Type.Literal('stale'),
  Type.Literal('blocked'),
  Type.Literal('rewritten'),
  Type.Literal('local'),
  Type.Literal('refused'),
  Type.Literal('rate-limited'),
  Type.Literal('minimal-any'),
  Type.Literal('formerr'),
  Type.Literal('notimp'),
  Type.Literal('badvers'),
  Type.Literal('servfail'),
], { description: 'what the gateway decided for one question' });
export type Verdict = Static<typeof Verdict>;

export const Transport = Type.Union([Type.Literal('udp'), Type.Literal('tcp')]);
export type Transport = Static<typeof Transport>;

export const QueryEventSchema = Type.Object({
  at: Type.Number({ description: 'when the question arrived, ms since the Unix epoch' }),
  network: Type.Union([Type.String(), Type.Null()], { description: 'network id; null for a source on no school network' }),
  client: Type.String({ description: 'source address as the socket reported it' }),
  device: Type.Optional(Type.String({ description: 'device id, once leases identify devices' })),
  transport: Transport,
  name: Type.String({ description: 'question name, lowercased presentation form; empty when unreadable' }),
  qtype: Type.Integer({ minimum: 0, maximum: 65535 }),
  verdict: Verdict,
  rcode: Type.Integer({ minimum: 0, maximum: 4095 }),
  upstream: Type.Optional(Type.String({ description: 'the upstream that answered' })),
  category: Type.Optional(Type.String({ description: 'the category that decided a block, or the watched category of an allowed visit' })),
  list: Type.Optional(Type.String({ description: 'the list (or exception id) whose entry decided' })),
  watch: Type.Optional(Type.Boolean({ description: 'allowed, but a watched category: an alert for the weekly review' })),
  latencyMs: Type.Number({ minimum: 0 }),
}, { additionalProperties: false });
export type QueryEvent = Static<typeof QueryEventSchema>;

export class EventBuffer {
  readonly capacity: number;
  #ring: (QueryEvent | undefined)[];
  #head = 0;
  #size = 0;
  #dropped = 0;

  constructor(capacity = 65536) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`event buffer capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#ring = new Array<QueryEvent | undefined>(capacity).fill(undefined);
  }

  /** Adds an event; false (and counted) when the buffer is full. */
  push(event: QueryEvent): boolean {
    if (this.#size === this.capacity) {
      this.#dropped++;
      return false;
    }
    this.#ring[(this.#head + this.#size) % this.capacity] = event;
    this.#size++;
    return true;
  }

  /** Removes and returns up to `max` events, oldest first. */
  drain(max = Number.POSITIVE_INFINITY): QueryEvent[] {
    const n = Math.min(max, this.#size);
    const out: QueryEvent[] = [];
    for (let i = 0; i < n; i++) {
      out.push(this.#ring[this.#head]!);
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
    }
    this.#size -= n;
    return out;
  }

  get size(): number {
    return this.#size;
  }

  get dropped(): number {
    return this.#dropped;
  }
}

export const DnsCountersSchema = Type.Object({
  queries: Type.Integer({ minimum: 0, description: 'questions decided (every verdict)' }),
  dropped: Type.Integer({ minimum: 0, description: 'packets dropped without a reply (too short, or a response sent to us)' }),
  byVerdict: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  byNetwork: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'questions by network id; "(outside)" for unknown sources' }),
  upstreamFailures: Type.Integer({ minimum: 0, description: 'upstream tries that failed (timeout, unreachable, bad answer stream)' }),
  upstreamFailuresByUpstream: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  handlerErrors: Type.Integer({ minimum: 0, description: 'bugs caught in the handler, answered SERVFAIL' }),
  tcpConnections: Type.Integer({ minimum: 0, description: 'TCP connections accepted' }),
  tcpMalformed: Type.Integer({ minimum: 0, description: 'TCP connections closed for a malformed frame' }),
}, { additionalProperties: false });
export type DnsCounters = Static<typeof DnsCountersSchema>;

// Not a valid network id (ids start with a letter), so it cannot collide with one.
export const OUTSIDE_NETWORK = '(outside)';

export function emptyCounters(): DnsCounters {
  return {
    queries: 0,
    dropped: 0,
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
