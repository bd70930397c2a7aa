// The health page's shape (GET /api/health): the host's facts as systeminformation reads them
// (cached briefly), and the daemon's own state of DNS upstreams, lists, the query log's writer,
// DHCP, the firewall and shaping, the release and the backups (the shapes `schoolgate status --json` prints).
import { Type, type Static } from 'typebox';
import { DhcpStatus } from '../../dhcp/status-schema.ts';
import { DnsStatsSchema } from '../../dns/events/stats-schema.ts';
import { QueryLogStatsSchema } from '../../monitor/query-log/query-log.ts';
import { FirewallStatus } from '../../net/status-schema.ts';
import { ShapingStatus } from '../../net/shaping/status-schema.ts';
import { BackupStatus } from '../../backup/backup-schema.ts';
import { ReleaseStatus } from '../../upgrade/release-status-schema.ts';
import { HealthSummary, ListFreshness } from './dashboard-schema.ts';

const Bytes = Type.Integer({ minimum: 0 });
const Instant = Type.String({ format: 'date-time' });

export const HostInterface = Type.Object({
  name: Type.String(),
  up: Type.Boolean({ description: 'the link is up (operstate up, or unknown on loopback)' }),
  state: Type.String({ description: "the kernel's operstate: up, down, dormant, unknown…" }),
  speedMbps: Type.Union([Type.Number(), Type.Null()]),
  ipv4: Type.Array(Type.String()),
  mac: Type.String(),
  internal: Type.Boolean({ description: 'loopback' }),
}, { additionalProperties: false });
export type HostInterface = Static<typeof HostInterface>;

export const HostFacts = Type.Object({
  readAt: Instant,
  readMs: Type.Number({ minimum: 0, description: 'how long reading the facts took (ms): they are cached for a few seconds after' }),
  cpu: Type.Object({
    cores: Type.Integer({ minimum: 0 }),
    load: Type.Tuple([Type.Number(), Type.Number(), Type.Number()], { description: 'load average over 1, 5 and 15 minutes' }),
    busyPercent: Type.Union([Type.Number(), Type.Null()], { description: 'how busy the CPU was since the last reading' }),
    temperatureC: Type.Union([Type.Number(), Type.Null()], { description: 'null where the board reports no sensor (a virtual machine)' }),
  }, { additionalProperties: false }),
  memory: Type.Object({ totalBytes: Bytes, availableBytes: Bytes }, { additionalProperties: false }),
  disk: Type.Union([Type.Object({
    path: Type.String({ description: 'the data directory' }),
    mount: Type.String(),
    device: Type.String(),
    sizeBytes: Bytes,
    availableBytes: Bytes,
  }, { additionalProperties: false }), Type.Null()]),
  uptimeSeconds: Type.Number({ minimum: 0, description: "the host's, not the daemon's" }),
  interfaces: Type.Array(HostInterface),
  unreadable: Type.Array(Type.String(), { description: 'facts that could not be read, and why' }),
}, { additionalProperties: false });
export type HostFacts = Static<typeof HostFacts>;

export const HealthView = Type.Object({
  host: HostFacts,
  daemon: Type.Object({
    version: Type.String(),
    uptimeSeconds: Type.Number(),
    rssBytes: Bytes,
    upstreams: DnsStatsSchema.properties.upstreams,
    upstreamSource: DnsStatsSchema.properties.upstreamSource,
    queryLog: QueryLogStatsSchema,
    dhcp: DhcpStatus,
    firewall: Type.Union([FirewallStatus, Type.Null()]),
    shaping: Type.Union([ShapingStatus, Type.Null()]),
    release: Type.Union([ReleaseStatus, Type.Null()]),
    backups: Type.Union([BackupStatus, Type.Null()]),
  }, { additionalProperties: false }),
  lists: Type.Array(ListFreshness),
  summary: HealthSummary,
}, { additionalProperties: false });
export type HealthView = Static<typeof HealthView>;
