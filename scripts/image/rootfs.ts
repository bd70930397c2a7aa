// Making an arm64 root filesystem on this x86-64 machine and installing a release into it: the
// steps `npm run image` and the CI proof (test/lab/image-rootfs.test.ts) share, so the proof
// runs exactly what a card ships. The plan (packages, mmdebstrap's arguments) is in plan.ts.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mmdebstrapArgs, type MmdebstrapPlan } from './plan.ts';

const REPO = resolve(import.meta.dirname, '../..');

/** .debs kept between builds, outside the checkout (a second build downloads only what changed). */
export const DEB_CACHE = '/var/cache/schoolgate-image/debs';

const BINFMT = '/proc/sys/fs/binfmt_misc';

export interface Ran { stdout: string; stderr: string }

/** Runs a program to completion; a failure throws with its output. */
export function runOrThrow(program: string, args: readonly string[], options: SpawnSyncOptions = {}): Ran {
  const r = spawnSync(program, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? '');
  if (r.error !== undefined) throw new Error(`${program} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`\`${program} ${args.join(' ')}\` failed (${r.status ?? r.signal}):\n${stdout}${stderr}`.trimEnd());
  return { stdout, stderr };
}

/**
 * arm64 programs run here through qemu-user: the binfmt_misc filesystem (not mounted by default
 * on these machines) and Debian's qemu-aarch64 entry enabled. Idempotent.
 */
export function ensureArm64Emulation(): void {
  const mounted = readFileSync('/proc/self/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === BINFMT);
  if (!mounted) runOrThrow('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT]);
  const entry = join(BINFMT, 'qemu-aarch64');
  if (!existsSync(entry) || !readFileSync(entry, 'utf8').startsWith('enabled')) runOrThrow('update-binfmts', ['--enable', 'qemu-aarch64']);
  const state = readFileSync(entry, 'utf8');
  if (!state.startsWith('enabled')) throw new Error(`binfmt_misc's qemu-aarch64 entry is not enabled:\n${state}`);
  // F (fix binary): the kernel opened qemu when the entry was registered, so it runs inside a chroot that lacks it.
  if (!/^flags: .*F/m.test(state)) throw new Error(`binfmt_misc's qemu-aarch64 entry lacks the F flag, so arm64 programs cannot run in a chroot:\n${state}`);
}

/** mmdebstrap into `plan.target` (a fresh directory). */
export function debootstrap(plan: MmdebstrapPlan, log: (line: string) => void = () => {}): void {
  if (existsSync(plan.target)) rmSync(plan.target, { recursive: true, force: true });
  if (plan.cacheDir !== undefined) mkdirSync(plan.cacheDir, { recursive: true });
  log(`mmdebstrap ${plan.arch} ${plan.packages.length} packages into ${plan.target}`);
  runOrThrow('mmdebstrap', mmdebstrapArgs(plan), { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Proof roots kept between CI runs, outside the checkout (see debootstrapCached). */
export const ROOTFS_CACHE = '/var/cache/schoolgate-image/roots';
const ROOTFS_MAX_AGE_DAYS = 7;

/**
 * The CI proof's root: mmdebstrap as `debootstrap` does, kept as a tarball named by the hash of
 * mmdebstrap's arguments and version, and reused for a week. Under qemu-user on a 2-core machine
 * the packages' maintainer scripts take minutes, while what the proof is about (the release,
 * install.sh, the daemon) is made fresh every run. A changed package list or mmdebstrap makes a
 * new root at once; a week's age picks up Debian's updates; SCHOOLGATE_IMAGE_REBUILD=1 forces it.
 * `npm run image` never uses it.
 */
export function debootstrapCached(plan: MmdebstrapPlan, log: (line: string) => void = () => {}): { fromCache: boolean; builtAt: Date } {
  const version = runOrThrow('mmdebstrap', ['--version']).stdout.trim();
  const key = createHash('sha256').update(JSON.stringify([version, mmdebstrapArgs({ ...plan, target: 'ROOT' })])).digest('hex').slice(0, 16);
  const tarball = join(ROOTFS_CACHE, `${plan.arch}-${key}.tar`);
  const fresh = existsSync(tarball) && process.env.SCHOOLGATE_IMAGE_REBUILD !== '1' &&
    Date.now() - statSync(tarball).mtimeMs < ROOTFS_MAX_AGE_DAYS * 86_400_000;
  if (existsSync(plan.target)) rmSync(plan.target, { recursive: true, force: true });
  if (fresh) {
    mkdirSync(plan.target, { recursive: true });
    runOrThrow('tar', ['--numeric-owner', '--xattrs', '-xpf', tarball, '-C', plan.target]);
    log(`root from ${tarball}`);
    return { fromCache: true, builtAt: statSync(tarball).mtime };
  }
  debootstrap(plan, log);
  mkdirSync(ROOTFS_CACHE, { recursive: true });
  // Written beside and renamed: a run killed mid-write leaves no half root to reuse.
  runOrThrow('tar', ['--numeric-owner', '--xattrs', '-C', plan.target, '-cf', `${tarball}.partial`, '.']);
  renameSync(`${tarball}.partial`, tarball);
  return { fromCache: false, builtAt: new Date() };
}

/** `node scripts/release/stage.ts --arch ARCH --out DIR`: the release tree the box runs. */
export function stageRelease(arch: 'arm64' | 'x64', out: string): void {
  runOrThrow(process.execPath, [join(REPO, 'scripts/release/stage.ts'), '--arch', arch, '--out', out], { cwd: REPO });
}

/** A release tree's version (its VERSION file, JSON). */
export function releaseVersion(releaseDir: string): string {
  const parsed = JSON.parse(readFileSync(join(releaseDir, 'VERSION'), 'utf8')) as { version?: unknown };
  if (typeof parsed.version !== 'string' || !/^[0-9A-Za-z.+-]+$/.test(parsed.version)) throw new Error(`${releaseDir}/VERSION has no usable version`);
  return parsed.version;
}

/**
 * Installs a staged release into the root filesystem at `root` with the release's own
 * image/install.sh, run inside that root (chroot through qemu-user). The tree is copied straight
 * to its final place, so install.sh does not copy it a second time. Returns the version.
 */
export function installRelease(root: string, releaseDir: string, options: { image: boolean }): string {
  const version = releaseVersion(releaseDir);
  const inRoot = `/opt/schoolgate/releases/${version}`;
  mkdirSync(join(root, '/opt/schoolgate/releases'), { recursive: true });
  rmSync(join(root, inRoot), { recursive: true, force: true });
  cpSync(releaseDir, join(root, inRoot), { recursive: true, verbatimSymlinks: true });
  runOrThrow('chroot', [root, '/bin/sh', `${inRoot}/image/install.sh`, inRoot, ...(options.image ? ['--image'] : [])]);
  return version;
}

/** Mounts /proc, /sys and /dev into a root for programs run in it; the returned function unmounts them. */
export function mountKernelFilesystems(root: string): () => void {
  const mounts: string[] = [];
  const undo = (): void => {
    for (const target of mounts.reverse()) spawnSync('umount', ['--lazy', target]);
  };
  try {
    for (const [type, dir] of [['proc', 'proc'], ['sysfs', 'sys']] as const) {
      const target = join(root, dir);
      mkdirSync(target, { recursive: true });
      runOrThrow('mount', ['-t', type, type, target]);
      mounts.push(target);
    }
    const dev = join(root, 'dev');
    mkdirSync(dev, { recursive: true });
    runOrThrow('mount', ['--rbind', '/dev', dev]);
    runOrThrow('mount', ['--make-rslave', dev]);
    mounts.push(dev);
  } catch (e) {
    undo();
    throw e;
  }
  return undo;
}
