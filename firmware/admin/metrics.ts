// The daemon's counters in the Prometheus text format (version 0.0.4), for an IT provider that
// watches many schools' gateways from one place: GET /metrics on the admin listener. Rendered
// from the same status object as `schoolgate status` and /api/status, so the three never disagree.
import { ATTENTION_IDS } from '../monitor/attention-schema.ts';
import type { DaemonStatus } from '../status.ts';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Kind = 'counter' | 'gauge';
type Labels = Readonly<Record<string, string>>;
type Sample = readonly [labels: Labels, value: number];

/** A label value as the format wants it: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes only backslash and newline. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

class Exposition {
  readonly #lines: string[] = [];

  metric(name: string, kind: Kind, help: string, samples: readonly Sample[] | number): void {
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${kind}`);
    const all: readonly Sample[] = typeof samples === 'number' ? [[{}, samples]] : samples;
    for (const [labels, value] of all) {
      const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
      this.#lines.push(`${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`);
    }
  }

  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

const byLabel = (label: string, record: Readonly<Record<string, number>>): Sample[] =>
  Object.entries(record).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => [{ [label]: key }, value]);

export function renderMetrics(s: DaemonStatus): string {
  const out = new Exposition();
  const dns = s.dns;
  const c = dns.counters;
  out.metric('schoolgate_build_info', 'gauge', 'Always 1; the labels name the firmware and Node versions and the site.', [[{ version: s.version, node: s.node, site: s.site }, 1]]);
  // The labels a trust's Prometheus joins every other series with (docs/fleet.md): constant per box.
  out.metric('schoolgate_info', 'gauge', "Always 1; school is the school's identifier in its trust (syslog.school, empty when unset), site its name.",
    [[{ school: s.fleet?.school ?? '', site: s.site, version: s.version }, 1]]);
  out.metric('schoolgate_uptime_seconds', 'gauge', 'Seconds since the daemon started.', s.uptimeSeconds);

  out.metric('schoolgate_dns_queries_total', 'counter', 'DNS questions decided, every verdict.', c.queries);
  out.metric('schoolgate_dns_answers_total', 'counter', 'DNS questions by verdict (blocked, forwarded, refused, servfail, ...).', byLabel('verdict', c.byVerdict));
  out.metric('schoolgate_dns_network_queries_total', 'counter', 'DNS questions by network id; "(outside)" for sources on no school network.', byLabel('network', c.byNetwork));
  out.metric('schoolgate_dns_dropped_packets_total', 'counter', 'Packets dropped without a reply (runts, responses, oversized).', c.dropped);
  out.metric('schoolgate_dns_unsent_answers_total', 'counter', 'UDP answers the kernel did not take; the client asks again.', c.unsent);
  out.metric('schoolgate_dns_handler_errors_total', 'counter', 'Bugs caught in the DNS handler, answered SERVFAIL.', c.handlerErrors);
  out.metric('schoolgate_dns_tcp_connections_total', 'counter', 'DNS TCP connections accepted.', c.tcpConnections);
  out.metric('schoolgate_dns_tcp_malformed_total', 'counter', 'DNS TCP connections closed for a malformed frame.', c.tcpMalformed);

  out.metric('schoolgate_dns_upstream_failures_total', 'counter', 'Upstream tries that failed, by upstream.', byLabel('upstream', c.upstreamFailuresByUpstream));
  out.metric('schoolgate_dns_upstream_failing', 'gauge', '1 while an upstream is failing (its last tries failed, no answer since); questions try it after the others.',
    dns.upstreams.map((u) => [{ upstream: u.name, address: u.address, port: String(u.port) }, u.failing ? 1 : 0] as const));

  out.metric('schoolgate_dns_cache_entries', 'gauge', 'Answers in the DNS cache.', dns.cache.entries);
  out.metric('schoolgate_dns_cache_bytes', 'gauge', 'Bytes of answers in the DNS cache.', dns.cache.bytes);
  out.metric('schoolgate_dns_cache_hits_total', 'counter', 'Questions answered from the cache while fresh.', dns.cache.hits);
  out.metric('schoolgate_dns_cache_misses_total', 'counter', 'Cache lookups that found nothing fresh.', dns.cache.misses);
  out.metric('schoolgate_dns_cache_stale_hits_total', 'counter', 'Questions answered from the cache past expiry while every upstream was down.', dns.cache.staleHits);
  out.metric('schoolgate_dns_cache_evictions_total', 'counter', 'Cache entries evicted for room.', dns.cache.evictions);
  out.metric('schoolgate_dns_cache_expired_total', 'counter', 'Cache entries dropped once past their time (stale ones included).', dns.cache.expired);
  out.metric('schoolgate_dns_rate_limit_clients', 'gauge', 'Clients the per-client rate limiter is tracking.', dns.rateLimit.clientsTracked);

  out.metric('schoolgate_dns_events_buffered', 'gauge', 'Decisions waiting in the event buffer for the query log.', dns.events.buffered);
  out.metric('schoolgate_dns_events_capacity', 'gauge', 'Size of the event buffer.', dns.events.capacity);
  out.metric('schoolgate_dns_events_dropped_total', 'counter', 'Decisions the query log lost because the buffer was full.', dns.events.dropped);
  out.metric('schoolgate_query_log_written_total', 'counter', 'Decisions written to the query log (logs.db).', s.queryLog.written);
  out.metric('schoolgate_query_log_write_errors_total', 'counter', 'Query log batches lost to write errors (disk full?).', s.queryLog.writeErrors);
  out.metric('schoolgate_query_log_writer_fell_behind_total', 'counter', 'Times the query log writer fell behind on spare CPU and was given the normal scheduling class to catch up.', s.queryLog.writerFellBehind);

  out.metric('schoolgate_lists_names', 'gauge', 'Distinct listed names in the compiled lists in service.', dns.matcher.names);
  out.metric('schoolgate_lists_bytes', 'gauge', 'Memory held by the compiled lists.', dns.matcher.bytes);
  out.metric('schoolgate_lists_problems', 'gauge', 'Lists with bad lines or that could not be read.', s.lists.problems);
  out.metric('schoolgate_lists_compile_seconds', 'gauge', 'How long the lists in service took to compile.', s.lists.compileMs / 1000);

  out.metric('schoolgate_event_loop_delay_seconds', 'gauge', 'How long the event loop (every DNS answer) was kept waiting since start, by quantile.', [
    [{ quantile: '0.5' }, s.eventLoopDelayMs.p50 / 1000],
    [{ quantile: '0.99' }, s.eventLoopDelayMs.p99 / 1000],
  ]);
  out.metric('schoolgate_event_loop_delay_max_seconds', 'gauge', 'The longest the event loop was kept waiting since start.', s.eventLoopDelayMs.max / 1000);
  out.metric('schoolgate_resident_memory_bytes', 'gauge', 'Resident memory of the daemon, every thread.', s.memory.rssBytes);
  out.metric('schoolgate_heap_used_bytes', 'gauge', "The main thread's V8 heap in use.", s.memory.heapUsedBytes);
  out.metric('schoolgate_devices', 'gauge', 'Devices on record.', s.state.devices);
  if (s.alerts) {
    out.metric('schoolgate_alerts_open', 'gauge', 'Open (unacknowledged) alerts, by severity.', byLabel('severity', s.alerts.open));
    out.metric('schoolgate_alert_delivery_failures_total', 'counter', 'Alert e-mails and webhook calls that failed.', s.alerts.deliveryFailures);
  }
  if (s.attention) {
    // Every rule's series, 0 when all is well: an alert rule can tell "fixed" from "not scraped",
    // and the id (14 of them, attention-schema.ts) keeps the label's values few and fixed.
    const found = s.attention;
    out.metric('schoolgate_attention', 'gauge', 'What needs attention now (schoolgate status, the Health page), by rule id (backup.stale, upgrade.rolled-back, ...); 0 when all is well.',
      ATTENTION_IDS.map((id) => [{ id }, found.filter((a) => a.id === id).length] as const));
  }
  if (s.fleet && s.fleet.collectors.length > 0) {
    const each = (value: (c: NonNullable<DaemonStatus['fleet']>['collectors'][number]) => number): Sample[] =>
      s.fleet!.collectors.map((c) => [{ collector: c.collector }, value(c)]);
    out.metric('schoolgate_syslog_connected', 'gauge', '1 while the syslog collector is connected.', each((c) => (c.state === 'connected' ? 1 : 0)));
    out.metric('schoolgate_syslog_queued_messages', 'gauge', 'Messages waiting for the syslog collector.', each((c) => c.queued));
    out.metric('schoolgate_syslog_sent_total', 'counter', 'Messages written to the syslog collector.', each((c) => c.sent));
    out.metric('schoolgate_syslog_dropped_total', 'counter', 'Messages dropped because the queue for the syslog collector was full.', each((c) => c.dropped));
    out.metric('schoolgate_syslog_connection_failures_total', 'counter', 'Connections to the syslog collector that failed or broke.', each((c) => c.failures));
  }
  return out.toString();
}
