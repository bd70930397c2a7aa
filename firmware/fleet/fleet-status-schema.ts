// The fleet's part of `schoolgate status`, the status API and /metrics: the school's identifier
// and how each syslog collector is doing.
import { Type, type Static } from 'typebox';

const Count = Type.Integer({ minimum: 0 });
const Instant = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const CollectorState = Type.Union([
  Type.Literal('connecting'), Type.Literal('connected'), Type.Literal('waiting'), Type.Literal('failed'), Type.Literal('closed'),
], { description: 'connecting; connected; waiting to reconnect after a failure; failed: cannot be set up (a CA or key file), nothing is tried until the configuration changes; closed' });
export type CollectorState = Static<typeof CollectorState>;

export const SyslogCollectorStatus = Type.Object({
  collector: Type.String({ description: 'transport://host:port' }),
  state: CollectorState,
  connectedSince: Instant,
  queued: Type.Integer({ minimum: 0, description: 'messages waiting for the collector' }),
  sent: Type.Integer({ minimum: 0, description: 'messages written to the connection since start' }),
  dropped: Type.Integer({ minimum: 0, description: 'messages dropped since start because the queue was full (the collector away too long)' }),
  failures: Type.Integer({ minimum: 0, description: 'connections that failed or broke since start' }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastErrorAt: Instant,
});
export type SyslogCollectorStatus = Static<typeof SyslogCollectorStatus>;

export const FleetStatus = Type.Object({
  school: Type.Union([Type.String(), Type.Null()], { description: "the school's identifier in its trust (syslog.school), null when not set" }),
  collectors: Type.Array(SyslogCollectorStatus),
  events: Count,
});
export type FleetStatus = Static<typeof FleetStatus>;
