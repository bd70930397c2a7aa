// The shapes of a DNS event and of the DNS counters: the single source for the query log's rows,
// `schoolgate status` and the metrics. Apart from the code that uses them (events.ts), so that
// the DNS threads, which need only their types, never load TypeBox.
import { Type, type Static } from 'typebox';
import { VERDICTS } from './verdicts.ts';

export const Verdict = Type.Enum(VERDICTS, { description: 'what the gateway decided for one question' });

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

export const DnsCountersSchema = Type.Object({
  queries: Type.Integer({ minimum: 0, description: 'questions decided (every verdict)' }),
  dropped: Type.Integer({ minimum: 0, description: 'packets dropped without a reply (too short, a response sent to us, or longer than 4096 bytes on a batched listener)' }),
  unsent: Type.Integer({ minimum: 0, description: "UDP answers the kernel did not take (a full send buffer, an unreachable client); the client asks again. Counted on the batched listeners: Node's dgram drops them silently" }),
  byVerdict: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  byNetwork: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'questions by network id; "(outside)" for unknown sources' }),
  upstreamFailures: Type.Integer({ minimum: 0, description: 'upstream tries that failed (timeout, unreachable, bad answer stream)' }),
  upstreamFailuresByUpstream: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  handlerErrors: Type.Integer({ minimum: 0, description: 'bugs caught in the handler, answered SERVFAIL' }),
  tcpConnections: Type.Integer({ minimum: 0, description: 'TCP connections accepted' }),
  tcpMalformed: Type.Integer({ minimum: 0, description: 'TCP connections closed for a malformed frame' }),
}, { additionalProperties: false });
export type DnsCounters = Static<typeof DnsCountersSchema>;
