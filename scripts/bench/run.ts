// `npm run bench`: every benchmark, one after another, each printing its numbers and its
// machine-readable key=value lines. Numbers live here, never in timed tests (the machines are
// shared and noisy). Extra arguments go to each benchmark (e.g. `npm run bench -- --domains 100000`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const args = process.argv.slice(2);

const benches: Array<{ name: string; file: string; args: string[]; needsRoot?: boolean }> = [
  { name: 'matcher (1M names: compile, memory, lookups)', file: here('./matcher.ts'), args: [] },
  { name: 'DNS: Schoolgate vs dnsmasq (QPS, latency, RSS, reload)', file: here('./dns.ts'), args },
  { name: 'query log at a school\'s pace (bytes written, writer CPU)', file: here('./query-log.ts'), args: [] },
  { name: 'monitoring at a school week\'s scale (ingest with rollups, the review\'s reads, subject access)', file: here('./logs.ts'), args: [] },
  { name: 'the weekly review\'s page at a school year\'s scale (10M events, 2,000 alerts, 52 weeks of reviews)', file: here('./review.ts'), args: [] },
  { name: 'DHCP: Schoolgate vs dnsmasq (DORA/s with perfdhcp, leases after kill -9)', file: here('./dhcp.ts'), args: [], needsRoot: true },
  { name: 'forwarding through the ruleset vs none (iperf3, handshakes), apply and set-element times', file: here('./net.ts'), args: [], needsRoot: true },
  { name: 'network lab bring-up and teardown', file: here('./lab-time.ts'), args: ['3', '--gateway'], needsRoot: true },
];

let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n=== ${bench.name} ===\n`);
  if (bench.needsRoot && process.getuid?.() !== 0) {
    process.stdout.write('skipped: needs root (network namespaces)\n');
    continue;
  }
  const result = spawnSync(process.execPath, [bench.file, ...bench.args], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`${bench.name}: exited with ${result.status ?? result.signal}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
