// The benchmark's results and how they are printed: a table for people, then the fixed
// machine-readable lines. A value that could not be measured is NaN with the reason printed
// next to it, never a guess.
import type { PerfResult } from './dnsperf.ts';
import type { PhaseMemory } from './memory-phases.ts';
import type { Tally } from './probe.ts';

export type Side = 'dnsmasq' | 'schoolgate';

/** A number, or NaN with why. */
export interface Measured { value: number; why?: string }

export const measured = (value: number | undefined, why: string): Measured =>
  value === undefined || !Number.isFinite(value) ? { value: Number.NaN, why } : { value };

export interface SideResult {
  /** Spawn until a listed name is answered as blocked. */
  load: Measured;
  rssLoadMb: number;
  rssAfterMb: number;
  /** RssAnon after the run: the process's own memory, without mapped executable and libraries. */
  anonAfterMb: number;
  peakRssMb: number;
  check?: { listed: Tally; allowed: Tally; subdomains: Tally };
  peak: PerfResult[];
  /** Half-peak rounds. */
  half: PerfResult[];
}

export interface Results {
  domains: number;
  queries: number;
  seconds: number;
  rounds: number;
  generateMs: number;
  sides: Partial<Record<Side, SideResult>>;
  halfQps: Measured;
  /** Schoolgate: a lists reload with one more listed name, until that name is blocked (idle). */
  reloadSwap: Measured;
  /** What the daemon said about each reload it was asked for. */
  reloads: { when: string; method: string; compileMs: number | undefined }[];
  loggedCompile: { msg: string; field: string; ms: number }[];
  /** Schoolgate's resident memory around the idle reload, a list import, and a reload of the lists the import left. */
  memory: {
    reload?: PhaseMemory;
    import?: PhaseMemory & { ms: number; heapUsedAfterMb: number; heapTotalAfterMb: number };
    reloadAfterImport?: PhaseMemory;
  };
  reloadUnderLoad?: { perf: PerfResult; canaryMs: Measured; lost: Measured };
  /** The p99 reference: a server that only spends Schoolgate's CPU per query (same-cost-echo.ts). */
  sameCostEcho?: { echoCpuUs: number; burnUs: number; half: PerfResult[] };
  schoolgateCounters?: unknown;
  notes: string[];
}

export function median(values: readonly number[]): number {
  // Infinity stays: it is a lost-queries percentile, worse than any number (dnsperf.ts).
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

// Infinity is a percentile that fell among lost queries (dnsperf.ts): printed as what it means.
const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : n === Number.POSITIVE_INFINITY ? 'lost' : 'NaN');
const show = (m: Measured, digits = 0): string => (Number.isFinite(m.value) ? fmt(m.value, digits) : `NaN (${m.why})`);
const rcodes = (r: Record<string, number>): string => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
const tally = (t: Tally): string =>
  `blocked ${t.blocked}, allowed ${t.allowed}, wrong-address ${t['wrong-address']}, other ${t.other}, timeout ${t.timeout} [${rcodes(t.rcodes)}]`;

function ratio(a: number | undefined, b: number | undefined, what: string): Measured {
  if (a === undefined || b === undefined) return { value: Number.NaN, why: `${what}: only one side was run (--only)` };
  return measured(a / b, `${what}: a side has no value`);
}

/** Median p99 over half-peak rounds; a round that lost more than 1% has an infinite p99 and counts as such. */
const medianP99 = (rounds: readonly PerfResult[]): number => median(rounds.map((p) => p.p99Ms));

export function machineValues(r: Results): Record<string, Measured> {
  const qps = (s: Side): number | undefined => (r.sides[s] ? median(r.sides[s].peak.map((p) => p.qps)) : undefined);
  const cpu = (s: Side): number | undefined => (r.sides[s] ? median(r.sides[s].peak.map((p) => p.serverCpuUs)) : undefined);
  const sg = r.sides.schoolgate;
  const { reload, import: imported, reloadAfterImport: after } = r.memory;
  const peakOver = (a: PhaseMemory | undefined, b: number | undefined, what: string): Measured =>
    a === undefined || b === undefined ? { value: Number.NaN, why: `${what} was not run` } : measured(a.peakMb / b, a.why ?? `${what}: no RSS`);
  return {
    qps_ratio_vs_dnsmasq: ratio(qps('schoolgate'), qps('dnsmasq'), 'median peak QPS'),
    cpu_per_query_ratio_vs_dnsmasq: ratio(cpu('schoolgate'), cpu('dnsmasq'), 'server CPU per answered query at peak'),
    rss_ratio_vs_dnsmasq: ratio(sg?.rssAfterMb, r.sides.dnsmasq?.rssAfterMb, 'RSS after the run'),
    reload_peak_ratio: peakOver(reload, reload?.beforeMb, 'the idle reload'),
    import_peak_ratio: peakOver(imported, after?.peakMb, 'the import and the reload after it'),
    compile_1m_ms: sg ? r.reloadSwap : { value: Number.NaN, why: 'schoolgate was not run' },
    reload_lost: r.reloadUnderLoad ? r.reloadUnderLoad.lost : { value: Number.NaN, why: 'schoolgate was not run' },
    p99_ms: sg?.half.length ? measured(medianP99(sg.half), 'no per-query latencies') : { value: Number.NaN, why: 'schoolgate was not run at half peak' },
    p99_same_cost_echo_ms: r.sameCostEcho?.half.length ? measured(medianP99(r.sameCostEcho.half), 'no per-query latencies') : { value: Number.NaN, why: 'schoolgate was not run at half peak' },
  };
}

export function printReport(r: Results): void {
  const out: string[] = [];
  const line = (s = ''): void => { out.push(s); };
  const sides = (['dnsmasq', 'schoolgate'] as const).filter((s) => r.sides[s]);
  line('');
  line(`DNS benchmark: ${r.domains} listed domains, 10k allowed names, ${r.queries} queries (50% exact listed names, 50% allowed, type A)`);
  line(`${r.rounds} peak round(s) x ${r.seconds} s per side, alternating; workload generated in ${fmt(r.generateMs)} ms`);
  line('');
  const col = (s: string): string => s.padEnd(30);
  line(`${''.padEnd(34)}${sides.map((s) => col(s)).join('')}`);
  const row = (label: string, value: (s: SideResult) => string): void => {
    line(`${label.padEnd(34)}${sides.map((s) => col(value(r.sides[s]!))).join('')}`);
  };
  row('load (spawn -> listed name blocked)', (s) => (Number.isFinite(s.load.value) ? `${fmt(s.load.value)} ms` : 'NaN (see below)'));
  row('RSS after load / after run (MB)', (s) => `${fmt(s.rssLoadMb, 1)} / ${fmt(s.rssAfterMb, 1)}`);
  row('RssAnon after run (MB)', (s) => fmt(s.anonAfterMb, 1));
  row('peak RSS, VmHWM (MB)', (s) => fmt(s.peakRssMb, 1));
  row('peak QPS per round', (s) => s.peak.map((p) => fmt(p.qps)).join(' '));
  row('peak QPS median', (s) => fmt(median(s.peak.map((p) => p.qps))));
  row('server CPU per query, peak median (µs)', (s) => fmt(median(s.peak.map((p) => p.serverCpuUs)), 1));
  row('peak avg latency median (ms)', (s) => fmt(median(s.peak.map((p) => p.avgMs)), 3));
  row('peak queries lost (sum)', (s) => String(s.peak.reduce((n, p) => n + p.lost, 0)));
  const halves = (h: readonly PerfResult[], f: (p: PerfResult) => string): string => (h.length ? h.map(f).join(' ') : '-');
  row('half-peak achieved QPS per round', (s) => halves(s.half, (p) => fmt(p.qps)));
  row('half-peak p50 per round (ms)', (s) => halves(s.half, (p) => fmt(p.p50Ms, 3)));
  row('half-peak p99 per round (ms)', (s) => halves(s.half, (p) => fmt(p.p99Ms, 2)));
  row('half-peak p99 median (ms)', (s) => (s.half.length ? fmt(medianP99(s.half), 3) : '-'));
  row('half-peak p99.9 / max, worst round', (s) => halves(s.half.length ? [s.half.reduce((a, b) => (b.p99Ms > a.p99Ms ? b : a))] : [], (p) => `${fmt(p.p999Ms, 2)} / ${fmt(p.maxMs, 2)}`));
  row('half-peak queries lost (sum)', (s) => (s.half.length ? String(s.half.reduce((n, p) => n + p.lost, 0)) : '-'));
  if (r.sameCostEcho?.half.length) {
    const e = r.sameCostEcho;
    line('');
    line(`Half-peak reference: a Node echo server that burns ${fmt(e.burnUs, 1)} µs a query on top of its own ${fmt(e.echoCpuUs, 1)} µs (Schoolgate's CPU per query), same load:`);
    line(`  p99 per round ${e.half.map((p) => fmt(p.p99Ms, 2)).join(' ')} ms, median ${fmt(medianP99(e.half), 3)} ms; p50 ${e.half.map((p) => fmt(p.p50Ms, 3)).join(' ')} ms; lost ${e.half.reduce((n, p) => n + p.lost, 0)}`);
    line("  (what a server of that cost that does nothing else gets on this machine with dnsperf beside it: the machine's share of p99_ms)");
  }
  line('');
  line('Answers (what a blocked name gets; mismatches show here):');
  for (const s of sides) {
    const res = r.sides[s]!;
    if (res.check) {
      line(`  ${s} probe, listed names:      ${tally(res.check.listed)}`);
      line(`  ${s} probe, allowed names:     ${tally(res.check.allowed)}`);
      line(`  ${s} probe, listed subdomains: ${tally(res.check.subdomains)}`);
    }
    for (const [i, p] of res.peak.entries()) line(`  ${s} dnsperf round ${i + 1} response codes: ${rcodes(p.rcodes)}`);
    for (const [i, p] of res.half.entries()) line(`  ${s} dnsperf half-peak round ${i + 1} response codes: ${rcodes(p.rcodes)}`);
  }
  line('');
  line(`Schoolgate list load and reload (${r.domains} domains):`);
  if (r.sides.schoolgate) line(`  load, spawn -> listed name blocked: ${show(r.sides.schoolgate.load)} ms`);
  line(`  reload (one name added to the list) -> that name blocked, idle: ${show(r.reloadSwap)} ms`);
  for (const x of r.reloads) line(`  reload ${x.when}: control call ${x.method}, daemon reports compileMs=${x.compileMs ?? 'none'}`);
  if (r.loggedCompile.length === 0) line('  compile time in the daemon log: none found (no log line about lists with a *ms field)');
  for (const c of r.loggedCompile) line(`  daemon log: "${c.msg}" ${c.field}=${c.ms}`);
  if (r.reloadUnderLoad) {
    const u = r.reloadUnderLoad;
    line(`  reload under load at ${fmt(u.perf.qps)} QPS: lost ${u.perf.lost} of ${u.perf.sent}, codes ${rcodes(u.perf.rcodes)}, `
      + `p99 ${fmt(u.perf.p99Ms, 3)} ms, max ${fmt(u.perf.maxMs, 3)} ms, new name blocked after ${show(u.canaryMs)} ms`);
  }
  const mb = (p: PhaseMemory): string => `RSS ${fmt(p.beforeMb, 1)} MB before, peak (VmHWM) ${Number.isFinite(p.peakMb) ? fmt(p.peakMb, 1) : `NaN (${p.why})`}, ${fmt(p.afterMb, 1)} after`;
  if (r.memory.reload) line(`  memory across the idle reload: ${mb(r.memory.reload)} (reload_peak_ratio: peak / before)`);
  if (r.memory.import) {
    const i = r.memory.import;
    line(`  lists import of a second ${r.domains}-name file (CLI, ${fmt(i.ms)} ms): ${mb(i)}; main thread's V8 heap after: ${fmt(i.heapUsedAfterMb, 1)} MB used of ${fmt(i.heapTotalAfterMb, 1)}`);
  }
  if (r.memory.reloadAfterImport) line(`  a reload of those same lists: ${mb(r.memory.reloadAfterImport)} (import_peak_ratio: the import's peak / this peak)`);
  if (r.schoolgateCounters) line(`  schoolgate counters after the run: ${JSON.stringify(r.schoolgateCounters)}`);
  line('');
  line('Commands:');
  for (const s of sides) {
    const res = r.sides[s]!;
    if (res.peak[0]) line(`  ${s} peak: ${res.peak[0].command}`);
    if (res.half[0]) line(`  ${s} half: ${res.half[0].command}`);
  }
  if (r.reloadUnderLoad) line(`  reload run: ${r.reloadUnderLoad.perf.command}`);
  if (r.notes.length) {
    line('');
    line('Notes:');
    for (const n of r.notes) line(`  - ${n}`);
  }
  line('');
  for (const [key, m] of Object.entries(machineValues(r))) {
    if (!Number.isFinite(m.value)) line(`# ${key} not measured: ${m.why}`);
  }
  for (const [key, m] of Object.entries(machineValues(r))) {
    const digits = key.endsWith('_ratio_vs_dnsmasq') || key.endsWith('_peak_ratio') || key.startsWith('p99_') ? 3 : 0;
    line(`${key}=${Number.isFinite(m.value) ? m.value.toFixed(digits) : m.value === Number.POSITIVE_INFINITY ? 'inf' : 'NaN'}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
