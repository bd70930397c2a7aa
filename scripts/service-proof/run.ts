// npm run test:service: image/schoolgate.service and the upgrade switcher under a real systemd.
// PID 1 on the development and CI machines is not systemd, so an amd64 Debian 12 rootfs
// (mmdebstrap, cached under tmp/service-proof/) boots in systemd-nspawn with its own network
// namespace. This checkout is staged as an x64 release (scripts/release/stage.ts) and installed
// in it by image/install.sh, as the image does: the units, /opt/schoolgate/releases/<v>, current,
// /usr/local/bin/schoolgate, and a release key the proof makes in /etc/schoolgate/release-keys.
// Then: the unit reaches active (running) through READY=1, DNS answers on port 53, the ruleset and
// the qdiscs are in the kernel, DHCP's sockets are open, `systemctl reload` comes back to ready,
// a SIGSTOPped daemon is killed and restarted by the watchdog, systemd scores the unit live; the
// switcher installs a good release, rolls back a broken one and one whose daemon stops (exit 0),
// and refuses an untrusted one (upgrade-proof.ts); the journal shows nothing either sandbox refused. Needs root, mmdebstrap and
// systemd-container. Prints one line per check; exits 1 when any fails.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { installRelease } from '../image/rootfs.ts';
import { generateReleaseKeys } from '../release/keygen.ts';
import { stageRelease } from '../release/stage.ts';
import { linksUnit, proofConfig, PUPIL_DEVICE, PUPIL_GATEWAY, sandboxRefusals, settleDropIn, watchdogDropIn, WATCHDOG_PROOF_SECONDS } from './proof-config.ts';
import { packProofReleases, PROOF_VERSIONS, proveUpgrades, runAsync, type ProofReleases } from './upgrade-proof.ts';

const REPO = resolve(import.meta.dirname, '../..');
const CACHE = join(REPO, 'tmp/service-proof');
const BASE = join(CACHE, 'rootfs');
const PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'nftables', 'iproute2', 'dnsutils', 'openssl'];

const started = performance.now();
const seconds = (): string => ((performance.now() - started) / 1000).toFixed(1);
let failures = 0;
function check(ok: boolean, what: string, detail = ''): boolean {
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} [${seconds()} s] ${what}${detail ? `: ${detail}` : ''}`);
  return ok;
}

/** What a command run in the container gets: a technician's login has no more (not this shell's NODE_* and the like). */
const CONTAINER_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

function run(argv: string[], options: { input?: string; allowFail?: boolean; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', input: options.input, maxBuffer: 64 << 20, env: options.env });
  if (result.error) throw new Error(`cannot run ${argv[0]}: ${result.error.message}`);
  if (result.status !== 0 && !options.allowFail) throw new Error(`${argv.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  return result;
}

function need(program: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0) throw new Error(`${program} is missing: apt-get install ${pkg}`);
}

/** The cached base rootfs: made once (~40 s with a warm network), reused after. */
function baseRootfs(): void {
  const stamp = join(BASE, '.packages');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === PACKAGES.join(',')) return;
  rmSync(BASE, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  console.log(`building the rootfs (mmdebstrap bookworm amd64: ${PACKAGES.join(' ')})`);
  run(['mmdebstrap', '--variant=apt', '--format=directory', `--include=${PACKAGES.join(',')}`, 'bookworm', BASE]);
  writeFileSync(stamp, PACKAGES.join(','));
  check(true, 'rootfs built');
}

/**
 * Stages this checkout as an x64 release, installs it with image/install.sh (the units, the user,
 * the layout, the release key it finds in the tree's image/release-keys/, as `npm run image --
 * --release-key` leaves it), adds what the proof needs, and packs the releases sent to it later.
 */
async function install(root: string, work: string): Promise<{ version: string; units: string[]; releases: ProofReleases }> {
  const tree = join(work, 'tree');
  stageRelease({ arch: 'x64', out: tree, version: PROOF_VERSIONS.first, log: (line) => console.log(`     stage: ${line}`) });
  const trusted = generateReleaseKeys(join(work, 'keys'));
  const untrusted = generateReleaseKeys(join(work, 'untrusted-keys'));
  mkdirSync(join(tree, 'image/release-keys'), { recursive: true });
  copyFileSync(trusted.publicFile, join(tree, 'image/release-keys', `${trusted.keyId}.pem`));
  const version = installRelease(root, tree, { image: false });
  const units = join(root, 'etc/systemd/system');
  mkdirSync(join(units, 'schoolgate.service.d'), { recursive: true });
  writeFileSync(join(units, 'schoolgate.service.d/proof-watchdog.conf'), watchdogDropIn());
  mkdirSync(join(units, 'schoolgate-upgrade.service.d'), { recursive: true });
  writeFileSync(join(units, 'schoolgate-upgrade.service.d/proof-settle.conf'), settleDropIn(readFileSync(join(units, 'schoolgate-upgrade.service'), 'utf8')));
  writeFileSync(join(units, 'schoolgate-proof-links.service'), linksUnit());
  symlinkSync('/etc/systemd/system/schoolgate-proof-links.service', join(units, 'multi-user.target.wants/schoolgate-proof-links.service'));
  writeFileSync(join(root, 'var/lib/schoolgate/config.json'), `${JSON.stringify(proofConfig(), null, 2)}\n`, { mode: 0o600 });
  run(['chroot', root, 'chown', '-R', 'schoolgate:schoolgate', '/var/lib/schoolgate']);
  const releases = await packProofReleases(tree, join(root, 'root/releases'), '/root/releases', { trusted: trusted.privateFile, untrusted: untrusted.privateFile });
  const installed = run(['chroot', root, 'systemctl', 'list-unit-files', '--no-legend', 'schoolgate*']).stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' '));
  return { version, units: installed, releases };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: systemd-nspawn boots the container');
  need('mmdebstrap', 'mmdebstrap');
  need('systemd-nspawn', 'systemd-container');
  need('nsenter', 'util-linux');
  baseRootfs();
  const root = join(CACHE, `run-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  run(['cp', '-a', '--reflink=auto', BASE, root]);
  const work = join(CACHE, `work-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  let installed: Awaited<ReturnType<typeof install>>;
  try {
    installed = await install(root, work);
  } catch (error) {
    if (!process.env.SERVICE_PROOF_KEEP) rmSync(root, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  check(true, `this checkout staged as ${installed.version} (x64) and installed by image/install.sh with a release key`, installed.units.join(', '));

  const machine = `sg-proof-${process.pid}`;
  const nspawn = spawn('systemd-nspawn', [
    '-D', root, '--boot', '--private-network', '--register=no', '--keep-unit', `--machine=${machine}`,
    // The container inherits this shell's limits, and its systemd may not raise a hard limit: the
    // unit's LimitNICE=-5 needs RLIMIT_NICE 25 to be possible, as it is under a booted systemd.
    '--rlimit=RLIMIT_NICE=25',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let console_ = '';
  nspawn.stdout.setEncoding('utf8').on('data', (d: string) => { console_ += d; });
  nspawn.stderr.setEncoding('utf8').on('data', (d: string) => { console_ += d; });
  const exited = new Promise<void>((r) => nspawn.on('exit', () => r()));
  let leader = 0;
  try {
    for (let i = 0; i < 200 && leader === 0; i++) {
      // The container's systemd, not nspawn's own short-lived child that forks it: caught here
      // on a busy machine, that one was gone by the first nsenter and every check failed.
      const children = run(['pgrep', '-x', '-P', String(nspawn.pid), 'systemd'], { allowFail: true }).stdout.trim().split('\n').filter(Boolean);
      leader = Number(children[0] ?? 0);
      if (leader === 0) await new Promise((r) => setTimeout(r, 100));
    }
    if (leader === 0) throw new Error(`the container did not start:\n${console_}`);
    const enter = ['nsenter', '-t', String(leader), '-a', '-r', '-w'];
    const inside = (argv: string[], allowFail = true): SpawnSyncReturns<string> => run([...enter, ...argv], { allowFail, env: CONTAINER_ENV });
    const showUnit = (unit: string, props: string[]): Record<string, string> => Object.fromEntries(
      inside(['systemctl', 'show', unit, ...props.map((p) => `-p${p}`)]).stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const show = (props: string[]): Record<string, string> => showUnit('schoolgate', props);
    const waitFor = async (what: () => boolean, ms: number): Promise<boolean> => {
      for (const end = performance.now() + ms; performance.now() < end;) {
        if (what()) return true;
        await new Promise((r) => setTimeout(r, 250));
      }
      return what();
    };

    // The leader exists before its systemd listens: until then systemctl says "offline".
    let system = '';
    await waitFor(() => {
      system = inside(['systemctl', 'is-system-running', '--wait']).stdout.trim();
      return system !== 'offline' && system !== '';
    }, 60_000);
    check(system === 'running', 'the container booted', system === 'running' ? system : `${system}: ${inside(['systemctl', '--failed', '--no-legend']).stdout}`);
    const first = show(['ActiveState', 'SubState', 'Type', 'MainPID', 'StatusText', 'NRestarts', 'User']);
    check(first.ActiveState === 'active' && first.SubState === 'running', 'schoolgate.service active (running) after READY=1', `Type=${first.Type} User=${first.User} status "${first.StatusText}"`);
    const journalStart = inside(['journalctl', '-u', 'schoolgate', '-o', 'short-monotonic', '--no-pager']).stdout;
    const startLines = journalStart.split('\n').filter((l) => /Starting|Started/.test(l));
    if (startLines.length > 0) console.log(`     ${startLines.join('\n     ')}`);

    const dig = inside(['dig', '+short', '+time=3', '+tries=2', '-b', PUPIL_DEVICE, '@127.0.0.1', '-p', '53', 'dns.google', 'A']).stdout.trim();
    check(dig === PUPIL_GATEWAY, 'DNS on 127.0.0.1:53 answers a pupil\'s device (port 53: CAP_NET_BIND_SERVICE), filtered', `dns.google -> ${dig || 'no answer'} (the block page: ${PUPIL_GATEWAY})`);

    // READY=1 comes at DNS; the STATUS= line after it says the whole daemon has started.
    const full = await waitFor(() => show(['StatusText']).StatusText?.startsWith('answering DNS on') === true, 120_000);
    check(full, 'STATUS= says when everything has started', show(['StatusText']).StatusText);
    const status = JSON.parse(inside(['schoolgate', 'status', '--json', '--data-dir', '/var/lib/schoolgate']).stdout || '{}') as {
      firewall?: { applied?: boolean; error?: string | null }; shaping?: { engine?: string | null; why?: string | null; error?: string | null };
      dhcp?: unknown; queryLog?: { writer?: string; writerReason?: string }; dns?: { listening?: unknown[] };
      memory?: { form?: string; rssBytes?: number }; eventLoopDelayMs?: { max?: number };
    };
    console.log(`     the daemon runs the ${status.memory?.form} form, ${Math.round((status.memory?.rssBytes ?? 0) / 1e6)} MB resident; its event loop waited at most ${status.eventLoopDelayMs?.max} ms since start (the watchdog allows ${WATCHDOG_PROOF_SECONDS} s here, 30 s in the unit)`);
    const nft = inside(['nft', 'list', 'table', 'inet', 'schoolgate']);
    check(nft.status === 0 && nft.stdout.includes('chain') && status.firewall?.error === null, 'the nftables ruleset is in the kernel (CAP_NET_ADMIN, netlink)', `${nft.stdout.split('\n').filter((l) => l.includes('chain ')).length} chains; status: ${JSON.stringify(status.firewall ?? null).slice(0, 200)}`);
    const tc = inside(['tc', 'qdisc', 'show', 'dev', 'pupil0']).stdout.trim();
    check(/htb|cake/.test(tc) && status.shaping?.engine != null && !status.shaping.error, 'shaping\'s qdiscs are on pupil0 (tc under the filter)', `engine ${status.shaping?.engine} (${status.shaping?.why}); ${tc.split('\n')[0]}`);
    const links = inside(['ip', '-br', 'link']).stdout;
    check(!links.includes('sg-cake-probe'), 'the CAKE probe\'s throwaway link is gone');
    const sockets = inside(['ss', '-lunp']).stdout + inside(['ss', '-lwp']).stdout + inside(['cat', '/proc/net/packet']).stdout;
    check(/:67\b/.test(sockets) && status.dhcp !== undefined, 'DHCP listens on port 67', JSON.stringify(status.dhcp ?? null).slice(0, 240));

    const before = show(['MainPID', 'NRestarts']);
    const reloads = (): number => inside(['journalctl', '-u', 'schoolgate', '-o', 'cat', '--no-pager']).stdout.split('\n').filter((l) => l.includes('"configuration reloaded"')).length;
    const reload = inside(['systemctl', 'reload', 'schoolgate']);
    const afterReload = show(['ActiveState', 'SubState', 'MainPID', 'StatusText']);
    check(reload.status === 0 && reloads() === 1 && afterReload.ActiveState === 'active' && afterReload.MainPID === before.MainPID,
      'systemctl reload: the daemon re-read its configuration (ExecReload: schoolgate config reload), same process',
      `status "${afterReload.StatusText}"${reload.status === 0 ? '' : ` ${reload.stderr}`}`);
    const configPath = join(root, 'var/lib/schoolgate/config.json');
    const good = readFileSync(configPath, 'utf8');
    writeFileSync(configPath, '{ "version": 1, ');
    const refused = inside(['systemctl', 'reload', 'schoolgate']);
    writeFileSync(configPath, good);
    const afterRefused = show(['ActiveState', 'MainPID']);
    check(refused.status !== 0 && afterRefused.ActiveState === 'active' && afterRefused.MainPID === before.MainPID,
      'systemctl reload of an invalid file fails, and the daemon runs on with the configuration it had', refused.stderr.trim().split('\n')[0] ?? '');
    inside(['systemctl', 'kill', '--kill-who=main', '-s', 'SIGHUP', 'schoolgate']);
    const hup = await waitFor(() => reloads() === 2 && show(['SubState']).SubState === 'running', 30_000);
    check(hup && show(['MainPID']).MainPID === before.MainPID, 'SIGHUP: RELOADING=1, the configuration re-read, READY=1, same process');

    inside(['systemctl', 'kill', '--kill-who=main', '-s', 'SIGSTOP', 'schoolgate']);
    const restarted = await waitFor(() => {
      const now = show(['ActiveState', 'SubState', 'MainPID', 'NRestarts']);
      return now.NRestarts !== before.NRestarts && now.ActiveState === 'active' && now.SubState === 'running' && now.MainPID !== before.MainPID;
    }, (WATCHDOG_PROOF_SECONDS + 60) * 1000);
    const journal = inside(['journalctl', '-u', 'schoolgate', '-o', 'cat', '--no-pager']).stdout;
    const timeout = journal.split('\n').find((l) => /watchdog timeout/i.test(l)) ?? '';
    check(restarted && timeout !== '', `a SIGSTOPped daemon: the watchdog (WatchdogSec=${WATCHDOG_PROOF_SECONDS}s in the proof's drop-in) killed it and it was restarted to READY=1`, timeout);
    const again = inside(['dig', '+short', '+time=3', '+tries=2', '-b', PUPIL_DEVICE, '@127.0.0.1', 'dns.google', 'A']).stdout.trim();
    check(again === PUPIL_GATEWAY, 'DNS answers again after the restart', again);

    const security = inside(['systemd-analyze', 'security', 'schoolgate.service', '--no-pager']).stdout;
    const score = /Overall exposure level for schoolgate\.service: ([\d.]+ \S+)/.exec(security)?.[1] ?? '?';
    check(Number.parseFloat(score) <= 2.0, 'systemd-analyze security on the running unit', score);

    // The query log's writer: SCHED_IDLE through sched_setscheduler, after a one-step setpriority
    // probe, both taken back from @resources by the unit's filter. Leaving the idle class needs
    // RLIMIT_NICE (LimitNICE=-5); where the container may not have it (a host whose root lacks
    // CAP_SYS_RESOURCE, like the development VMs), a drop-in lends CAP_SYS_NICE instead, which
    // the kernel accepts the same way, so the filter's part is still what is proven.
    const niceLimit = inside(['grep', 'Max nice', '/proc/1/limits']).stdout.trim().split(/\s+/);
    let how = 'LimitNICE=-5';
    if (Number(niceLimit[4]) < 25) {
      how = `CAP_SYS_NICE lent by a drop-in (this host caps RLIMIT_NICE at ${niceLimit[4]}: LimitNICE cannot be given here)`;
      writeFileSync(join(root, 'etc/systemd/system/schoolgate.service.d/proof-nice.conf'), '[Service]\nAmbientCapabilities=CAP_SYS_NICE\nCapabilityBoundingSet=CAP_SYS_NICE\n');
      inside(['systemctl', 'daemon-reload']);
      inside(['systemctl', 'restart', 'schoolgate']);
      await waitFor(() => show(['StatusText']).StatusText?.startsWith('answering DNS on') === true, 120_000);
    }
    const writer = (JSON.parse(inside(['schoolgate', 'status', '--json', '--data-dir', '/var/lib/schoolgate']).stdout || '{}') as { queryLog?: { writer?: string; writerReason?: string } }).queryLog ?? {};
    check(writer.writer === 'idle', `the query log's writer runs in the idle scheduling class (${how})`, `${writer.writer}${writer.writerReason ? ` (${writer.writerReason})` : ''}`);

    await proveUpgrades({ root, inside, insideAsync: (argv, ms) => runAsync([...enter, ...argv], ms, CONTAINER_ENV), show: showUnit, waitFor, check }, installed.releases);

    const finalJournal = inside(['journalctl', '-u', 'schoolgate', '-o', 'cat', '--no-pager']).stdout;
    const refusals = sandboxRefusals(finalJournal);
    check(refusals.length === 0, 'the journal shows nothing the sandbox refused (EPERM, EACCES, SIGSYS, EROFS)', refusals.slice(0, 8).join('\n     '));
    const stop = inside(['systemctl', 'stop', 'schoolgate']);
    const stopped = show(['ActiveState', 'Result', 'ExecMainStatus']);
    check(stop.status === 0 && stopped.ActiveState === 'inactive' && stopped.Result === 'success', 'systemctl stop: STOPPING=1 and a clean exit', `Result=${stopped.Result} exit ${stopped.ExecMainStatus}`);
    if (process.env.SERVICE_PROOF_JOURNAL) console.log(inside(['journalctl', '-u', 'schoolgate', '-o', 'cat', '--no-pager']).stdout);
  } finally {
    if (leader !== 0) run(['nsenter', '-t', String(leader), '-a', '-r', '-w', 'systemctl', 'poweroff'], { allowFail: true });
    const killer = setTimeout(() => nspawn.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
    if (!process.env.SERVICE_PROOF_KEEP) rmSync(root, { recursive: true, force: true });
  }
  console.log(`${failures === 0 ? 'service proof passed' : `service proof: ${failures} check(s) failed`} in ${seconds()} s`);
  process.exitCode = failures === 0 ? 0 : 1;
}

await main().catch((err: unknown) => {
  console.error(`service proof: ${(err as Error).message}`);
  process.exitCode = 1;
});
