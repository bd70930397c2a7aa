// Where releases live on the box, and the `current` symlink that names the running one:
//   ROOT/releases/<version>/   each installed release, root-owned, never changed after unpacking
//   ROOT/current -> releases/<version>   replaced atomically (a new link renamed over it)
// ROOT is /opt/schoolgate; tests give their own.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ReleaseManifest } from './manifest-schema.ts';

export const DEFAULT_INSTALL_ROOT = '/opt/schoolgate';
export const DEFAULT_RELEASE_KEYS_DIR = '/etc/schoolgate/release-keys';

export function installRootOf(given?: string): string {
  return given ?? process.env.SCHOOLGATE_INSTALL_ROOT ?? DEFAULT_INSTALL_ROOT;
}
export function releaseKeysDirOf(given?: string): string {
  return given ?? process.env.SCHOOLGATE_RELEASE_KEYS ?? DEFAULT_RELEASE_KEYS_DIR;
}

export const releasesDir = (root: string): string => join(root, 'releases');
export const releaseDir = (root: string, version: string): string => join(root, 'releases', version);

/** The version `current` points at, or undefined before the first install. */
export async function currentVersion(root: string): Promise<string | undefined> {
  try {
    return basename(await readlink(join(root, 'current')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The arch and version an installed tree says it is (its VERSION file). */
export async function installedVersion(dir: string): Promise<{ version: string; arch: string }> {
  return JSON.parse(await readFile(join(dir, 'VERSION'), 'utf8')) as { version: string; arch: string };
}

/**
 * Points `current` at releases/<version> by renaming a new symlink over the old one: a reader
 * (systemd starting the unit, the launcher) sees the old release or the new, never neither.
 */
export async function switchCurrent(root: string, version: string): Promise<void> {
  await stat(releaseDir(root, version));
  const link = join(root, `.current-${process.pid}`);
  await rm(link, { force: true });
  await symlink(join('releases', version), link);
  await rename(link, join(root, 'current'));
}

/**
 * Unpacks a verified release file's payload into releases/<version>/ (via a .partial directory
 * renamed into place), as root-owned files whatever the tar says. An existing directory of that
 * version that is not the running one is replaced (a re-sent release); the running one never is.
 */
export async function unpackRelease(root: string, file: string, payloadOffset: number, manifest: ReleaseManifest): Promise<string> {
  const target = releaseDir(root, manifest.version);
  if ((await currentVersion(root)) === manifest.version) throw new Error(`${manifest.version} is the running release: it is not unpacked over itself`);
  const partial = `${target}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true, mode: 0o755 });
  try {
    const args = ['-x', '--no-same-owner', '-C', partial, ...(manifest.compression === 'gzip' ? ['-z'] : []), '-f', '-'];
    const tar = spawn('tar', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => tar.on('close', resolve));
    // tar stops reading at the archive's end marker and may leave its record padding unread: a
    // closed pipe after a successful tar is not an error (the whole file was hashed already).
    const fed = await pipeline(createReadStream(file, { start: payloadOffset }), tar.stdin).then(() => undefined, (error: NodeJS.ErrnoException) => error);
    const code = await exited;
    if (code !== 0) throw new Error(`unpacking ${manifest.version} failed (tar ${code}): ${stderr.trim()}`);
    if (fed !== undefined && fed.code !== 'EPIPE' && fed.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw fed;
    const inside = await installedVersion(partial);
    if (inside.version !== manifest.version || inside.arch !== manifest.arch) {
      throw new Error(`the release's tree says it is ${inside.version} for ${inside.arch}, its manifest ${manifest.version} for ${manifest.arch}`);
    }
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
    return target;
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}
