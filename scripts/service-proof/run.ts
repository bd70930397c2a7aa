// npm run test:service: image/schoolgate.service under a real systemd. PID 1 on the development
// and CI machines is not systemd, so an amd64 Debian 12 rootfs (mmdebstrap, cached under
// tmp/service-proof/) boots in systemd-nspawn with its own network namespace; this checkout,
// built, is bind-mounted read-only as the release at the appliance's layout
// (/opt/schoolgate/releases/<v>, current, /usr/local/bin/schoolgate), the unit installed as it is.
// Then: the unit reaches active (running) through READY=1, DNS answers on port 53, the ruleset and
// the qdiscs are in the kernel, DHCP's sockets are open, `systemctl reload` comes back to ready,
// a SIGSTOPped daemon is killed and restarted by the watchdog, the journal shows nothing the
// sandbox refused, and systemd scores the unit live. Needs root, mmdebstrap and systemd-container.
// Prints one line per check; exits 1 when any fails. A minimal install of its own: the image's
// install script is the image build's (npm run image).
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { linksUnit, proofConfig, PUPIL_DEVICE, PUPIL_GATEWAY, sandboxRefusals, watchdogDropIn, WATCHDOG_PROOF_SECONDS } from './proof-config.ts';

const REPO = resolve(import.meta.dirname, '../..');
const CACHE = join(REPO, 'tmp/service-proof');
const BASE = join(CACHE, 'rootfs');
const PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'nftables', 'iproute2', 'dnsutils', 'openssl'];
const RELEASE = 'proof';

const started = performance.now();
const seconds = (): string => ((performance.now() - started) / 1000).toFixed(1);
let failures = 0;
function check(ok: boolean, what: string, detail = ''): boolean {
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} [${seconds()} s] ${what}${detail ? `: ${detail}` : ''}`);
  return ok;
}

function run(argv: string[], options: { input?: string; allowFail?: boolean } = {}): SpawnSyncReturns<string> {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', input: options.input, maxBuffer: 64 << 20 });
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

function install(root: string): void {
  const release = `/opt/schoolgate/releases/${RELEASE}`;
  mkdirSync(join(root, release), { recursive: true });
  symlinkSync(`releases/${RELEASE}`, join(root, 'opt/schoolgate/current'));
  symlinkSync('/opt/schoolgate/current/bin/schoolgate', join(root, 'usr/local/bin/schoolgate'));
  run(['chroot', root, 'groupadd', '--system', 'schoolgate']);
  run(['chroot', root, 'useradd', '--system', '--gid', 'schoolgate', '--home-dir', '/var/lib/schoolgate', '--no-create-home', '--shell', '/usr/sbin/nologin', 'schoolgate']);
  const units = join(root, 'etc/systemd/system');
  cpSync(join(REPO, 'image/schoolgate.service'), join(units, 'schoolgate.service'));
  mkdirSync(join(units, 'schoolgate.service.d'), { recursive: true });
  writeFileSync(join(units, 'schoolgate.service.d/proof-watchdog.conf'), watchdogDropIn());
  writeFileSync(join(units, 'schoolgate-proof-links.service'), linksUnit());
  for (const unit of ['schoolgate.service', 'schoolgate-proof-links.service']) {
    symlinkSync(`/etc/systemd/system/${unit}`, join(units, 'multi-user.target.wants', unit));
  }
  mkdirSync(join(root, 'var/lib/schoolgate'), { recursive: true, mode: 0o750 });
  writeFileSync(join(root, 'var/lib/schoolgate/config.json'), `${JSON.stringify(proofConfig(), null, 2)}\n`, { mode: 0o600 });
  run(['chroot', root, 'chown', '-R', 'schoolgate:schoolgate', '/var/lib/schoolgate']);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: systemd-nspawn boots the container');
  need('mmdebstrap', 'mmdebstrap');
  need('systemd-nspawn', 'systemd-container');
  need('nsenter', 'util-linux');
  // The release runs the built JavaScript (bin/schoolgate falls back to the TypeScript sources
  // when dist/ is older than any of them, which starts slower and would not be what ships).
  const stale = run(['find', join(REPO, 'firmware'), '-name', '*.ts', '-newer', join(REPO, 'dist/firmware/main.js'), '-print', '-quit'], { allowFail: true });
  if (stale.status !== 0 || stale.stdout.trim() !== '' || !existsSync(join(REPO, 'build/native/netio.node')) || !existsSync(join(REPO, 'webui/dist/index.html'))) {
    throw new Error('build first: npm run build (dist/, netio and the web UI are the release)');
  }
  baseRootfs();
  const root = join(CACHE, `run-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  run(['cp', '-a', '--reflink=auto', BASE, root]);
  install(root);
  check(true, 'installed: the unit, the schoolgate user, /opt/schoolgate/current -> this checkout (read-only)');

  const machine = `sg-proof-${process.pid}`;
  const nspawn = spawn('systemd-nspawn', [
    '-D', root, '--boot', '--private-network', '--register=no', '--keep-unit', `--machine=${machine}`,
    `--bind-ro=${REPO}:/opt/schoolgate/releases/${RELEASE}`,
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
      const children = run(['pgrep', '-P', String(nspawn.pid)], { allowFail: true }).stdout.trim().split('\n').filter(Boolean);
      leader = Number(children[0] ?? 0);
      if (leader === 0) await new Promise((r) => setTimeout(r, 100));
    }
    if (leader === 0) throw new Error(`the container did not start:\n${console_}`);
    const inside = (argv: string[], allowFail = true): SpawnSyncReturns<string> => run(['nsenter', '-t', String(leader), '-a', '-r', '-w', ...argv], { allowFail });
    const show = (props: string[]): Record<string, string> => Object.fromEntries(
      inside(['systemctl', 'show', 'schoolgate', ...props.map((p) => `-p${p}`)]).stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
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
