// The appliance on arm64, in CI: an arm64 Debian 12 root filesystem made with mmdebstrap (the
// packages the proof needs, scripts/image/plan.ts), the arm64 release (scripts/release/stage.ts) installed in it by the
// image's own install script (image/install.sh, run inside the root through qemu-user), then the
// daemon started in that root as the `schoolgate` user and asked DNS questions on loopback: a
// pupil's social-network name gets the block answer, another name is forwarded to an upstream the
// test runs. Netlink does not work under qemu-user, so enforcement stays off here (the default
// configuration's); the firewall is proven on the host by the lab's other tests.
// The root itself (the packages' maintainer scripts take minutes under qemu-user) is kept for a
// week in /var/cache/schoolgate-image/roots, by the hash of mmdebstrap's arguments (debootstrapCached).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, lstatSync, mkdtempSync, openSync, readFileSync, readlinkSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../firmware/config/defaults.ts';
import { PROOF_PACKAGES } from '../../scripts/image/plan.ts';
import { DEB_CACHE, debootstrapCached, ensureArm64Emulation, installRelease, mountKernelFilesystems, stageRelease } from '../../scripts/image/rootfs.ts';
import { freePort } from '../support/ports.ts';
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts';

const FORWARDED = '192.0.2.44';
// A clean environment for programs in the root: nothing of the host's (its PATH, NODE_OPTIONS …).
const ROOT_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C.UTF-8' };

let work: string;
let root: string;
let version: string;
let unmount: (() => void) | undefined;
let upstream: TestUpstream;
let daemon: ChildProcess | undefined;
let output = '';
let dnsPort: number;
const timings: string[] = [];

function timed<T>(what: string, step: () => T): T {
  const started = performance.now();
  const result = step();
  timings.push(`${what} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function inRoot(args: string[]): { status: number | null; out: string } {
  // The CLI under qemu-user on a loaded 2-core machine took over two minutes.
  const r = spawnSync('chroot', [root, ...args], { encoding: 'utf8', env: ROOT_ENV, timeout: 280_000 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

/** dig from the host, run asynchronously: the test's upstream answers from this process's event loop. */
async function dig(name: string, from: string): Promise<string> {
  const child = spawn('dig', ['@127.0.0.1', '-p', String(dnsPort), '-b', from, '+short', '+tries=1', '+time=20', name, 'A']);
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`dig ${name} failed (${code}): ${out}`);
  return out.trim();
}

/** A unit enabled in the root: its link in the target's .wants (lstat: the link is absolute inside the root). */
function enabled(target: string, unit: string): string {
  const link = join(root, 'etc/systemd/system', `${target}.wants`, unit);
  return lstatSync(link).isSymbolicLink() ? readlinkSync(link) : 'not a link';
}

/** The machine an ELF file is built for (e_machine: 0xB7 is AArch64, 0x3E x86-64). */
function elfMachine(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(20);
    readSync(fd, header, 0, 20, 0);
    if (header.toString('latin1', 1, 4) !== 'ELF') throw new Error(`${file} is not an ELF file`);
    return header.readUInt16LE(18);
  } finally {
    closeSync(fd);
  }
}

function idOf(file: string, name: string): number {
  const line = readFileSync(join(root, file), 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (line === undefined) throw new Error(`no ${name} in the root's ${file}`);
  return Number(line.split(':')[2]);
}

async function waitForDns(): Promise<void> {
  // Under qemu-user the daemon takes tens of seconds to start; ready is its log line, or its exit.
  await new Promise<void>((resolve, reject) => {
    const onData = (): void => {
      if (output.includes('schoolgate ready')) resolve();
    };
    daemon!.stdout!.on('data', onData);
    daemon!.stderr!.on('data', onData);
    daemon!.on('exit', (code, signal) => reject(new Error(`the daemon in the arm64 root exited (${code ?? signal}) before it was ready:\n${output}`)));
    onData();
  });
}

beforeAll(async () => {
  work = mkdtempSync('/var/tmp/schoolgate-image-proof-');
  root = join(work, 'root');
  timed('binfmt', () => ensureArm64Emulation());
  timed('stage release', () => stageRelease('arm64', join(work, 'release')));
  const made = timed('mmdebstrap', () => debootstrapCached({ arch: 'arm64', packages: PROOF_PACKAGES, target: root, cacheDir: DEB_CACHE }));
  timings.push(made.fromCache ? `root reused from ${made.builtAt.toISOString()} (SCHOOLGATE_IMAGE_REBUILD=1 makes it anew)` : 'root made by mmdebstrap now');
  version = timed('install.sh', () => installRelease(root, join(work, 'release'), { image: true }));
  unmount = mountKernelFilesystems(root);

  upstream = await startTestUpstream(FORWARDED);
  const config = defaultConfig();
  dnsPort = await freePort();
  config.dns.listen = [{ address: '127.0.0.1', port: dnsPort }];
  config.dns.upstreams = [{ name: 'test-upstream', address: upstream.address, port: upstream.port }];
  // Everything is many times slower under qemu-user: an upstream's answer must not be given up on.
  config.dns.upstreamTimeoutMs = 10_000;
  config.web.admin = { address: '127.0.0.1', port: await freePort() };
  config.web.blockPage = { address: '127.0.0.1', port: await freePort() };
  const configFile = join(root, 'var/lib/schoolgate/config.json');
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chownSync(configFile, idOf('etc/passwd', 'schoolgate'), idOf('etc/group', 'schoolgate'));

  const started = performance.now();
  // As the unit runs it: the schoolgate user, the launcher on PATH, the data directory the image made.
  const user = `${idOf('etc/passwd', 'schoolgate')}:${idOf('etc/group', 'schoolgate')}`;
  daemon = spawn('chroot', [`--userspec=${user}`, root, '/usr/local/bin/schoolgate', 'run', '--data-dir', '/var/lib/schoolgate'], { env: ROOT_ENV });
  daemon.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  daemon.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  await waitForDns();
  timings.push(`daemon start under qemu-user ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 1_800_000);

afterAll(async () => {
  process.stderr.write(`image proof: ${timings.join(', ')}\n`);
  if (daemon !== undefined && daemon.exitCode === null && daemon.signalCode === null) {
    const exited = new Promise((resolve) => daemon!.once('exit', resolve));
    daemon.kill('SIGTERM');
    const timer = setTimeout(() => daemon!.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  await upstream?.close();
  unmount?.();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('the arm64 root filesystem with the release installed by image/install.sh', () => {
  it('has the release in its place, run by an arm64 Node', () => {
    expect(readlinkSync(join(root, 'opt/schoolgate/current'))).toBe(`releases/${version}`);
    expect(readlinkSync(join(root, 'usr/local/bin/schoolgate'))).toBe('/opt/schoolgate/current/bin/schoolgate');
    expect(elfMachine(join(root, 'opt/schoolgate/current/node/bin/node'))).toBe(0xb7);
    expect(elfMachine(join(root, 'opt/schoolgate/current/build/native/netio.node'))).toBe(0xb7);
    const arch = inRoot(['/opt/schoolgate/current/node/bin/node', '-p', 'process.arch + " " + process.version']);
    expect(arch.out.trim()).toMatch(/^arm64 v24\./);
  });

  it('has the user, the units enabled, the sshd drop-in, the uplink, and no machine id (first boot makes one)', () => {
    expect(idOf('etc/passwd', 'schoolgate')).toBeLessThan(1000);
    const data = lstatSync(join(root, 'var/lib/schoolgate'));
    expect(data.uid).toBe(idOf('etc/passwd', 'schoolgate'));
    expect(data.mode & 0o777).toBe(0o750);
    expect(enabled('multi-user.target', 'schoolgate.service')).toBe('/etc/systemd/system/schoolgate.service');
    expect(enabled('sysinit.target', 'schoolgate-nftables.service')).toBe('/etc/systemd/system/schoolgate-nftables.service');
    expect(enabled('sysinit.target', 'schoolgate-firstboot.service')).toBe('/etc/systemd/system/schoolgate-firstboot.service');
    expect(enabled('schoolgate.service', 'schoolgate-console.service')).toBe('/etc/systemd/system/schoolgate-console.service');
    expect(enabled('multi-user.target', 'schoolgate-upgrade.path')).toBe('/etc/systemd/system/schoolgate-upgrade.path');
    expect(existsSync(join(root, 'etc/schoolgate/nftables-base.nft'))).toBe(true);
    expect(readFileSync(join(root, 'etc/ssh/sshd_config.d/schoolgate.conf'), 'utf8')).toContain('AllowGroups schoolgate');
    expect(readFileSync(join(root, 'etc/systemd/network/10-uplink.network'), 'utf8')).toMatch(/Name=eth0[\s\S]*DHCP=yes/);
    expect(readFileSync(join(root, 'etc/machine-id'), 'utf8')).toBe('');
  });

  it('ships a base firewall that drops forwarding and can be applied again over itself', () => {
    // Applied in a throwaway network namespace with the host's nft (netlink is not there under
    // qemu-user): twice, as a reboot without the daemon would, then the chain the kernel holds.
    const file = join(root, 'etc/schoolgate/nftables-base.nft');
    const r = spawnSync('unshare', ['-n', 'sh', '-c', `nft -f '${file}' && nft -f '${file}' && nft list chain inet schoolgate forward`], { encoding: 'utf8' });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/hook forward priority filter; policy drop;/);
  });
});

describe('the daemon started inside the arm64 root (qemu-user), as the schoolgate user', () => {
  it('blocks a pupil device\'s social-network name with the block answer', async () => {
    expect(await dig('www.tiktok.com', '127.20.0.5')).toBe('127.20.0.1');
  });

  it('forwards an allowed name to the upstream and returns its answer', async () => {
    expect(await dig('example.com', '127.20.0.5')).toBe(FORWARDED);
    expect(upstream.questions).toContain('example.com');
  });

  it('shows the first-run setup code in `schoolgate status` and on the console note', () => {
    const status = inRoot(['/usr/local/bin/schoolgate', 'status', '--data-dir', '/var/lib/schoolgate']);
    expect(status.status, status.out).toBe(0);
    const code = /first-run setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(status.out)?.[1];
    expect(code, status.out).toBeDefined();
    const note = inRoot(['/bin/sh', '/opt/schoolgate/current/image/console-note.sh']);
    expect(note.status, note.out).toBe(0);
    expect(readFileSync(join(root, 'etc/issue.d/schoolgate.issue'), 'utf8')).toContain(`First-run setup code: ${code}`);
  }, 600_000);
});
