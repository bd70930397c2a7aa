// What `schoolgate status` and the admin page report: one shape for the CLI's --json, the control
// socket and the HTTP API.
import { BUILT } from './paths.ts';
import { Type, type Static } from 'typebox';
import { NetworkKind } from './config/schema.ts';
import { DnsStatsSchema } from './dns/events/stats-schema.ts';
import { DhcpStatus } from './dhcp/status-schema.ts';
import { FirewallStatus } from './net/status-schema.ts';
import { ShapingStatus } from './net/shaping/status-schema.ts';
import { QueryLogStatsSchema } from './monitor/query-log/query-log.ts';
import { AlertsStatus } from './monitor/alerts/alert-status-schema.ts';
import { VoucherPolicyStatus } from './portal/vouchers/schema.ts';
import { FleetStatus } from './fleet/fleet-status-schema.ts';
import { ReleaseStatus } from './upgrade/release-status-schema.ts';
import { BackupStatus } from './backup/backup-schema.ts';
import { Attention } from './monitor/attention-schema.ts';

export const DaemonStatus = Type.Object({
  version: Type.String(),
  pid: Type.Integer(),
  node: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  uptimeSeconds: Type.Number(),
  site: Type.String(),
  dataDir: Type.String(),
  configFile: Type.String(),
  networks: Type.Array(Type.Object({
    id: Type.String(),
    name: Type.String(),
    kind: NetworkKind,
    enabled: Type.Boolean(),
    interface: Type.String(),
    subnets: Type.Array(Type.String()),
    policy: Type.String(),
  })),
  dns: DnsStatsSchema,
  dhcp: DhcpStatus,
  // Optional so a status from a daemon before network enforcement still reads.
  firewall: Type.Optional(FirewallStatus),
  shaping: Type.Optional(ShapingStatus),
  lists: Type.Object({
    names: Type.Integer({ minimum: 0 }),
    compileMs: Type.Integer({ minimum: 0 }),
    loadedAt: Type.Union([Type.String(), Type.Null()]),
    fromCache: Type.Boolean({ description: 'the lists in service were loaded from the compiled cache (DATA_DIR/compiled), not compiled' }),
    problems: Type.Integer({ minimum: 0, description: 'lists with bad lines or that could not be read' }),
  }),
  eventLoopDelayMs: Type.Object({
    p50: Type.Number(), p99: Type.Number(), max: Type.Number(),
  }, { description: 'how long the event loop was kept waiting since start (ms): DNS answers wait at least this long' }),
  memory: Type.Object({
    rssBytes: Type.Integer({ minimum: 0, description: 'resident memory of the whole daemon, every thread' }),
    heapUsedBytes: Type.Integer({ minimum: 0, description: "the main thread's V8 heap in use" }),
    heapTotalBytes: Type.Integer({ minimum: 0, description: "the main thread's V8 heap as reserved" }),
    arrayBuffersBytes: Type.Integer({ minimum: 0, description: "this thread's typed-array memory outside the V8 heap (the compiled lists, shared by every thread, are dns.matcher.bytes)" }),
    form: Type.Union([Type.Literal('built'), Type.Literal('source')], {
      description: 'built: the JavaScript from `npm run build`; source: the TypeScript run through Node\'s type stripper (more memory)',
    }),
  }),
  queryLog: QueryLogStatsSchema,
  // Optional so a status from a daemon before alerts still reads.
  alerts: Type.Optional(AlertsStatus),
  // Optional so a status from a daemon before vouchers' policies still reads.
  vouchers: Type.Optional(VoucherPolicyStatus),
  // Optional so a status from a daemon before syslog forwarding still reads.
  fleet: Type.Optional(FleetStatus),
  // Optional so a status from a daemon before the appliance's release and backup facts still reads.
  release: Type.Optional(ReleaseStatus),
  backups: Type.Optional(BackupStatus),
  // Optional so a status from a daemon before it still reads.
  attention: Type.Optional(Type.Array(Attention, { description: 'what needs a technician or the head now, each with what to do (firmware/monitor/attention.ts); empty when all is well' })),
  admin: Type.Object({
    url: Type.String(),
    https: Type.Optional(Type.Object({
      urls: Type.Array(Type.String(), { description: 'where the admin UI answers over HTTPS' }),
      fingerprint: Type.String({ description: "the SHA-256 fingerprint of the gateway's certificate, to compare with the browser's" }),
    })),
    setupCode: Type.Optional(Type.String({ description: 'the one-time first-run setup code, while no account exists (shown on the console only, never over HTTP)' })),
  }),
  state: Type.Object({
    schemaVersion: Type.Integer(),
    devices: Type.Integer(),
    auditEntries: Type.Integer(),
  }),
});
export type DaemonStatus = Static<typeof DaemonStatus>;

/** This process's memory, as `status` reports it. */
export function memoryStatus(): DaemonStatus['memory'] {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, arrayBuffersBytes: m.arrayBuffers, form: BUILT ? 'built' : 'source' };
}
