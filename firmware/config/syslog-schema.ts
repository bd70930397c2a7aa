// Forwarding to a trust's log collector (rsyslog, Loki, a SIEM): the alerts and the gateway's
// notable events as RFC 5424 syslog over TCP (RFC 6587 octet counting) or TLS (RFC 5425). Its own
// file so the fleet's code (firmware/fleet/) reads this shape without the whole document's schema.
// The query log (the pupils' browsing) is never forwarded: it stays on the box, under the school's
// retention, and the subject-access and erasure paths that know where it lives.
import { Type, type Static } from 'typebox';
import { Hostname, IpAddress, Port } from './schema-common.ts';

// PRINTUSASCII (RFC 5424 §6): the header's fields are single words of visible ASCII.
const printable = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, pattern: '^[!-~]+$', description });

// Spelled out, one literal each, so the type is the union of the names and not any string.
export const SyslogFacility = Type.Union([
  Type.Literal('kern'), Type.Literal('user'), Type.Literal('mail'), Type.Literal('daemon'), Type.Literal('auth'), Type.Literal('syslog'), Type.Literal('lpr'), Type.Literal('news'), Type.Literal('uucp'), Type.Literal('cron'), Type.Literal('authpriv'), Type.Literal('ftp'), Type.Literal('ntp'), Type.Literal('audit'), Type.Literal('alert'), Type.Literal('clock'),
  Type.Literal('local0'), Type.Literal('local1'), Type.Literal('local2'), Type.Literal('local3'), Type.Literal('local4'), Type.Literal('local5'), Type.Literal('local6'), Type.Literal('local7'),
], { description: 'the syslog facility every message carries (default local0), which a collector can file by' });
export type SyslogFacility = Static<typeof SyslogFacility>;

export const SyslogCollector = Type.Object({
  host: Type.Union([Hostname, IpAddress], { description: "the collector's name or address; with tls, the name (or IP address) its certificate must carry" }),
  port: Type.Optional(Port),
  transport: Type.Union([Type.Literal('tcp'), Type.Literal('tls')], { description: 'tls (RFC 5425, default port 6514): verified against caFile; tcp (RFC 6587, default port 601): in the clear, for a collector on the same private network or VPN' }),
  caFile: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "PEM certificate(s) of the CA that signed the collector's certificate (an absolute path, or relative to the data directory); default: the system's trusted CAs" })),
  certFile: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "this gateway's client certificate (PEM), for a collector that asks for one; needs keyFile" })),
  keyFile: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'the private key of certFile (PEM, readable by the daemon only: mode 600)' })),
  queueSize: Type.Optional(Type.Integer({ minimum: 10, maximum: 100_000, description: 'messages kept while the collector is unreachable (default 2000); beyond it the oldest are dropped and counted' })),
}, { additionalProperties: false });
export type SyslogCollector = Static<typeof SyslogCollector>;

export const SyslogSettings = Type.Object({
  // Letters, digits and . _ - only: a trust's collector may file by it (a directory per school).
  school: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: "the school's identifier in its trust (e.g. its URN, \"urn-123456\"): in every message's structured data, and the school label of schoolgate_info in /metrics, so a trust's collector and Prometheus tell the schools apart" }),
  collectors: Type.Array(SyslogCollector, { maxItems: 4, description: 'where alerts and events are sent, each on its own connection and queue (none: the school identifier is only shown in /metrics)' }),
  facility: Type.Optional(SyslogFacility),
  appName: Type.Optional(printable(48, 'APP-NAME of every message (default schoolgate)')),
  hostname: Type.Optional(printable(255, "HOSTNAME of every message (default the box's host name)")),
  events: Type.Optional(Type.Object({
    alerts: Type.Optional(Type.Boolean({ description: 'every new alert (default true)' })),
    audit: Type.Optional(Type.Boolean({ description: 'every audit-log entry: configuration changes, sign-ins, acknowledgements, the daemon starting and stopping (default true)' })),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
export type SyslogSettings = Static<typeof SyslogSettings>;
