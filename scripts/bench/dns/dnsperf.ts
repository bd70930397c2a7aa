// dnsperf runs and what we read from them. Its output goes to a file, not through a pipe into
// this process: parsing 100k lines a second here would take CPU from the servers on a 2-core box.
// dnsperf 2.10 has no latency histogram, so percentiles come from `-v`, which prints one line per
// answered query with its latency ("> NOERROR name A 0.000108"); lost queries have no line.
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { exited, spawnTracked } from './children.ts';
import type { Server } from './probe.ts';

export interface PerfOptions {
  label: string;
  server: Server;
  from: string;
  queryFile: string;
  seconds: number;
  clients: number;
  outstanding: number;
  /** Offered load; absent for a peak run. */
  maxQps?: number;
  /** Per-query lines for percentiles (costs dnsperf some CPU). */
  perQuery?: boolean;
  workDir: string;
  /** Called once the run is under way, with ms since dnsperf started (the reload test's hook). */
  during?: { afterMs: number; action: () => Promise<void> };
}

export interface PerfResult {
  command: string;
  sent: number;
  completed: number;
  lost: number;
  qps: number;
  avgMs: number;
  minMs: number;
  maxMs: number;
  stddevMs: number;
  rcodes: Record<string, number>;
  /** From the per-query lines; NaN without perQuery. */
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  outFile: string;
  /**
   * CPU time the server (every thread) spent per answered query during the run, in µs: what one
   * query costs whatever the machine's cores. Filled in by the caller, which knows the server's pid.
   */
  serverCpuUs: number;
}

function num(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

export function parseSummary(text: string): Omit<PerfResult, 'command' | 'p50Ms' | 'p99Ms' | 'p999Ms' | 'outFile' | 'serverCpuUs'> {
  const rcodes: Record<string, number> = {};
  const line = /Response codes:\s+(.*)/.exec(text)?.[1] ?? '';
  for (const m of line.matchAll(/([A-Z]+) (\d+) \(/g)) rcodes[m[1]!] = Number(m[2]);
  const latency = /Average Latency \(s\):\s+([\d.]+) \(min ([\d.]+), max ([\d.]+)\)/.exec(text);
  return {
    sent: num(text, /Queries sent:\s+(\d+)/),
    completed: num(text, /Queries completed:\s+(\d+)/),
    lost: num(text, /Queries lost:\s+(\d+)/),
    qps: num(text, /Queries per second:\s+([\d.]+)/),
    avgMs: latency ? Number(latency[1]) * 1000 : Number.NaN,
    minMs: latency ? Number(latency[2]) * 1000 : Number.NaN,
    maxMs: latency ? Number(latency[3]) * 1000 : Number.NaN,
    stddevMs: num(text, /Latency StdDev \(s\):\s+([\d.]+)/) * 1000,
    rcodes,
  };
}

/**
 * Nearest-rank percentile of an ascending array of answered queries' latencies, counting the
 * `lost` queries as slower than any answer (Infinity): a server that drops 2% of a burst has no
 * p99, however fast it answered the rest.
 */
export function percentile(sorted: Float64Array, p: number, lost = 0): number {
  const n = sorted.length + lost;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1));
  return rank < sorted.length ? sorted[rank]! : Number.POSITIVE_INFINITY;
}

/** The end of a file: the summary, without reading megabytes of per-query lines into memory. */
function tail(file: string, bytes = 8192): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

async function perQueryLatencies(file: string): Promise<Float64Array> {
  let values = new Float64Array(1 << 20);
  let n = 0;
  const lines = createInterface({ input: createReadStream(file) });
  for await (const line of lines) {
    if (!line.startsWith('> ')) continue;
    const seconds = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (!Number.isFinite(seconds)) continue;
    if (n === values.length) {
      const bigger = new Float64Array(values.length * 2);
      bigger.set(values);
      values = bigger;
    }
    values[n++] = seconds * 1000;
  }
  return values.subarray(0, n).sort();
}

export function dnsperfArgs(o: PerfOptions): string[] {
  const args = [
    '-s', o.server.address, '-p', String(o.server.port), '-a', o.from,
    '-d', o.queryFile, '-l', String(o.seconds), '-c', String(o.clients), '-q', String(o.outstanding),
    // 2 s, not 5: a query unanswered for 2 s on loopback is lost, and the run ends sooner.
    '-t', '2',
  ];
  if (o.maxQps !== undefined) args.push('-Q', String(Math.round(o.maxQps)));
  if (o.perQuery) args.push('-v');
  return args;
}

export async function runDnsperf(o: PerfOptions): Promise<PerfResult> {
  const args = dnsperfArgs(o);
  const outFile = join(o.workDir, `dnsperf-${o.label}.out`);
  const fd = openSync(outFile, 'w');
  const child = spawnTracked('dnsperf', args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const done = exited(child);
  let actionError: unknown;
  if (o.during) {
    const { afterMs, action } = o.during;
    await new Promise((r) => setTimeout(r, afterMs));
    await action().catch((error: unknown) => { actionError = error; });
  }
  const code = await done;
  if (actionError) throw actionError;
  const text = tail(outFile);
  if (code !== 0) throw new Error(`dnsperf exited with ${code}: dnsperf ${args.join(' ')}\n${text}`);
  const summary = parseSummary(text);
  const latencies = o.perQuery ? await perQueryLatencies(outFile) : new Float64Array(0);
  return {
    command: `dnsperf ${args.join(' ')}`,
    ...summary,
    p50Ms: o.perQuery ? percentile(latencies, 0.5, summary.lost) : Number.NaN,
    p99Ms: o.perQuery ? percentile(latencies, 0.99, summary.lost) : Number.NaN,
    p999Ms: o.perQuery ? percentile(latencies, 0.999, summary.lost) : Number.NaN,
    outFile,
    serverCpuUs: Number.NaN,
  };
}
