// `node scripts/release/stage.ts --arch arm64|x64 --out DIR [--version V]`: a release tree, the
// self-contained form the appliance installs under /opt/schoolgate/releases/<version>/:
//   VERSION            JSON: version, git commit, arch, built at
//   bin/schoolgate     the launcher (it runs node/bin/node and dist/ when there are no sources)
//   node/bin/node      Node 24 for the arch (scripts/release/node-binary.ts)
//   dist/ webui/dist/ rules/ image/ package.json
//   build/native/netio.node   the addon, cross-compiled for arm64 (aarch64-linux-gnu-gcc)
//   node_modules/      the production dependencies (the lockfile's non-dev packages; none is native)
// It builds first when dist/ or webui/dist/ is older than its sources.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildFirmware, BUILT_MAIN } from '../build-firmware.ts';
import { buildNative, netioCompileArgs } from '../build-native.ts';
import { nodeBinary, RELEASE_ARCHES, type ReleaseArch } from './node-binary.ts';

const REPO = resolve(import.meta.dirname, '../..');

/** The VERSION file at a release's root. */
export interface ReleaseVersion {
  version: string;
  commit: string;
  arch: ReleaseArch;
  builtAt: string;
}

export interface StageOptions {
  arch: ReleaseArch;
  out: string;
  /** Default: package.json's version. */
  version?: string;
  /** Log progress lines here (the CLI prints them; tests pass nothing). */
  log?: (line: string) => void;
}

const VERSION_PATTERN = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

function newestUnder(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

const mtime = (path: string): number => (existsSync(path) ? statSync(path).mtimeMs : -1);

function runOrThrow(program: string, args: string[]): void {
  const result = spawnSync(program, args, { cwd: REPO, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout ?? ''}${result.stderr ?? result.error?.message ?? ''}`);
}

/** Builds dist/ and webui/dist/ unless each is newer than its sources, as `npm run build` would. */
export function ensureBuilt(log: (line: string) => void = () => {}): void {
  if (mtime(BUILT_MAIN) < Math.max(newestUnder(join(REPO, 'firmware')), mtime(join(REPO, 'package.json')))) {
    log('building dist/ (npm run build: firmware)');
    buildFirmware();
  }
  const webuiIndex = join(REPO, 'webui/dist/index.html');
  if (mtime(webuiIndex) < newestUnder(join(REPO, 'webui/src'))) {
    log('building webui/dist/');
    runOrThrow(join(REPO, 'node_modules/.bin/tsc'), ['-p', join(REPO, 'webui')]);
    runOrThrow(process.execPath, [join(REPO, 'scripts/build-webui.ts')]);
  }
}

/** The C compiler that makes code for `arch` on this machine. */
function compilerFor(arch: ReleaseArch): string {
  if (arch === process.arch) return process.env.CC ?? 'cc';
  return arch === 'arm64' ? 'aarch64-linux-gnu-gcc' : 'x86_64-linux-gnu-gcc';
}

function stageNetio(arch: ReleaseArch, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  if (arch === process.arch) {
    const built = buildNative();
    if (!built.built) throw new Error(`netio could not be built: ${built.reason}`);
    cpSync(built.path, target);
    return;
  }
  const cc = compilerFor(arch);
  const result = spawnSync(cc, netioCompileArgs(target), { cwd: REPO, encoding: 'utf8' });
  if (result.error) throw new Error(`${cc} could not start (apt-get install gcc-aarch64-linux-gnu): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`cross-compiling netio with ${cc} failed:\n${result.stdout}${result.stderr}`);
}

interface LockPackage { dev?: boolean; devOptional?: boolean; optional?: boolean; link?: boolean }

/** The lockfile's production packages (node_modules/… paths), each of which must be installed here. */
export function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.dev !== true && entry.devOptional !== true)
    .map(([path]) => path);
}

function stageNodeModules(out: string): void {
  const packages = productionPackages();
  for (const path of packages) {
    if (!existsSync(join(REPO, path))) throw new Error(`${path} is in package-lock.json but not installed: run npm ci`);
  }
  // A nested package (a/node_modules/b) comes with its parent; one cp for all: ~5x faster than
  // copying file by file from Node on a loaded machine.
  const outermost = packages.filter((path) => !packages.some((other) => path.startsWith(`${other}/`)));
  runOrThrow('cp', ['-a', '--parents', ...outermost, out]);
}

function gitCommit(): string {
  const result = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' });
  if (result.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO, encoding: 'utf8' }).stdout.trim() !== '';
  return `${result.stdout.trim()}${dirty ? '-dirty' : ''}`;
}

/**
 * Sets a staged tree's version everywhere it is read: VERSION, package.json and dist/package.json
 * (which `schoolgate --version` and the status report read). Tests use it to make a "newer" release.
 */
export function setReleaseVersion(dir: string, version: string): void {
  if (!VERSION_PATTERN.test(version)) throw new Error(`"${version}" is not a release version (MAJOR.MINOR.PATCH[-pre])`);
  const info = JSON.parse(readFileSync(join(dir, 'VERSION'), 'utf8')) as ReleaseVersion;
  writeFileSync(join(dir, 'VERSION'), `${JSON.stringify({ ...info, version }, null, 2)}\n`);
  for (const file of ['package.json', 'dist/package.json']) {
    const pkg = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, file), `${JSON.stringify({ ...pkg, version }, null, 2)}\n`);
  }
}

/** Stages a release into `out` (which must not exist yet, or be empty); returns its VERSION. */
export function stageRelease(options: StageOptions): ReleaseVersion {
  const log = options.log ?? (() => {});
  const { arch } = options;
  if (!RELEASE_ARCHES.includes(arch)) throw new Error(`--arch must be one of ${RELEASE_ARCHES.join(', ')}, not "${arch}"`);
  const out = resolve(options.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} is not empty: stage into a new directory`);
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  const version = options.version ?? String(pkg.version);
  if (!VERSION_PATTERN.test(version)) throw new Error(`"${version}" is not a release version (MAJOR.MINOR.PATCH[-pre])`);

  ensureBuilt(log);
  log(`Node for linux-${arch}`);
  const node = nodeBinary(arch);

  // Staged beside `out` and renamed into place: a failed stage leaves no half tree to install.
  const partial = `${out}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    log('copying the firmware, web UI, rules and units');
    runOrThrow('cp', ['-a', '--parents', 'dist', 'webui/dist', 'rules', 'image', 'bin/schoolgate', partial]);
    mkdirSync(join(partial, 'node/bin'), { recursive: true });
    cpSync(node, join(partial, 'node/bin/node'));
    log(`netio for ${arch}`);
    stageNetio(arch, join(partial, 'build/native/netio.node'));
    log('production node_modules');
    stageNodeModules(partial);
    // The release's package.json: what the firmware reads (version), without the scripts and
    // development tools that only a checkout has.
    const { scripts: _scripts, devDependencies: _dev, allowScripts: _allow, ...runtime } = pkg;
    writeFileSync(join(partial, 'package.json'), `${JSON.stringify(runtime, null, 2)}\n`);
    writeFileSync(join(partial, 'dist/package.json'), `${JSON.stringify(runtime, null, 2)}\n`);
    const info: ReleaseVersion = { version, commit: gitCommit(), arch, builtAt: new Date().toISOString() };
    writeFileSync(join(partial, 'VERSION'), `${JSON.stringify(info, null, 2)}\n`);
    setReleaseVersion(partial, version);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(dirname(out), { recursive: true });
    renameSync(partial, out);
    log(`staged ${version} (${arch}) in ${out}`);
    return info;
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}

if (import.meta.main) {
  const usage = 'usage: node scripts/release/stage.ts --arch arm64|x64 --out DIR [--version V]';
  try {
    const { values } = parseArgs({ options: { arch: { type: 'string' }, out: { type: 'string' }, version: { type: 'string' } }, strict: true });
    if (values.arch === undefined || values.out === undefined) throw new Error(usage);
    stageRelease({ arch: values.arch as ReleaseArch, out: values.out, version: values.version, log: (line) => console.log(line) });
  } catch (error) {
    console.error(`stage: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
