// A complete daemon status for the pure renderers' tests (metrics, the CLI's status text),
// checked against the schema so it stays a status the daemon could send.
import { Value } from 'typebox/value';
import { expect } from 'vitest';
import { DaemonStatus } from '../../firmware/status.ts';

export const HOSTILE = 'St Mary\'s "Upper" \\ School\nline two';

export function sampleStatus(): DaemonStatus {
  const status: DaemonStatus = {
    version: '0.1.0', pid: 42, node: 'v24.21.0', startedAt: '2026-11-24T08:00:00.000Z', uptimeSeconds: 3600.5,
    site: HOSTILE, dataDir: '/var/lib/schoolgate', configFile: '/etc/schoolgate/config.json',
    networks: [{ id: 'pupil', name: 'Pupils', kind: 'pupil', enabled: true, interface: 'wlan1', subnets: ['10.20.0.0/16'], policy: 'pupil' }],
    dns: {
      counters: {
        queries: 1500, dropped: 3, unsent: 1, byVerdict: { forwarded: 1000, blocked: 480, refused: 20 },
        byNetwork: { pupil: 1480, '(outside)': 20 }, upstreamFailures: 7, upstreamFailuresByUpstream: { 'Provider "A"': 7 },
        handlerErrors: 0, tcpConnections: 12, tcpMalformed: 2,
      },
      events: { buffered: 5, capacity: 65536, dropped: 9 },
      udpIo: { mode: 'batched' },
      listening: [{ transport: 'udp', address: '10.20.0.1', port: 53 }],
      upstreams: [
        { name: 'Provider "A"', address: '192.0.2.53', port: 53, failing: true },
        { name: 'backup', address: '2001:db8::53', port: 53, failing: false },
      ],
      upstreamSource: 'config',
      rateLimit: { perSecond: 50, clientsTracked: 31 },
      cache: { entries: 200, bytes: 40_000, hits: 300, misses: 700, staleHits: 4, evictions: 6, expired: 8 },
      matcher: { names: 1_000_000, bytes: 28_000_000 },
    },
    dhcp: {
      enabled: true,
      networks: [{ id: 'pupil', interface: 'wlan1', poolSize: 200, free: 150, used: 50, leaseSeconds: 3600, reservations: 2, outcomes: { offer: 60, ack: 55, 'rate-limited': 3 },
        arpProbe: { on: true, probed: 60, inUse: 1, gaveUp: 0, whileProbing: 0 } }],
      malformed: { short: 2 }, unmatched: 1, directOnRelay: 4, sendErrors: 0, storeFailures: 0, rogue: { sightings: 1, probes: 12 },
    },
    lists: { names: 1_000_000, compileMs: 640, loadedAt: '2026-11-24T08:00:01.000Z', fromCache: false, problems: 1 },
    eventLoopDelayMs: { p50: 0.2, p99: 2.5, max: 40 },
    memory: { rssBytes: 150_000_000, heapUsedBytes: 30_000_000, heapTotalBytes: 40_000_000, arrayBuffersBytes: 1_000, form: 'built' },
    queryLog: { written: 1400, committed: 1400, writeErrors: 0, writer: 'idle', writerFellBehind: 0 },
    admin: { url: 'http://10.10.0.1:8080' },
    state: { schemaVersion: 2, devices: 17, auditEntries: 3 },
  };
  // The fixture is a real status, or this test proves nothing about what the daemon serves.
  expect([...Value.Errors(DaemonStatus, status)]).toEqual([]);
  return status;
}

