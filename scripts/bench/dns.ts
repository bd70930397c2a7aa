// `npm run bench:dns`: Schoolgate's DNS filter against Debian's dnsmasq on the same list, same
// workload, same machine, in one run. Everything runs on loopback; the "internet" is a third
// dnsmasq that knows only the allowed names (--no-resolv, so nothing is ever forwarded off the box).
// See scripts/bench/dns/README.md for what each number means and how to benchmark by hand.
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanupAll, cpuSeconds, installExitHandlers, interrupted, onCleanup, peakRssMb, rssMb } from './dns/children.ts';
import { startDnsmasq } from './dns/dnsmasq.ts';
import { runDnsperf, type PerfOptions, type PerfResult } from './dns/dnsperf.ts';
import { acrossPhase } from './dns/memory-phases.ts';
import { freePort } from './dns/ports.ts';
import { startCalibratedEcho, type Measure } from './dns/same-cost-echo.ts';
import { describe, Prober, tallyAnswers, waitUntilBlocked, type Server } from './dns/probe.ts';
import { measured, median, printReport, type Results, type Side, type SideResult } from './dns/report.ts';
import { buildFirmware } from '../build-firmware.ts';
import { ensurePrerequisites } from '../prerequisites.ts';
import { benchConfig, BUILT_COMMAND, SchoolgateProcess, SOURCE_COMMAND } from './dns/schoolgate.ts';
import { allowedAddress, DEFAULT_SEED, generateWorkload, writeWorkload } from './dns/workload.ts';

const USAGE = `node scripts/bench/dns.ts [options]
  --domains N          listed domains (default 1000000)
  --seconds S          length of each dnsperf run (default 10)
  --rounds R           peak rounds per side, alternating (default 3)
  --half-rounds R      half-peak rounds per side and for the same-cost echo, rotating (default 3)
  --clients C          dnsperf -c (default 8)
  --outstanding Q      dnsperf -q, queries in flight (default 100, dnsperf's own)
  --only SIDE          dnsmasq | schoolgate (ratios are then NaN)
  --block-answer A     Schoolgate's policy blockAnswer: nxdomain (default), null-address, block-page
  --threads N          Schoolgate's dns.threads: threads answering UDP (default 1)
  --udp-io M           Schoolgate's dns.udpIo: batched (default: the netio addon, as the image
                       runs it) or node (Node's dgram), to compare the two
  --dnsmasq-log-queries  give the reference dnsmasq --log-queries too (to a file)
  --source             run Schoolgate from its TypeScript sources instead of the build (dist/)
  --nice N             run both servers and the same-cost echo at niceness N (nice -n; default:
                       inherited), e.g. --nice=-5 to see how much of the tail is the scheduler
  --seed N             workload seed (default ${DEFAULT_SEED})
  --keep               keep the temp directory (lists, logs, dnsperf output)`;

const { values: opts } = parseArgs({
  options: {
    domains: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    'half-rounds': { type: 'string', default: '3' },
    clients: { type: 'string', default: '8' },
    outstanding: { type: 'string', default: '100' },
    only: { type: 'string' },
    'block-answer': { type: 'string', default: 'nxdomain' },
    threads: { type: 'string', default: '1' },
    'udp-io': { type: 'string', default: 'batched' },
    'dnsmasq-log-queries': { type: 'boolean', default: false },
    source: { type: 'boolean', default: false },
    nice: { type: 'string' },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const positive = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${text}"\n${USAGE}`);
  return n;
};
const DOMAINS = positive('domains', opts.domains);
const SECONDS = positive('seconds', opts.seconds);
const ROUNDS = positive('rounds', opts.rounds);
const HALF_ROUNDS = positive('half-rounds', opts['half-rounds']);
const THREADS = positive('threads', opts.threads);
const NICE = opts.nice === undefined ? undefined : Number(opts.nice);
if (NICE !== undefined && !(Number.isInteger(NICE) && NICE >= -20 && NICE <= 19)) throw new Error(`--nice must be an integer from -20 to 19, got "${opts.nice}"\n${USAGE}`);
const UDP_IO = (['batched', 'node'] as const).find((m) => m === opts['udp-io']) ?? (() => {
  throw new Error(`--udp-io: batched or node, not ${opts['udp-io']}\n${USAGE}`);
})();
const BLOCK_ANSWERS = ['nxdomain', 'null-address', 'block-page'] as const;
const blockAnswer = BLOCK_ANSWERS.find((a) => a === opts['block-answer']) ?? (() => {
  throw new Error(`--block-answer: ${opts['block-answer']}?\n${USAGE}`);
})();
if (opts.only !== undefined && opts.only !== 'dnsmasq' && opts.only !== 'schoolgate') throw new Error(`--only: ${opts.only}?\n${USAGE}`);
const runs = (side: Side): boolean => opts.only === undefined || opts.only === side;
if (Number(process.versions.node.split('.')[0]) < 24) throw new Error(`run on Node 24: npm run bench:dns, or ./node_modules/.bin/node scripts/bench/dns.ts from the checkout (this is ${process.version})`);
ensurePrerequisites(['bench:dns'], 'npm run bench:dns');

// Loopback only. The pupil network of the embedded defaults is 127.20.0.0/16, so dnsperf and the
// probes ask from there; the block page (if chosen) is that network's gateway address.
const PUPIL = '127.20.0.5';
const PROBE_FROM = '127.20.0.6';
const BLOCK_PAGE = '127.20.0.1';
const log = (message: string): void => { process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`); };
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

installExitHandlers();
const workDir = await mkdtemp(join(tmpdir(), 'schoolgate-bench-dns-'));
onCleanup(() => (opts.keep ? log(`kept ${workDir}`) : rm(workDir, { recursive: true, force: true })));

async function main(): Promise<void> {
  const notes: string[] = [
    ...(NICE === undefined ? [] : [`both servers and the same-cost echo run at nice ${NICE} (the upstream and dnsperf at the bench's own)`]),
    `Schoolgate dns.threads ${THREADS}, dns.udpIo ${UDP_IO}, run ${opts.source ? 'from its TypeScript sources (--source)' : 'as built JavaScript (dist/, as the image runs it)'}`,
    'comparison mix uses exact listed names only: a dnsmasq hosts file does not cover subdomains (the subdomain probe shows the difference)',
    `dnsmasq: Debian defaults (cache-size 150, dns-forward-max 150)${opts['dnsmasq-log-queries'] ? ', --log-queries to a file' : ', no --log-queries'}; Schoolgate: blockAnswer ${blockAnswer}, query log on (every decision to logs.db through its event buffer; events.dropped below counts what the log could not keep up with)`,
  ];
  let t = performance.now();
  const workload = generateWorkload({ domains: DOMAINS, seed: Number(opts.seed) });
  const files = await writeWorkload(workload, join(workDir, 'workload'));
  const generateMs = performance.now() - t;
  log(`workload: ${DOMAINS} listed, ${workload.allowed.length} allowed, ${workload.queries.length} queries in ${generateMs.toFixed(0)} ms (${workDir})`);

  const prober = await Prober.open(PROBE_FROM);
  onCleanup(() => prober.close());
  const upstream: Server = { address: '127.0.0.53', port: await freePort('127.0.0.53') };
  const up = startDnsmasq({ name: 'upstream', ...upstream, hostsFile: files.allowedHosts, workDir });
  await waitForAnswer(prober, upstream, workload.allowed[0]!, 'the upstream dnsmasq', up.logFile);

  const sides: Partial<Record<Side, SideResult>> = {};
  const servers: Partial<Record<Side, Server>> = {};
  const pids: Partial<Record<Side, number>> = {};
  const listedSample = sample(workload.listed, 300).map((name) => ({ name }));
  const allowedSample = sample(workload.allowed.map((name, i) => ({ name, expected: allowedAddress(i) })), 300);
  const subSample = workload.subdomains.slice(0, 100).map((name) => ({ name }));

  if (runs('dnsmasq')) {
    const server = { address: '127.0.0.1', port: await freePort('127.0.0.1') };
    const peer = startDnsmasq({ name: 'dnsmasq', ...server, hostsFile: files.hostsList, server: upstream, workDir, logQueries: opts['dnsmasq-log-queries'], ...(NICE === undefined ? {} : { nice: NICE }) });
    const blocked = await waitUntilBlocked(prober, server, workload.listed[0]!, BLOCK_PAGE, 180_000, 20);
    const load = blocked.ms === undefined ? undefined : performance.now() - peer.spawnedAt;
    log(`dnsmasq: ${load === undefined ? `listed name not blocked in 180 s (${describe(blocked.last)})` : `listed name blocked ${load.toFixed(0)} ms after spawn`}`);
    servers.dnsmasq = server;
    pids.dnsmasq = peer.child.pid;
    sides.dnsmasq = {
      load: measured(load, `listed name not blocked within 180 s, last answer ${describe(blocked.last)}`),
      rssLoadMb: rssMb(peer.child.pid), rssAfterMb: Number.NaN, anonAfterMb: Number.NaN, peakRssMb: Number.NaN, peak: [], half: [],
      check: await check(prober, server, listedSample, allowedSample, subSample),
    };
  }

  let sg: SchoolgateProcess | undefined;
  const memory: Results['memory'] = {};
  let reloadSwap = measured(undefined, 'schoolgate was not run');
  const reloads: Results['reloads'] = [];
  const listText = await readFile(files.domainList, 'utf8');
  // Each reload adds one new name: if the daemon really recompiles the list, that name becomes
  // blocked, which is the observable end of "compile + swap".
  const addToList = async (name: string): Promise<void> => {
    const tmp = `${files.domainList}.tmp`;
    await writeFile(tmp, `${listText}${name}\n`);
    await rename(tmp, files.domainList);
  };
  if (runs('schoolgate')) {
    const server = { address: '127.0.0.1', port: await freePort('127.0.0.1') };
    const config = benchConfig({
      listFile: files.domainList, domains: DOMAINS, dns: server, upstream, blockAnswer, threads: THREADS, udpIo: UDP_IO,
      admin: { address: '127.0.0.1', port: await freePort('127.0.0.1') },
    });
    if (!opts.source) buildFirmware();
    const command = opts.source ? SOURCE_COMMAND : BUILT_COMMAND;
    sg = await SchoolgateProcess.start(config, join(workDir, 'schoolgate'), NICE === undefined ? command : ['nice', '-n', String(NICE), ...command]);
    const readyMs = await sg.waitReady();
    const blocked = await waitUntilBlocked(prober, server, workload.listed[0]!, BLOCK_PAGE, 30_000, 20);
    const load = blocked.ms === undefined ? undefined : performance.now() - sg.spawnedAt;
    log(`schoolgate: ready (status answers) ${readyMs.toFixed(0)} ms after spawn; ${load === undefined ? `listed name NOT blocked 30 s later (${describe(blocked.last)})` : `listed name blocked ${load.toFixed(0)} ms after spawn`}`);
    if (load === undefined) notes.push(`Schoolgate did not block a listed name (answer: ${describe(blocked.last)}): list not wired into the matcher? Its QPS below is forwarding/answering throughput, not filtering`);
    servers.schoolgate = server;
    pids.schoolgate = sg.child.pid;
    sides.schoolgate = {
      load: measured(load, `listed name not blocked within 30 s of ready, last answer ${describe(blocked.last)}`),
      rssLoadMb: rssMb(sg.child.pid), rssAfterMb: Number.NaN, anonAfterMb: Number.NaN, peakRssMb: Number.NaN, peak: [], half: [],
      check: await check(prober, server, listedSample, allowedSample, subSample),
    };

    await addToList('bench-canary-1.reload.test');
    t = performance.now();
    const reloaded = await acrossPhase(sg.child.pid!, async () => {
      const reply = await sg!.reloadLists();
      return { reply, swapped: await waitUntilBlocked(prober, server, 'bench-canary-1.reload.test', BLOCK_PAGE, 15_000, 2) };
    });
    const { reply: idle, swapped } = reloaded.result;
    memory.reload = reloaded.memory;
    reloadSwap = measured(swapped.ms === undefined ? undefined : performance.now() - t,
      `after "${idle.method}" a name added to the list was not blocked within 15 s (answer ${describe(swapped.last)})`);
    reloads.push({ when: 'idle', ...idle });
    log(`schoolgate idle reload: ${Number.isFinite(reloadSwap.value) ? `new name blocked ${reloadSwap.value.toFixed(0)} ms after the reload request` : reloadSwap.why}`);
  }

  const measure: Measure = async (server, pid, label, extra) => {
    const cpuBefore = cpuSeconds(pid);
    const result = await runDnsperf({
      label, server, from: PUPIL, queryFile: files.queryFile, seconds: SECONDS,
      clients: positive('clients', opts.clients), outstanding: positive('outstanding', opts.outstanding), workDir, ...extra,
    });
    result.serverCpuUs = ((cpuSeconds(pid) - cpuBefore) * 1e6) / result.completed;
    return result;
  };
  const perf = (side: Side, label: string, extra: Partial<PerfOptions>): Promise<PerfResult> => measure(servers[side]!, pids[side], label, extra);
  const order = (['dnsmasq', 'schoolgate'] as const).filter(runs);
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first, so a slow patch of the shared machine does not favour one side.
    for (const side of round % 2 === 0 ? order : [...order].reverse()) {
      const result = await perf(side, `${side}-peak-${round + 1}`, {});
      sides[side]!.peak.push(result);
      log(`round ${round + 1} ${side}: ${result.qps.toFixed(0)} QPS, avg ${result.avgMs.toFixed(3)} ms, lost ${result.lost}`);
      await pause(1000);
    }
  }

  const reference = sides.schoolgate ?? sides.dnsmasq!;
  const halfQps = measured(median(reference.peak.map((p) => p.qps)) / 2, 'no peak QPS measured');
  // At a fixed rate, let dnsperf keep 50 ms of queries in flight: with its default 100 it stops
  // sending at once while a server stalls (a reload, a GC pause), hiding the stall. Not more:
  // dnsperf 2.10 sends a burst of several times the asked rate once about 1.15 x -q queries have
  // gone out (measured against a bare echo server: -q 5000 at 0.25 s, 20000 at 0.93 s, 49438 at
  // 2.33 s, 3-4x the rate for ~0.2 s), which is not half of anyone's peak.
  let sameCost: Results['sameCostEcho'];
  const openLoop = Math.min(65_000, Math.max(positive('outstanding', opts.outstanding), Math.ceil(halfQps.value * 0.05)));
  if (Number.isFinite(halfQps.value)) {
    notes.push(`half-peak and reload runs use dnsperf -q ${openLoop} (50 ms of queries at that rate), so a stalled server keeps receiving queries; lost queries count as slower than any answer in p50/p99/p99.9`);
    const half: Partial<PerfOptions> = { maxQps: halfQps.value, perQuery: true, outstanding: openLoop };
    const sgCpuUs = sides.schoolgate ? median(sides.schoolgate.peak.map((p) => p.serverCpuUs)) : Number.NaN;
    const echo = Number.isFinite(sgCpuUs) ? await startCalibratedEcho(sgCpuUs, measure, NICE) : undefined;
    if (echo) sameCost = { echoCpuUs: echo.echoCpuUs, burnUs: echo.burnUs, half: [] };
    try {
      // One tail sample says little on a shared machine: several rounds, the order rotating, the median kept.
      const runners: { name: string; run: (label: string) => Promise<PerfResult>; keep: (r: PerfResult) => void }[] = order.map((side) => ({
        name: side, run: (label: string) => perf(side, label, half), keep: (r: PerfResult) => { sides[side]!.half.push(r); },
      }));
      if (echo && sameCost) {
        const results = sameCost.half;
        runners.push({ name: 'same-cost echo', run: (label) => measure(echo.server, echo.pid, label, half), keep: (r) => { results.push(r); } });
      }
      for (let round = 0; round < HALF_ROUNDS; round++) {
        for (let k = 0; k < runners.length; k++) {
          const runner = runners[(round + k) % runners.length]!;
          const result = await runner.run(`${runner.name.replace(/ /g, '-')}-half-${round + 1}`);
          runner.keep(result);
          log(`half load round ${round + 1} ${runner.name}: ${result.qps.toFixed(0)} QPS, p99 ${result.p99Ms.toFixed(3)} ms`);
          await pause(1000);
        }
      }
    } finally {
      await echo?.stop();
    }
    if (sides.schoolgate) notes.push(`half-peak load is half of Schoolgate's median peak (${halfQps.value.toFixed(0)} QPS offered, dnsperf -Q) for every side, ${HALF_ROUNDS} round(s) each; p50/p99 from dnsperf -v per-query latencies (nearest rank), median over the rounds`);
  }

  let reloadUnderLoad: Results['reloadUnderLoad'];
  if (sg && servers.schoolgate && Number.isFinite(halfQps.value)) {
    let canaryMs = measured(undefined, 'reload not triggered');
    const server = servers.schoolgate;
    const result = await perf('schoolgate', 'schoolgate-reload', {
      maxQps: halfQps.value, perQuery: true, outstanding: openLoop,
      during: {
        afterMs: (SECONDS * 1000) / 2,
        action: async () => {
          await addToList('bench-canary-2.reload.test');
          const t0 = performance.now();
          reloads.push({ when: 'under load', ...await sg!.reloadLists() });
          const swapped = await waitUntilBlocked(prober, server, 'bench-canary-2.reload.test', BLOCK_PAGE, 15_000, 2);
          canaryMs = measured(swapped.ms === undefined ? undefined : performance.now() - t0,
            `the added name was not blocked within 15 s (answer ${describe(swapped.last)}), so no list was recompiled`);
        },
      },
    });
    const lost = Number.isFinite(canaryMs.value)
      ? measured(result.lost, 'dnsperf printed no "Queries lost"')
      : { value: Number.NaN, why: `no list reload was observed (${canaryMs.why}); dnsperf lost ${result.lost} across a reload that did not swap lists` };
    reloadUnderLoad = { perf: result, canaryMs, lost };
    log(`reload under load: lost ${result.lost}, new name blocked after ${Number.isFinite(canaryMs.value) ? `${canaryMs.value.toFixed(0)} ms` : 'never'}`);
  }

  for (const side of order) {
    sides[side]!.rssAfterMb = rssMb(pids[side]);
    sides[side]!.anonAfterMb = rssMb(pids[side], 'RssAnon');
    sides[side]!.peakRssMb = peakRssMb(pids[side]);
  }
  // Last, after every figure above was read: the import leaves the daemon with a second 1M-name list.
  if (sg && !interrupted()) await measureImport(sg, workload.listed, memory);
  let schoolgateCounters: unknown;
  if (sg) {
    const status = await sg.status();
    const c = status.dns.counters;
    // queryLog is read loosely: its shape is still changing under other engineers' hands.
    const queryLog = (status as unknown as Record<string, unknown>).queryLog;
    schoolgateCounters = { byVerdict: c.byVerdict, handlerErrors: c.handlerErrors, upstreamFailures: c.upstreamFailures, events: status.dns.events, queryLog };
    const problems = sg.problems();
    if (problems.length) notes.push(`Schoolgate logged ${problems.length} warning/error line(s); first: ${problems[0]!.slice(0, 300)}`);
  }
  printReport({
    domains: DOMAINS, queries: workload.queries.length, seconds: SECONDS, rounds: ROUNDS, generateMs, sides, halfQps, reloadSwap, reloads,
    loggedCompile: sg ? sg.compileReports() : [], memory, ...(reloadUnderLoad ? { reloadUnderLoad } : {}), ...(sameCost ? { sameCostEcho: sameCost } : {}), schoolgateCounters, notes,
  });
}

/**
 * `schoolgate lists import` of a second list as big as the first (its names are new: each listed
 * name under "imp."), then a reload of the very same lists: an import must cost the daemon no
 * more memory than that reload, and keep no more after it.
 */
async function measureImport(sg: SchoolgateProcess, listed: readonly string[], memory: Results['memory']): Promise<void> {
  const file = join(workDir, 'import.txt');
  await writeFile(file, `${listed.map((name) => `imp.${name}`).join('\n')}\n`);
  const imported = await acrossPhase(sg.child.pid!, () => sg.importList(file, 'adult', 'bench-import'));
  const heap = (await sg.status()).memory;
  memory.import = { ...imported.memory, ms: imported.result.ms, heapUsedAfterMb: heap.heapUsedBytes / 2 ** 20, heapTotalAfterMb: heap.heapTotalBytes / 2 ** 20 };
  log(`import of ${listed.length} names: ${imported.result.ms.toFixed(0)} ms, RSS ${imported.memory.beforeMb.toFixed(1)} -> peak ${imported.memory.peakMb.toFixed(1)} -> ${imported.memory.afterMb.toFixed(1)} MB, main heap ${memory.import.heapUsedAfterMb.toFixed(1)} MB used`);
  const reloaded = await acrossPhase(sg.child.pid!, () => sg.reloadLists());
  memory.reloadAfterImport = reloaded.memory;
  log(`reload of the same lists: RSS ${reloaded.memory.beforeMb.toFixed(1)} -> peak ${reloaded.memory.peakMb.toFixed(1)} -> ${reloaded.memory.afterMb.toFixed(1)} MB`);
}

/** Evenly spaced picks: deterministic and spread over the whole list. */
function sample<T>(items: readonly T[], n: number): T[] {
  const step = Math.max(1, Math.floor(items.length / n));
  return items.filter((_, i) => i % step === 0).slice(0, n);
}

async function check(prober: Prober, server: Server, listed: { name: string }[], allowed: { name: string; expected: string }[], subs: { name: string }[]): Promise<NonNullable<SideResult['check']>> {
  return {
    listed: await tallyAnswers(prober, server, listed, BLOCK_PAGE),
    allowed: await tallyAnswers(prober, server, allowed, BLOCK_PAGE),
    subdomains: await tallyAnswers(prober, server, subs, BLOCK_PAGE),
  };
}

async function waitForAnswer(prober: Prober, server: Server, name: string, what: string, logFile: string): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < 30_000) {
    const answer = await prober.ask(server, name, 250);
    if (answer.rcode === 'NOERROR' && answer.addresses.length > 0) return;
    await pause(20);
  }
  throw new Error(`${what} on ${server.address}:${server.port} did not answer ${name} within 30 s; see ${logFile} (run with --keep)`);
}

try {
  await main();
  await cleanupAll();
} catch (error) {
  if (!interrupted()) process.stderr.write(`bench:dns failed: ${(error as Error).stack ?? String(error)}\n`);
  await cleanupAll();
  process.exitCode = 1;
}
