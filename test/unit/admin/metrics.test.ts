// GET /metrics: the status in the Prometheus text format, read back with a strict parser of that
// format so a malformed line, an undeclared metric or a badly escaped label fails here.
import { describe, expect, it } from 'vitest';
import { METRICS_CONTENT_TYPE, escapeLabelValue, renderMetrics } from '../../../firmware/admin/metrics.ts';
import { ATTENTION_IDS } from '../../../firmware/monitor/attention-schema.ts';
import { testAdmin } from './admin-app.ts';
import { HOSTILE, sampleStatus } from '../status-fixture.ts';

interface Parsed {
  types: Map<string, string>;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** A strict reader of the text format: anything it does not recognise is an error. */
function parseExposition(text: string): Parsed {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const samples: Parsed['samples'] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      const [, what, name, rest] = meta;
      if (what === 'HELP') {
        expect(helped.has(name!), `second HELP for ${name}`).toBe(false);
        helped.add(name!);
      } else {
        expect(['counter', 'gauge']).toContain(rest);
        expect(types.has(name!), `second TYPE for ${name}`).toBe(false);
        types.set(name!, rest!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const [, name, labelText, valueText] = m;
    expect(types.has(name!), `${name} has no TYPE before its samples`).toBe(true);
    if (types.get(name!) === 'counter') expect(name!.endsWith('_total')).toBe(true);
    const labels: Record<string, string> = {};
    let rest = labelText ?? '';
    while (rest.length > 0) {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
      if (!label) throw new Error(`bad labels: ${JSON.stringify(labelText)}`);
      labels[label[1]!] = label[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(label[0].length);
    }
    const value = Number(valueText);
    expect(Number.isFinite(value), `value of ${line}`).toBe(true);
    samples.push({ name: name!, labels, value });
  }
  return { types, samples };
}

function value(p: Parsed, name: string, labels: Record<string, string> = {}): number | undefined {
  return p.samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
}

describe('metrics', () => {
  it('escapes label values as the format requires', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });

  it('renders every counter and gauge of the status, each declared, with its labels intact', () => {
    const p = parseExposition(renderMetrics(sampleStatus()));
    expect(value(p, 'schoolgate_build_info', { version: '0.1.0', node: 'v24.21.0', site: HOSTILE })).toBe(1);
    expect(value(p, 'schoolgate_dns_queries_total')).toBe(1500);
    expect(value(p, 'schoolgate_dns_answers_total', { verdict: 'blocked' })).toBe(480);
    expect(value(p, 'schoolgate_dns_network_queries_total', { network: '(outside)' })).toBe(20);
    expect(value(p, 'schoolgate_dns_upstream_failures_total', { upstream: 'Provider "A"' })).toBe(7);
    expect(value(p, 'schoolgate_dns_upstream_failing', { upstream: 'Provider "A"', address: '192.0.2.53', port: '53' })).toBe(1);
    expect(value(p, 'schoolgate_dns_upstream_failing', { upstream: 'backup', address: '2001:db8::53', port: '53' })).toBe(0);
    expect(value(p, 'schoolgate_dns_cache_stale_hits_total')).toBe(4);
    expect(value(p, 'schoolgate_dns_events_dropped_total')).toBe(9);
    expect(value(p, 'schoolgate_lists_names')).toBe(1_000_000);
    expect(value(p, 'schoolgate_lists_compile_seconds')).toBe(0.64);
    expect(value(p, 'schoolgate_event_loop_delay_seconds', { quantile: '0.99' })).toBe(0.0025);
    expect(value(p, 'schoolgate_query_log_written_total')).toBe(1400);
    expect(value(p, 'schoolgate_resident_memory_bytes')).toBe(150_000_000);
    // Every declared metric has at least one sample: nothing is announced and left empty.
    for (const name of p.types.keys()) expect(p.samples.some((s) => s.name === name), name).toBe(true);
  });

  it('labels the box for a trust (schoolgate_info) and counts each syslog collector', () => {
    const status = sampleStatus();
    expect(value(parseExposition(renderMetrics(status)), 'schoolgate_info', { school: '', site: HOSTILE, version: '0.1.0' })).toBe(1);
    status.fleet = {
      school: 'urn-123456', events: 40,
      collectors: [
        { collector: 'tls://logs.trust.example:6514', state: 'connected', connectedSince: '2026-11-24T08:00:02.000Z', queued: 0, sent: 40, dropped: 0, failures: 1, lastError: null, lastErrorAt: null },
        { collector: 'tcp://10.0.0.9:601', state: 'waiting', connectedSince: null, queued: 30, sent: 0, dropped: 10, failures: 5, lastError: 'connect ECONNREFUSED', lastErrorAt: '2026-11-24T08:30:00.000Z' },
      ],
    };
    const p = parseExposition(renderMetrics(status));
    expect(value(p, 'schoolgate_info', { school: 'urn-123456', site: HOSTILE, version: '0.1.0' })).toBe(1);
    expect(value(p, 'schoolgate_syslog_connected', { collector: 'tls://logs.trust.example:6514' })).toBe(1);
    expect(value(p, 'schoolgate_syslog_connected', { collector: 'tcp://10.0.0.9:601' })).toBe(0);
    expect(value(p, 'schoolgate_syslog_queued_messages', { collector: 'tcp://10.0.0.9:601' })).toBe(30);
    expect(value(p, 'schoolgate_syslog_dropped_total', { collector: 'tcp://10.0.0.9:601' })).toBe(10);
    expect(value(p, 'schoolgate_syslog_sent_total', { collector: 'tls://logs.trust.example:6514' })).toBe(40);
    expect(value(p, 'schoolgate_syslog_connection_failures_total', { collector: 'tcp://10.0.0.9:601' })).toBe(5);
  });

  it('reports every attention rule by id, 1 for what the status names and 0 for the rest, and nothing from a status without the list', () => {
    const status = sampleStatus();
    expect(parseExposition(renderMetrics(status)).types.has('schoolgate_attention')).toBe(false);
    status.attention = [
      { id: 'upgrade.rolled-back', problem: 'The upgrade to 0.3.0 was rolled back.', todo: 'Find out why.', page: '/upgrade', command: 'schoolgate upgrade status' },
      { id: 'backup.stale', problem: 'The newest backup is 3 days old.', todo: 'Make a backup now.', page: '/backups', command: 'schoolgate backup create' },
    ];
    const p = parseExposition(renderMetrics(status));
    expect(p.types.get('schoolgate_attention')).toBe('gauge');
    const series = p.samples.filter((s) => s.name === 'schoolgate_attention');
    expect(series.map((s) => s.labels.id)).toEqual([...ATTENTION_IDS]);
    expect(series.filter((s) => s.value !== 0).map((s) => [s.labels.id, s.value])).toEqual([['upgrade.rolled-back', 1], ['backup.stale', 1]]);
    status.attention = [];
    expect(parseExposition(renderMetrics(status)).samples.filter((s) => s.name === 'schoolgate_attention' && s.value !== 0)).toEqual([]);
  });

  it('is served at GET /metrics with the format\'s content type and the admin headers', async () => {
    const status = sampleStatus();
    const { app, close } = await testAdmin({ status: () => status });
    try {
      const response = await app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe(METRICS_CONTENT_TYPE);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(value(parseExposition(response.body), 'schoolgate_dns_queries_total')).toBe(1500);
    } finally {
      await close();
    }
  });
});
