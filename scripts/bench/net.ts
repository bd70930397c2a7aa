// `npm run bench:net`: what Schoolgate's nftables table costs forwarded traffic, measured in the
// network lab. From the pupil namespace to the wan namespace through gw: iperf3 TCP throughput
// and TCP handshake round trips, with the full ruleset applied and 1,000 devices' elements in
// its live sets, against the same path with Schoolgate's table removed (routing only),
// alternating in one run. Then the time to apply the whole ruleset with those elements carried
// over, and to add and remove one suspension through FirewallService's queue (the daemon's path).
// Root only (namespaces). Ends with key=value lines.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../../firmware/log.ts';
import { listTable, nftRunner, removeTable } from '../../firmware/net/apply.ts';
import { FirewallService } from '../../firmware/net/service.ts';
import { suspensionEnforcer } from '../../firmware/net/suspensions.ts';
import type { Config } from '../../firmware/config/schema.ts';
import { GW_WAN_INTERFACE, INTERNET } from '../netlab/addresses.ts';
import { NODE, REPO_ROOT } from '../netlab/gateway.ts';
import { Lab } from '../netlab/lab.ts';
import { ensurePrerequisites } from '../prerequisites.ts';
import { benchMac, busySiteElements, ELEMENT_COUNTS } from './net/elements.ts';

const USAGE = `node scripts/bench/net.ts [options]   (root: builds network namespaces)
  --rounds R      rounds per side (ruleset, bare), alternating which goes first (default 6)
  --seconds S     length of each iperf3 run (default 4; its first second is left out)
  --connects N    TCP handshakes timed per side and round (default 400)
  --applies N     whole-ruleset applies timed (default 9)
  --updates N     one-element suspensions added and lifted, each timed (default 200)`;

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string' }, seconds: { type: 'string' }, connects: { type: 'string' }, applies: { type: 'string' },
    updates: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const ROUNDS = Number(opts.rounds ?? 6);
const SECONDS = Number(opts.seconds ?? 4);
const CONNECTS = Number(opts.connects ?? 400);
const APPLIES = Number(opts.applies ?? 9);
const UPDATES = Number(opts.updates ?? 200);
const CLIENT = 'pupil' as const;
const CONNECT_RTT = join(REPO_ROOT, 'scripts/bench/net/connect-rtt.ts');
const TOTAL_ELEMENTS = Object.values(ELEMENT_COUNTS).reduce((a, b) => a + b, 0);

type Side = 'ruleset' | 'bare';

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function iperf(lab: Lab): Promise<number> {
  const r = await lab.exec(CLIENT, ['iperf3', '--client', INTERNET.iperf, '--port', String(INTERNET.iperfPort), '--time', String(SECONDS), '--omit', '1', '--json'],
    { timeoutMs: (SECONDS + 20) * 1000 });
  let bps: number | undefined;
  try {
    bps = (JSON.parse(r.stdout) as { end?: { sum_received?: { bits_per_second?: number } } }).end?.sum_received?.bits_per_second;
  } catch {
    // reported below with the output
  }
  if (r.code !== 0 || bps === undefined) throw new Error(`iperf3 failed (exit ${r.code}): ${r.stdout.slice(0, 600)}${r.stderr}`);
  return bps;
}

async function handshakes(lab: Lab, count: number): Promise<number[]> {
  const r = await lab.exec(CLIENT, [NODE, CONNECT_RTT, INTERNET.web, String(INTERNET.httpPort), String(count)], { cwd: REPO_ROOT, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`connect-rtt failed (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as number[];
}

/** How many elements the live sets hold now (one JSON listing of the table). */
async function elementCount(lab: Lab): Promise<number> {
  const r = await lab.run('gw', ['nft', '-j', 'list', 'table', 'inet', 'schoolgate']);
  const items = (JSON.parse(r.stdout) as { nftables: Array<{ set?: { elem?: unknown[] } }> }).nftables;
  return items.reduce((n, i) => n + (i.set?.elem?.length ?? 0), 0);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench:net needs root (network namespaces)');
  ensurePrerequisites(['lab', 'bench:net'], 'npm run bench:net');
  const lab = await Lab.create({ name: 'bench:net' });
  const run = nftRunner(['ip', 'netns', 'exec', lab.ns('gw')]);
  const firewall = new FirewallService({ run, logger: silentLogger() });
  try {
    const config: Config = lab.gatewayConfig();
    config.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
    const elements = busySiteElements();

    const ruleset = async (): Promise<void> => {
      await firewall.apply(config);
      if (!(await firewall.changeElements(elements))) throw new Error('the firewall refused the elements (not enabled?)');
      const held = await elementCount(lab);
      if (held < TOTAL_ELEMENTS) throw new Error(`the live sets hold ${held} elements, not ${TOTAL_ELEMENTS}`);
    };
    const bare = async (): Promise<void> => {
      await removeTable(run);
      if ((await listTable(run)) !== undefined) throw new Error('Schoolgate\'s table is still there');
    };

    process.stdout.write(`${CLIENT} -> ${INTERNET.iperf} through gw (${lab.vlans ? '802.1Q trunk' : 'one veth per network'}), `
      + `iperf3 ${SECONDS} s (first second left out), ${CONNECTS} TCP handshakes to ${INTERNET.web}:${INTERNET.httpPort}, ${ROUNDS} rounds a side, alternating\n`
      + `live sets: ${Object.entries(ELEMENT_COUNTS).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    // Both paths once, uncounted: the first connections and the first iperf3 run set up ARP,
    // routes and caches that every later run finds warm.
    await ruleset();
    await iperf(lab);
    await handshakes(lab, 50);

    const bps: Record<Side, number[]> = { ruleset: [], bare: [] };
    const rtt: Record<Side, number[]> = { ruleset: [], bare: [] };
    const rttP99: Record<Side, number[]> = { ruleset: [], bare: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Side[] = round % 2 === 1 ? ['ruleset', 'bare'] : ['bare', 'ruleset'];
      for (const side of order) {
        await (side === 'ruleset' ? ruleset() : bare());
        const rate = await iperf(lab);
        const samples = await handshakes(lab, CONNECTS);
        bps[side].push(rate);
        rtt[side].push(median(samples));
        rttP99[side].push(quantile(samples, 0.99));
        process.stdout.write(`round ${round} ${side.padEnd(8)} ${(rate / 1e9).toFixed(2)} Gbit/s, handshake median ${median(samples)} us, p99 ${quantile(samples, 0.99)} us\n`);
      }
    }

    // The whole ruleset applied again (a configuration change) with every element carried over.
    await ruleset();
    const applyMs: number[] = [];
    for (let i = 0; i < APPLIES; i++) {
      await firewall.apply(config);
      applyMs.push(firewall.stats().applyMs!);
    }
    const carried = await elementCount(lab);
    if (carried < TOTAL_ELEMENTS) throw new Error(`after ${APPLIES} applies the live sets hold ${carried} elements, not ${TOTAL_ELEMENTS}`);
    process.stdout.write(`apply with ${carried} elements carried over: ${applyMs.map((ms) => ms.toFixed(1)).join(', ')} ms\n`);

    // One element at a time, as `schoolgate devices suspend` and `resume` do it.
    const enforcer = suspensionEnforcer((lines) => firewall.changeElements(lines), () => new Date());
    const addMs: number[] = [];
    const removeMs: number[] = [];
    for (let i = 0; i < UPDATES; i++) {
      const mac = benchMac(0x99, i);
      let t = performance.now();
      await enforcer.enforce(mac, new Date(Date.now() + 3_600_000));
      addMs.push(performance.now() - t);
      t = performance.now();
      await enforcer.lift(mac);
      removeMs.push(performance.now() - t);
    }
    const all = [...addMs, ...removeMs];
    process.stdout.write(`one suspension added: median ${median(addMs).toFixed(2)} ms, p99 ${quantile(addMs, 0.99).toFixed(2)} ms; lifted: median ${median(removeMs).toFixed(2)} ms, p99 ${quantile(removeMs, 0.99).toFixed(2)} ms\n`);

    const ratio = median(bps.ruleset) / median(bps.bare);
    const added = median(rtt.ruleset) - median(rtt.bare);
    process.stdout.write([
      '',
      `forward_gbps=${(median(bps.ruleset) / 1e9).toFixed(2)}`,
      `bare_gbps=${(median(bps.bare) / 1e9).toFixed(2)}`,
      `forward_ratio_vs_bare=${ratio.toFixed(3)}`,
      `handshake_us=${median(rtt.ruleset).toFixed(0)}`,
      `bare_handshake_us=${median(rtt.bare).toFixed(0)}`,
      `latency_added_us=${added.toFixed(0)}`,
      `handshake_p99_us=${median(rttP99.ruleset).toFixed(0)}`,
      `bare_handshake_p99_us=${median(rttP99.bare).toFixed(0)}`,
      `set_elements=${carried}`,
      `apply_ms=${median(applyMs).toFixed(1)}`,
      `set_update_ms=${median(all).toFixed(2)}`,
      `set_update_p99_ms=${quantile(all, 0.99).toFixed(2)}`,
      '',
    ].join('\n'));
  } finally {
    firewall.stop();
    await lab.destroy();
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench:net failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
