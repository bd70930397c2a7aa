// Node 24 for a release's architecture, from the npm registry package `node-linux-<arch>` at the
// version of the project's own `node` devDependency, so the box runs the Node the tests ran on.
// The tarball is kept in a cache outside the checkout (a release build must not dirty the tree,
// and a second build must not download 30 MB again) and is checked against the registry's
// `dist.integrity` when it is fetched and against that recorded integrity each time it is reused.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');

export type ReleaseArch = 'x64' | 'arm64';
export const RELEASE_ARCHES: readonly ReleaseArch[] = ['x64', 'arm64'];

/** The version of Node the project runs on: its installed `node` devDependency. */
export function projectNodeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO, 'node_modules/node/package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Where fetched Node packages are kept: $SCHOOLGATE_RELEASE_CACHE, else ~/.cache/schoolgate-release. */
export function releaseCacheDir(): string {
  return process.env.SCHOOLGATE_RELEASE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'schoolgate-release');
}

function run(program: string, args: string[], cwd?: string): string {
  const result = spawnSync(program, args, { cwd, encoding: 'utf8' });
  if (result.error) throw new Error(`${program} ${args.join(' ')} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** An npm `sha512-…` integrity string for these bytes. */
export function integrityOf(bytes: Buffer): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/**
 * The path of `node` for `arch` at `version`, fetched (npm pack) and verified on first use.
 * Throws if the registry cannot be reached on first use or the tarball does not match.
 */
export function nodeBinary(arch: ReleaseArch, version = projectNodeVersion(), cache = releaseCacheDir()): string {
  const spec = `node-linux-${arch}@${version}`;
  const dir = join(cache, `node-linux-${arch}-${version}`);
  const binary = join(dir, 'node');
  const tarball = join(dir, `node-linux-${arch}-${version}.tgz`);
  const recorded = join(dir, 'integrity');
  if (existsSync(binary) && existsSync(tarball) && existsSync(recorded)) {
    // Reuse only what still matches the integrity the registry gave when it was fetched.
    if (integrityOf(readFileSync(tarball)) === readFileSync(recorded, 'utf8').trim()) return binary;
  }
  rmSync(dir, { recursive: true, force: true });
  const partial = `${dir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    const expected = run('npm', ['view', spec, 'dist.integrity']).trim();
    if (!expected.startsWith('sha512-')) throw new Error(`the registry gave no sha512 integrity for ${spec} ("${expected}")`);
    const packed = JSON.parse(run('npm', ['pack', spec, '--json', '--pack-destination', partial], partial)) as Array<{ filename: string }>;
    const file = join(partial, packed[0]!.filename);
    const actual = integrityOf(readFileSync(file));
    if (actual !== expected) throw new Error(`${spec}: the downloaded tarball's integrity ${actual} is not the registry's ${expected}`);
    renameSync(file, join(partial, `node-linux-${arch}-${version}.tgz`));
    writeFileSync(join(partial, 'integrity'), `${expected}\n`);
    run('tar', ['-xzf', `node-linux-${arch}-${version}.tgz`, '--strip-components=2', 'package/bin/node'], partial);
    chmodSync(join(partial, 'node'), 0o755);
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  return binary;
}
