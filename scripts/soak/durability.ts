// `npm run soak:durability`: starts the real daemon on a data directory, drives every kind of write
// at once (load.ts), kills it with SIGKILL at a random instant, and before starting it again checks
// that every store opens cleanly and holds every write the daemon had acknowledged (stores.ts,
// ledger.ts). The same data directory goes through every round, so a later round also proves the
// earlier rounds' writes survived. Root: it runs in a private network namespace of its own, where
// the daemon's DHCP server may bind port 67 and nothing else on the machine can hear it.
// Ends with key=value lines; exit 1 when anything was lost or a store did not open cleanly.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { callDaemon } from '../../firmware/control/client.ts';
import { CONTROL_SOCKET_NAME } from '../../firmware/control/protocol.ts';
import { launchDaemon, REPO, testConfig, type RunningDaemon } from '../../test/support/daemon.ts';
import { startTestUpstream } from '../../test/support/upstream.ts';
import { seededRandom } from '../bench/dns/workload.ts';
import { Ledger, unauditedChanges, type Loss } from './ledger.ts';
import { ipv4, SoakLoad, type SoakCounters, type SoakTarget } from './load.ts';
import { checkStores } from './stores.ts';

const USAGE = `node scripts/soak/durability.ts [options]   (root: runs in its own network namespace)
  --rounds N         kill and restart the daemon N times (default 500)
  --seed S           the random seed (printed; give it again to replay a run)
  --min-load-ms MS   writes run at least this long before the kill (default 300)
  --max-load-ms MS   and at most this long (default 2500)
  --startup-kills P  the share of rounds killed while the daemon starts, 0..1 (default 0.1)
  --keep             keep the data directory (printed) instead of removing it`;

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string' }, seed: { type: 'string' }, 'min-load-ms': { type: 'string' }, 'max-load-ms': { type: 'string' },
    'startup-kills': { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

// The daemon's DHCP server binds port 67 on every interface: in the machine's own namespace it
// would collide with other tests and hear the real network, so the whole soak runs in a new one.
const NAMESPACED = 'SCHOOLGATE_SOAK_NETNS';
if (process.env[NAMESPACED] !== '1') {
  if (process.getuid?.() !== 0) {
    process.stderr.write('the durability soak needs root: it runs in a network namespace of its own, where the daemon serves DHCP on port 67\n');
    process.exit(2);
  }
  const child = spawnSync('unshare', ['--net', '--', process.execPath, import.meta.filename, ...process.argv.slice(2)], {
    stdio: 'inherit', env: { ...process.env, [NAMESPACED]: '1' },
  });
  if (child.error) throw child.error;
  process.exit(child.status ?? 1);
}
const up = spawnSync('ip', ['link', 'set', 'lo', 'up'], { encoding: 'utf8' });
if (up.status !== 0) throw new Error(`cannot bring up loopback in the soak's namespace: ${up.stderr || up.error?.message}`);

const number = (text: string | undefined, fallback: number, name: string): number => {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0, got "${text}"`);
  return value;
};
const ROUNDS = number(opts.rounds, 500, 'rounds');
const SEED = number(opts.seed, Math.floor(Math.random() * 2 ** 31), 'seed') >>> 0;
const MIN_LOAD_MS = number(opts['min-load-ms'], 300, 'min-load-ms');
const MAX_LOAD_MS = Math.max(MIN_LOAD_MS, number(opts['max-load-ms'], 2500, 'max-load-ms'));
const STARTUP_KILLS = Math.min(1, number(opts['startup-kills'], 0.1, 'startup-kills'));
const random = seededRandom(SEED);

process.stdout.write(`seed=${SEED} (replay: npm run soak:durability -- --seed ${SEED} --rounds ${ROUNDS})\n`);

const NETWORK = 'pupil';
const upstream = await startTestUpstream('192.0.2.77');
const config = await testConfig(upstream);
const pupil = config.networks.find((n) => n.id === NETWORK)!;
// A pool for a lease per exchange of the whole soak; reservations from the addresses above it.
pupil.dhcp = { enabled: true, pools: [{ first: '127.20.1.0', last: '127.20.199.255' }], leaseSeconds: 86_400 };
config.dns.rateLimitPerSecond = 1_000_000;
const watched = ['watched.soak.test', 'watch-list.soak.test'];
config.alerts = { contacts: [], watch: watched };

const dataDir = await mkdtemp(join(tmpdir(), 'schoolgate-soak-'));
const configFile = join(dataDir, 'config.json');
await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
const controlSocket = join(dataDir, CONTROL_SOCKET_NAME);
const target: SoakTarget = {
  controlSocket,
  dns: config.dns.listen[0]!,
  dhcpServer: pupil.gateway.ipv4!,
  relay: '127.20.0.2',
  reservable: { first: ipv4('127.20.200.1'), last: ipv4('127.20.255.254') },
  watched,
};

const ledger = new Ledger();
const counters: SoakCounters = { reservations: 0, leases: 0, vouchers: 0, questions: 0, errors: 0, errorSamples: [] };
const lost = new Map<string, Loss>();
const corrupt: string[] = [];
const crashes: string[] = [];
/** Changes found in a store without their audit entry (ledger.ts unauditedChanges), each once. */
const unaudited = new Set<string>();
let startupKills = 0;
/** Seconds from spawn to ready, and to check the stores, summed over the rounds that did. */
let startupSeconds = 0;
let readyStarts = 0;
let checkSeconds = 0;
let rounds = 0;
const started = performance.now();

/** Started and ready, or killed while starting (undefined). */
async function start(killWhileStarting: boolean): Promise<RunningDaemon | undefined> {
  let killed = false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const daemon = await launchDaemon({
      // As the appliance starts it: the launcher, which runs the build in dist/ when it is fresh.
      dataDir, configFile, config, command: [join(REPO, 'bin/schoolgate')],
      ready: () => callDaemon(controlSocket, 'status', undefined, 5000).then(() => true, () => false),
      readyTimeoutMs: 60_000,
      spawned: (child) => {
        if (!killWhileStarting) return;
        // Somewhere in its start (opening the stores, loading lists, the first writes): within the
        // time starts have taken so far, which on a loaded machine is seconds.
        const typicalMs = readyStarts > 0 ? (startupSeconds / readyStarts) * 1000 : 3000;
        timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, Math.floor(random() * typicalMs));
      },
    });
    // Ready before its kill came: this round's kill comes under load instead.
    clearTimeout(timer);
    if (!killed) return daemon;
    await daemon.stop('SIGKILL');
    return undefined;
  } catch (error) {
    clearTimeout(timer);
    if (killed) return undefined;
    throw error;
  }
}

let exitCode = 0;
try {
  let rowsBefore = 0;
  for (rounds = 1; rounds <= ROUNDS; rounds++) {
    ledger.queryLogOpened(rowsBefore);
    const killWhileStarting = random() < STARTUP_KILLS;
    let daemon: RunningDaemon | undefined;
    const spawnedAt = performance.now();
    try {
      daemon = await start(killWhileStarting);
      if (daemon) {
        startupSeconds += (performance.now() - spawnedAt) / 1000;
        readyStarts++;
      }
    } catch (error) {
      // The stores the last kill left could not be opened by the daemon itself.
      corrupt.push(`round ${rounds}: the daemon did not start again: ${(error as Error).message.slice(-2000)}`);
      break;
    }
    if (daemon === undefined) {
      startupKills++;
    } else {
      const load = new SoakLoad(target, ledger, counters, random);
      await load.start();
      await sleep(MIN_LOAD_MS + Math.floor(random() * (MAX_LOAD_MS - MIN_LOAD_MS + 1)));
      const child = daemon.process;
      if (child.exitCode !== null || child.signalCode !== null) {
        // Not the soak's kill: the daemon fell over under the load, which is a finding in itself.
        crashes.push(`round ${rounds}: the daemon exited by itself (${child.exitCode ?? child.signalCode}): ${daemon.output().slice(-3000)}`);
      }
      load.dying();
      await daemon.stop('SIGKILL');
      await load.stop();
    }
    const checkAt = performance.now();
    const check = await checkStores(dataDir, configFile, NETWORK);
    checkSeconds += (performance.now() - checkAt) / 1000;
    for (const problem of check.corrupt) corrupt.push(`round ${rounds}: ${problem}`);
    for (const loss of ledger.compare(check.observed)) {
      const key = `${loss.kind} ${loss.what}`;
      if (!lost.has(key)) {
        lost.set(key, loss);
        process.stderr.write(`round ${rounds}: LOST ${key}\n`);
      }
    }
    for (const problem of check.corrupt) process.stderr.write(`round ${rounds}: CORRUPT ${problem}\n`);
    for (const change of unauditedChanges(check.observed)) {
      if (!unaudited.has(change)) process.stderr.write(`round ${rounds}: UNAUDITED ${change}\n`);
      unaudited.add(change);
    }
    rowsBefore = check.observed.queryEvents;
    if (rounds % 25 === 0) {
      const elapsed = ((performance.now() - started) / 1000).toFixed(0);
      process.stderr.write(`round ${rounds}/${ROUNDS} at ${elapsed} s: lost_committed=${lost.size} corrupt_opens=${corrupt.length} unaudited_changes=${unaudited.size} crashes=${crashes.length} acknowledged=${JSON.stringify(ledger.counts())}\n`);
    }
  }
  rounds = Math.min(rounds, ROUNDS);
} finally {
  await upstream.close();
  if (opts.keep) process.stdout.write(`data_dir=${dataDir}\n`);
  else await rm(dataDir, { recursive: true, force: true });
}

const seconds = (performance.now() - started) / 1000;
const counts = ledger.counts();
const total = Object.values(counts).reduce((a, b) => a + b, 0);
for (const sample of counters.errorSamples) process.stdout.write(`error: ${sample}\n`);
for (const problem of corrupt.slice(0, 10)) process.stdout.write(`corrupt: ${problem}\n`);
for (const crash of crashes.slice(0, 3)) process.stdout.write(`crash: ${crash}\n`);
for (const loss of [...lost.values()].slice(0, 20)) process.stdout.write(`lost: ${loss.kind}: ${loss.what}\n`);
const perRound = (n: number): string => (n / Math.max(1, rounds)).toFixed(1);
process.stdout.write(`acknowledged: config=${counts.config} leases=${counts.lease} vouchers=${counts.voucher} alerts=${counts.alert} alert_acks=${counts['alert-ack']} audit=${counts.audit} query_events=${counts['query-log']}\n`);
process.stdout.write(`rounds=${rounds} lost_committed=${lost.size} corrupt_opens=${corrupt.length} writes_per_round=${perRound(total)} unaudited_changes=${unaudited.size} startup_kills=${startupKills} crashes=${crashes.length} errors=${counters.errors} seconds=${seconds.toFixed(0)} seconds_per_round=${(seconds / Math.max(1, rounds)).toFixed(2)} start_seconds=${(startupSeconds / Math.max(1, readyStarts)).toFixed(2)} check_seconds=${(checkSeconds / Math.max(1, rounds)).toFixed(2)} seed=${SEED}\n`);
if (lost.size > 0 || corrupt.length > 0 || crashes.length > 0) exitCode = 1;
process.exit(exitCode);
