// The Debian packages the suite and the benchmarks need (prerequisites/debian-packages.txt),
// checked on this machine and installed when they are missing. `npm test` runs this first, so a
// fresh Debian needs only `npm ci && npm test`; the vitest projects' global setups and the
// benchmarks check their own groups through the same list.
//
//   node scripts/prerequisites.ts [--check] [GROUP...]   (default: the groups `npm test` needs)
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeRequirement, failedOnLock, planInstall, sudoInstallCommand, type Machine } from './prerequisites/install-plan.ts';
import { missingFromNodeModules, type Lockfile, type Platform } from './prerequisites/installed-packages.ts';
import { missingRequirements, parsePackageList, requirementsOf, type PackageList, type Requirement } from './prerequisites/package-list.ts';

export const PACKAGE_LIST_FILE = join(import.meta.dirname, 'prerequisites', 'debian-packages.txt');
const REPO = join(import.meta.dirname, '..');

/** The groups `npm test` installs: the addon every project builds, and one group a vitest project. */
export const TEST_GROUPS: readonly string[] = ['native', 'unit', 'lab', 'browser'];

export function loadPackageList(file = PACKAGE_LIST_FILE): PackageList {
  return parsePackageList(readFileSync(file, 'utf8'), file);
}

// A non-root PATH often lacks the sbin directories, where ip, nft, dnsmasq and dhclient live.
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Whether a proof is on this machine: an absolute path that exists, or an executable program. */
export function isPresent(proof: string, path = process.env.PATH ?? ''): boolean {
  if (proof.startsWith('/')) return existsSync(proof);
  const dirs = [...path.split(delimiter).filter((d) => d.startsWith('/')), ...SYSTEM_DIRS];
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, proof), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The requirements of `groups` this machine lacks. */
export function missingFor(groups: readonly string[], list = loadPackageList()): Requirement[] {
  return missingRequirements(requirementsOf(list, groups), (proof) => isPresent(proof));
}

export function thisMachine(): Machine {
  return { root: process.getuid?.() === 0, aptGet: isPresent('apt-get') };
}

/**
 * For a check that does not install (a vitest global setup): one line a missing requirement of
 * `groups`, and the remedy; undefined when nothing is missing.
 */
export function missingWithRemedy(groups: readonly string[]): { lines: string[]; remedy: string } | undefined {
  const missing = missingFor(groups);
  if (missing.length === 0) return undefined;
  return {
    lines: missing.map(describeRequirement),
    remedy: `${groups.every((g) => TEST_GROUPS.includes(g)) ? 'npm test installs them when run as root' : `as root, node scripts/prerequisites.ts ${groups.join(' ')} installs them`}; ` +
      `without root: ${sudoInstallCommand(missing)}`,
  };
}

const LOCK_RETRY_MS = 3_000;
const LOCK_GIVE_UP_MS = 600_000;

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs one apt-get command, quietly unless it fails; tries again while another apt run holds its lock. */
function run(argv: string[], env: Record<string, string>): void {
  const started = performance.now();
  for (;;) {
    const r = spawnSync(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (r.error === undefined && r.status === 0) {
      process.stderr.write(`  ${argv.find((a) => a === 'update' || a === 'install') ?? argv[0]}: done in ${seconds} s\n`);
      return;
    }
    if (r.error === undefined && failedOnLock(output) && performance.now() - started < LOCK_GIVE_UP_MS) {
      pause(LOCK_RETRY_MS);
      continue;
    }
    const why = r.error !== undefined ? r.error.message : `exited ${r.status ?? r.signal}`;
    throw new Error(`\`${argv.join(' ')}\` ${why} after ${seconds} s:\n${output}`);
  }
}

/**
 * Makes sure every package of `groups` is installed: nothing to do (only the proofs are looked
 * at, no apt-get), installs with apt-get as root on Debian, or throws with the command to run.
 */
export function ensurePrerequisites(groups: readonly string[], who: string, machine = thisMachine()): { installed: string[] } {
  const list = loadPackageList();
  const plan = planInstall(missingFor(groups, list), machine, who);
  if (plan.action === 'nothing') return { installed: [] };
  if (plan.action === 'refuse') throw new Error(plan.message);
  // Chromium and the compilers take minutes on a fresh machine: say so, since apt-get is kept quiet.
  process.stderr.write(`${plan.announce}\n(apt-get update and install: minutes on a fresh machine; their output is shown if they fail)\n`);
  for (const argv of plan.commands) run(argv, plan.env);
  const still = missingFor(groups, list);
  if (still.length > 0) {
    throw new Error(`${who}: apt-get installed ${plan.packages.join(' ')}, yet these are still not found:\n  - ` +
      `${still.map(describeRequirement).join('\n  - ')}\n(is the proof in ${PACKAGE_LIST_FILE} right?)`);
  }
  return { installed: plan.packages };
}

function thisPlatform(): Platform {
  const { header } = process.report.getReport() as { header: { glibcVersionRuntime?: string } };
  return { os: process.platform, cpu: process.arch, ...(header.glibcVersionRuntime !== undefined ? { libc: 'glibc' } : { libc: 'musl' }) };
}

/** The packages of package-lock.json this machine should have in node_modules and lacks. */
export function missingNodeModules(repo = REPO): string[] {
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as Lockfile;
  return missingFromNodeModules(lock, thisPlatform(), (location) => existsSync(join(repo, location, 'package.json')));
}

/**
 * `npm ci` run on an older Node than the project's skips the optional packages whose engines
 * that Node fails (see prerequisites/installed-packages.ts): run it again on this Node 24, through
 * the npm that runs `npm test` (npm_execpath), so the README's `npm ci && npm test` is enough.
 */
export function ensureNodeModules(who: string): void {
  const missing = missingNodeModules();
  if (missing.length === 0) return;
  const npm = process.env.npm_execpath;
  const why = `node_modules lacks ${missing.join(', ')}: npm skips an optional package whose "engines" the Node running npm ` +
    `fails, and npm ci ran on an older Node than the project's ${process.version}`;
  if (npm === undefined) throw new Error(`${why}. Run npm ci on the project's Node: PATH="$PWD/node_modules/.bin:$PATH" npm ci`);
  process.stderr.write(`${who}: ${why}; running npm ci again on ${process.version}\n`);
  const r = spawnSync(process.execPath, [npm, 'ci', '--no-audit', '--no-fund'], {
    cwd: REPO,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PATH: `${join(REPO, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` },
  });
  if (r.error !== undefined || r.status !== 0) throw new Error(`npm ci on ${process.version} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
  const still = missingNodeModules();
  if (still.length > 0) throw new Error(`npm ci on ${process.version} still left out ${still.join(', ')}`);
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { check: { type: 'boolean', default: false } }, allowPositionals: true });
  const groups = positionals.length > 0 ? positionals : TEST_GROUPS;
  const event = process.env.npm_lifecycle_event;
  const who = event === 'test' ? 'npm test' : event !== undefined ? `npm run ${event}` : `node scripts/prerequisites.ts ${groups.join(' ')}`;
  if (values.check) {
    const missing = missingWithRemedy(groups);
    if (missing === undefined) return;
    throw new Error(`missing for ${groups.join(', ')}:\n  - ${missing.lines.join('\n  - ')}\n${missing.remedy}`);
  }
  ensureNodeModules(who);
  const { installed } = ensurePrerequisites(groups, who);
  const count = requirementsOf(loadPackageList(), groups).length;
  const what = count === 1 ? 'the Debian package' : `the ${count} Debian packages`;
  process.stderr.write(`prerequisites: ${what} of ${groups.join(', ')} ${count === 1 ? 'is' : 'are'} installed${installed.length > 0 ? ` (${installed.length} just now)` : ''}\n`);
}

if (import.meta.main) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
