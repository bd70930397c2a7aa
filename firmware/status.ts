// What `schoolgate status` and the admin page report: one shape for the CLI's --json, the control
// socket and the HTTP API.
import { Type, type Static } from 'typebox';
import { NetworkKind } from './config/schema.ts';
import { DnsStatsSchema } from './dns/service.ts';

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
  queryLog: Type.Object({
    written: Type.Integer({ minimum: 0, description: 'query events written to logs.db since start' }),
    writeErrors: Type.Integer({ minimum: 0, description: 'batches lost to write errors (disk full?)' }),
  }),
  admin: Type.Object({ url: Type.String() }),
  state: Type.Object({
    schemaVersion: Type.Integer(),
    devices: Type.Integer(),
    auditEntries: Type.Integer(),
  }),
});
export type DaemonStatus = Static<typeof DaemonStatus>;
