// Which release runs, read from the install layout (install-layout.ts) and the upgrade history
// (upgrade-files.ts), for the status. Read at start and after each recorded upgrade outcome, and
// kept: the status is asked often and synchronously, and none of this changes in between.
import { realpath, stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { APP_ROOT } from '../paths.ts';
import { VERSION } from '../version.ts';
import { installedVersion, installRootOf, releasesDir } from './install-layout.ts';
import type { ReleaseStatus } from './release-status-schema.ts';
import { readHistory } from './upgrade-files.ts';

export interface ReleaseStatusSources {
  dataDir: string;
  /** Where the running firmware is (APP_ROOT); tests give a folder of their own. */
  appRoot?: string;
  installRoot?: string;
}

/** True when `dir` is ROOT/releases/<something> itself. */
async function isInstalledRelease(dir: string, installRoot: string): Promise<boolean> {
  const releases = await realpath(releasesDir(installRoot)).catch(() => undefined);
  if (releases === undefined) return false;
  const rel = relative(releases, dir);
  return rel !== '' && !rel.startsWith('..') && !rel.includes(sep);
}

export async function readReleaseStatus(o: ReleaseStatusSources): Promise<ReleaseStatus> {
  const path = await realpath(o.appRoot ?? APP_ROOT);
  const history = await readHistory(o.dataDir);
  const lastUpgrade = history.at(-1) ?? null;
  if (!await isInstalledRelease(path, installRootOf(o.installRoot))) {
    return { version: VERSION, arch: process.arch, installed: false, path, installedAt: null, lastUpgrade };
  }
  const tree = await installedVersion(path).catch(() => ({ version: VERSION, arch: process.arch }));
  const switched = history.findLast((e) => e.outcome === 'installed' && e.to === tree.version);
  // The first release (the image's) has no upgrade: its folder's birth is when install.sh unpacked it.
  const made = await stat(path);
  const birth = made.birthtimeMs > 0 ? made.birthtime : made.ctime;
  return { version: tree.version, arch: tree.arch, installed: true, path, installedAt: switched?.at ?? birth.toISOString(), lastUpgrade };
}

/** The status's release part, kept current by `refresh` (after each recorded upgrade outcome). */
export async function watchReleaseStatus(o: ReleaseStatusSources & { onError: (err: unknown) => void }): Promise<{ status: () => ReleaseStatus; refresh: () => Promise<void> }> {
  const unread = async (err: unknown): Promise<ReleaseStatus> => {
    o.onError(err);
    return { version: VERSION, arch: process.arch, installed: false, path: o.appRoot ?? APP_ROOT, installedAt: null, lastUpgrade: null };
  };
  // A damaged history must not stop the daemon starting: the status says less until the next read.
  let current = await readReleaseStatus(o).catch(unread);
  const refresh = (): Promise<void> => readReleaseStatus(o).then((next) => { current = next; }, o.onError);
  return { status: () => current, refresh };
}
