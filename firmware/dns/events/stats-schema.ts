// What `schoolgate status` and the metrics read of the DNS service. Apart from service.ts so that
// a DNS worker thread, which builds a service but never reports on it, does not load TypeBox.
import { Type, type Static } from 'typebox';
import { DnsCountersSchema } from './events-schema.ts';

export const DnsStatsSchema = Type.Object({
  counters: DnsCountersSchema,
  events: Type.Object({
    buffered: Type.Integer({ minimum: 0 }),
    capacity: Type.Integer({ minimum: 1 }),
    dropped: Type.Integer({ minimum: 0, description: 'events lost because nobody drained the buffer in time' }),
  }, { additionalProperties: false }),
  udpIo: Type.Object({
    mode: Type.Union([Type.Literal('batched'), Type.Literal('node')], { description: 'batched: recvmmsg/sendmmsg through the netio addon; node: dgram' }),
    reason: Type.Optional(Type.String({ description: 'why dns.udpIo "auto" fell back to node' })),
  }, { additionalProperties: false }),
  listening: Type.Array(Type.Object({
    transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp')]),
    address: Type.String(),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
  }, { additionalProperties: false })),
  upstreams: Type.Array(Type.Object({
    name: Type.String(),
    address: Type.String(),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    failing: Type.Boolean({ description: 'its last tries failed with no answer since: questions try it after the others' }),
  }, { additionalProperties: false })),
  upstreamSource: Type.Union([Type.Literal('config'), Type.Literal('system')], { description: 'system: dns.upstreams is empty, /etc/resolv.conf is used' }),
  rateLimit: Type.Object({
    perSecond: Type.Integer({ minimum: 1 }),
    clientsTracked: Type.Integer({ minimum: 0 }),
  }, { additionalProperties: false }),
  cache: Type.Object({
    entries: Type.Integer({ minimum: 0 }),
    bytes: Type.Integer({ minimum: 0 }),
    hits: Type.Integer({ minimum: 0 }),
    misses: Type.Integer({ minimum: 0 }),
    staleHits: Type.Integer({ minimum: 0 }),
    evictions: Type.Integer({ minimum: 0 }),
    expired: Type.Integer({ minimum: 0 }),
  }),
  matcher: Type.Object({
    names: Type.Integer({ minimum: 0, description: 'distinct listed names in the compiled table' }),
    bytes: Type.Integer({ minimum: 0, description: 'memory held by the compiled table' }),
  }),
}, { additionalProperties: false });
export type DnsStats = Static<typeof DnsStatsSchema>;
