// `npm run bench:dhcp`: Schoolgate's DHCP server against dnsmasq's, measured with ISC's perfdhcp
// (Debian kea-admin) in the network lab: the same network, pool, lease time and disk (both keep
// their leases in the lab's directory), alternating, in one run. Then a durability run: perfdhcp
// against Schoolgate, the daemon killed with SIGKILL mid-run, and every lease a client was ACKed
// (captured on the client's side by tcpdump) looked for in state.db after a restart.
// Root only (namespaces). Ends with key=value lines.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import type { Config } from '../../firmware/config/schema.ts';
import { MESSAGE_TYPE } from '../../firmware/dhcp/options.ts';
import { formatIPv4 } from '../../firmware/dhcp/ipv4.ts';
import { gatewayInterface, schoolNetwork } from '../netlab/addresses.ts';
import { Lab } from '../netlab/lab.ts';
import { ensurePrerequisites } from '../prerequisites.ts';
import { repliesInCapture } from './dhcp/pcap.ts';

const USAGE = `node scripts/bench/dhcp.ts [options]   (root: builds network namespaces)
  --rounds R      rounds per server, alternating which goes first (default 2)
  --seconds S     length of each perfdhcp run (default 10)
  --rate N        perfdhcp -r: exchanges a second it tries (default 1000)
  --clients N     perfdhcp -R: distinct client MACs (default 30000; the pool holds 65000)
  --lease S       lease time, both servers (default 3600)`;

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string' }, seconds: { type: 'string' }, rate: { type: 'string' }, clients: { type: 'string' },
    lease: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const ROUNDS = Number(opts.rounds ?? 2);
const SECONDS = Number(opts.seconds ?? 10);
const RATE = Number(opts.rate ?? 1000);
const CLIENTS = Number(opts.clients ?? 30000);
const LEASE = Number(opts.lease ?? 3600);
const PERFDHCP = '/usr/sbin/perfdhcp';
const DNSMASQ = '/usr/sbin/dnsmasq';

// A /16 beside the lab's staff /24 on the same link, so the pool can hold every client perfdhcp makes up.
const BENCH = { subnet: '10.100.0.0/16', gateway: '10.100.0.1', client: '10.100.0.2', first: '10.100.1.0', last: '10.100.254.250', mask: '255.255.0.0' } as const;

interface PerfResult {
  /** Completed DORA exchanges a second, as perfdhcp reports its rate. */
  rate: number;
  discovers: number;
  offers: number;
  requests: number;
  acks: number;
  output: string;
}

function parsePerfdhcp(output: string): PerfResult {
  const rate = Number(/Rate:\s*([\d.]+)\s+4-way exchanges\/second/.exec(output)?.[1] ?? Number.NaN);
  const section = (name: string): { sent: number; received: number } => {
    const at = output.indexOf(`***Statistics for: ${name}***`);
    if (at < 0) return { sent: 0, received: 0 };
    const text = output.slice(at, at + 600);
    return { sent: Number(/sent packets:\s*(\d+)/.exec(text)?.[1] ?? 0), received: Number(/received packets:\s*(\d+)/.exec(text)?.[1] ?? 0) };
  };
  const dO = section('DISCOVER-OFFER');
  const rA = section('REQUEST-ACK');
  return { rate, discovers: dO.sent, offers: dO.received, requests: rA.sent, acks: rA.received, output };
}

function benchConfig(lab: Lab): Config {
  const config = lab.gatewayConfig();
  for (const network of config.networks) {
    if (network.id !== 'staff') {
      if (network.dhcp) network.dhcp.enabled = false;
      continue;
    }
    network.subnets = [...network.subnets, BENCH.subnet];
    network.gateway = { ipv4: BENCH.gateway };
    network.dhcp = {
      enabled: true, pools: [{ first: BENCH.first, last: BENCH.last }], leaseSeconds: LEASE, domain: 'school.test',
      // dnsmasq limits nothing: neither does Schoolgate here, so both answer every new client.
      rateLimit: { perMacPerMinute: 600, perNetworkPerMinute: 1_000_000 },
    };
  }
  return config;
}

async function perfdhcp(lab: Lab, seconds: number, label: string): Promise<PerfResult> {
  const argv = [PERFDHCP, '-4', '-l', 'eth0', '-r', String(RATE), '-R', String(CLIENTS), '-p', String(seconds), '-b', 'mac=02:42:00:00:00:00'];
  const result = await lab.exec('staff', argv, { timeoutMs: (seconds + 30) * 1000 });
  const parsed = parsePerfdhcp(result.stdout + result.stderr);
  if (!Number.isFinite(parsed.rate)) throw new Error(`${label}: perfdhcp printed no rate (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return parsed;
}

/** The gw namespace's UDP receive-buffer drops so far (/proc/net/snmp is per namespace). */
async function udpDrops(lab: Lab): Promise<number> {
  const text = (await lab.exec('gw', ['cat', '/proc/net/snmp'])).stdout;
  const [head, values] = text.split('\n').filter((l) => l.startsWith('Udp:'));
  if (!head || !values) return Number.NaN;
  const at = head.split(/\s+/).indexOf('RcvbufErrors');
  return Number(values.split(/\s+/)[at]);
}

async function startDnsmasq(lab: Lab, dir: string): Promise<() => Promise<void>> {
  const leaseFile = join(dir, 'dnsmasq.leases');
  await rm(leaseFile, { force: true });
  const log = join(dir, 'dnsmasq-dhcp.log');
  const child = lab.spawn('gw', [DNSMASQ, '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--no-resolv', '--no-hosts',
    `--interface=${gatewayInterface(schoolNetwork('staff'), lab.vlans)}`, '--bind-interfaces', '--user=root', '--group=root',
    // Schoolgate does not ping before it offers: neither does dnsmasq here.
    '--no-ping', '--dhcp-authoritative', `--dhcp-lease-max=${70000}`,
    `--dhcp-range=${BENCH.first},${BENCH.last},${BENCH.mask},${LEASE}`, `--dhcp-option=option:router,${BENCH.gateway}`,
    `--dhcp-option=option:dns-server,${BENCH.gateway}`, '--domain=school.test',
    `--dhcp-leasefile=${leaseFile}`, `--pid-file=${join(dir, 'dnsmasq-dhcp.pid')}`, `--log-facility=${log}`]);
  const deadline = Date.now() + 10_000;
  while (!(existsSync(log) && (await readFile(log, 'utf8')).includes('DHCP, IP range'))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`dnsmasq did not start: ${existsSync(log) ? await readFile(log, 'utf8') : '(no log)'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('close', r));
  };
}

async function freshGateway(lab: Lab, config: Config): Promise<void> {
  await lab.stopGateway();
  const dataDir = join(lab.dir, 'gateway-data');
  // Every round starts with no leases, as dnsmasq's does: neither side serves returning clients.
  for (const f of ['state.db', 'state.db-wal', 'state.db-shm']) await rm(join(dataDir, f), { force: true });
  await lab.startGateway(config);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function killRun(lab: Lab, config: Config): Promise<{ acked: number; perfdhcpAcks: number; lost: number; lostExamples: string[] }> {
  await freshGateway(lab, config);
  const dir = lab.scratch('kill');
  const capture = join(dir, 'acks.pcap');
  const tcpdump = lab.spawn('staff', ['tcpdump', '-i', 'eth0', '-U', '-s', '0', '-w', capture, 'udp and port 67']);
  await new Promise((r) => setTimeout(r, 1000)); // tcpdump has no ready signal; its capture starts within this
  const seconds = 8;
  const perf = perfdhcp(lab, seconds, 'kill run');
  await new Promise((r) => setTimeout(r, 3000));
  const pid = lab.gateway!.pid!;
  process.kill(pid, 'SIGKILL');
  const result = await perf;
  await lab.stopGateway();
  tcpdump.kill('SIGINT');
  if (tcpdump.exitCode === null) await new Promise((r) => tcpdump.once('close', r));
  // Restarted and stopped: state.db as the next boot reads it.
  await lab.startGateway(config);
  await lab.stopGateway();
  const replies = repliesInCapture(new Uint8Array(await readFile(capture)));
  // Each client's last ACK is the lease it holds.
  const held = new Map<string, string>();
  for (const { reply, mac } of replies) if (reply.messageType === MESSAGE_TYPE.ACK) held.set(mac, formatIPv4(reply.yiaddr));
  const db = new DatabaseSync(join(lab.dir, 'gateway-data', 'state.db'), { readOnly: true });
  const stored = new Set((db.prepare("SELECT mac, address FROM leases WHERE state = 'bound'").all() as Array<{ mac: string; address: string }>).map((r) => `${r.mac} ${r.address}`));
  db.close();
  const lost = [...held].filter(([mac, address]) => !stored.has(`${mac} ${address}`));
  return { acked: held.size, perfdhcpAcks: result.acks, lost: lost.length, lostExamples: lost.slice(0, 5).map(([m, a]) => `${m} ${a}`) };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench:dhcp needs root (network namespaces)');
  ensurePrerequisites(['lab', 'bench:dhcp'], 'npm run bench:dhcp');
  const lab = await Lab.create({ name: 'bench:dhcp', clients: 'none', vlans: 'off' });
  try {
    const staffIf = gatewayInterface(schoolNetwork('staff'), lab.vlans);
    await lab.run('gw', ['ip', 'address', 'add', `${BENCH.gateway}/16`, 'dev', staffIf]);
    await lab.run('staff', ['ip', 'address', 'add', `${BENCH.client}/16`, 'dev', 'eth0']);
    const config = benchConfig(lab);
    const dir = lab.scratch('dnsmasq');
    const rates: Record<'schoolgate' | 'dnsmasq', number[]> = { schoolgate: [], dnsmasq: [] };
    process.stdout.write(`perfdhcp -r ${RATE} -R ${CLIENTS} -p ${SECONDS}, pool ${BENCH.first}-${BENCH.last}, lease ${LEASE} s, ${ROUNDS} rounds each, alternating\n`);
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Array<'schoolgate' | 'dnsmasq'> = round % 2 === 1 ? ['schoolgate', 'dnsmasq'] : ['dnsmasq', 'schoolgate'];
      for (const side of order) {
        let result: PerfResult;
        const dropsBefore = await udpDrops(lab);
        if (side === 'schoolgate') {
          await freshGateway(lab, config);
          result = await perfdhcp(lab, SECONDS, `schoolgate round ${round}`);
          const status = await lab.gateway!.statusCommand();
          await lab.stopGateway();
          try {
            const dhcp = (JSON.parse(status.stdout) as { dhcp: { networks: Array<{ outcomes: Record<string, number> }>; malformed: Record<string, number>; sendErrors: number } }).dhcp;
            const outcomes = Object.entries(dhcp.networks[0]?.outcomes ?? {}).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
            process.stdout.write(`  schoolgate's own count: ${outcomes}; send errors ${dhcp.sendErrors}\n`);
          } catch {
            process.stdout.write(`  (no status: ${status.stderr.slice(0, 200)})\n`);
          }
        } else {
          const stop = await startDnsmasq(lab, dir);
          try {
            result = await perfdhcp(lab, SECONDS, `dnsmasq round ${round}`);
          } finally {
            await stop();
          }
        }
        rates[side].push(result.rate);
        const drops = (await udpDrops(lab)) - dropsBefore;
        process.stdout.write(`round ${round} ${side.padEnd(10)} ${result.rate.toFixed(1)} DORA/s  (DISCOVER ${result.discovers}, OFFER ${result.offers}, REQUEST ${result.requests}, ACK ${result.acks}; ${drops} requests dropped by the server's full receive buffer)\n`);
      }
    }
    const kill = await killRun(lab, config);
    process.stdout.write(`kill -9 during a run: ${kill.acked} clients ACKed (perfdhcp counted ${kill.perfdhcpAcks} ACKs), ${kill.lost} of their leases missing from state.db after a restart${kill.lost ? `: ${kill.lostExamples.join(', ')}` : ''}\n`);
    const sg = median(rates.schoolgate);
    const dm = median(rates.dnsmasq);
    process.stdout.write(`\ndora_per_s=${sg.toFixed(1)}\ndnsmasq_dora_per_s=${dm.toFixed(1)}\ndora_ratio_vs_dnsmasq=${(sg / dm).toFixed(2)}\nacked_before_kill=${kill.acked}\nlease_lost_after_kill=${kill.lost}\n`);
  } finally {
    await lab.destroy();
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench:dhcp failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
