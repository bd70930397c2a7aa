// What to do about missing Debian packages on a given machine, and the words for it: install them
// (root with apt-get), or stop and say the one command that would. Pure: the machine is described
// by the caller.
import type { Requirement } from './package-list.ts';

export interface Machine {
  /** Running as uid 0. */
  root: boolean;
  /** apt-get is on this machine (a Debian or a derivative). */
  aptGet: boolean;
}

export type InstallPlan =
  | { action: 'nothing' }
  | { action: 'install'; packages: string[]; announce: string; commands: string[][]; env: Record<string, string> }
  | { action: 'refuse'; message: string };

// Another apt run (a second checkout's `npm test`, unattended upgrades) holds dpkg's lock for a
// while: wait for it rather than fail on a busy machine.
const LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=600'];

/**
 * Whether apt-get failed only because another apt run holds a lock. `apt-get update` does not
 * honour DPkg::Lock::Timeout for the lists' lock, so the caller tries it again a little later.
 */
export function failedOnLock(output: string): boolean {
  return /Could not get lock|Unable to lock directory|Unable to acquire the dpkg frontend lock/.test(output);
}

/** `nft (Debian package nftables: the lab's NAT ...)`: one line a missing requirement. */
export function describeRequirement(r: Requirement): string {
  return `${r.proof} (Debian package ${r.package}: ${r.why})`;
}

/** The package names, each once, in order. */
export function packagesOf(missing: readonly Requirement[]): string[] {
  return [...new Set(missing.map((r) => r.package))];
}

/** The one command a person without root runs to install `missing`. */
export function sudoInstallCommand(missing: readonly Requirement[]): string {
  return `sudo apt-get install -y --no-install-recommends ${packagesOf(missing).join(' ')}`;
}

/** The apt-get commands that install `packages`, lists refreshed first (a fresh image has none). */
export function aptCommands(packages: readonly string[]): string[][] {
  return [
    ['apt-get', '-qq', ...LOCK_WAIT, 'update'],
    ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...LOCK_WAIT, ...packages],
  ];
}

/**
 * What `who` (e.g. "npm test") does about `missing` on `machine`. Root on Debian installs; anyone
 * else is refused with the list and the command, so nothing is ever skipped silently.
 */
export function planInstall(missing: readonly Requirement[], machine: Machine, who: string): InstallPlan {
  if (missing.length === 0) return { action: 'nothing' };
  const packages = packagesOf(missing);
  const list = missing.map((r) => `  - ${describeRequirement(r)}`).join('\n');
  if (!machine.aptGet) {
    return {
      action: 'refuse',
      message: `${who} needs programs this machine lacks, and it has no apt-get to install them:\n${list}\n` +
        `Install the equivalents of these Debian packages, then run ${who} again: ${packages.join(' ')}`,
    };
  }
  if (!machine.root) {
    return {
      action: 'refuse',
      message: `${who} needs Debian packages that are not installed:\n${list}\n` +
        `Install them (or run ${who} as root, which does), then run ${who} again:\n  ${sudoInstallCommand(missing)}`,
    };
  }
  return {
    action: 'install',
    packages,
    announce: `${who}: installing ${packages.length} missing Debian package${packages.length === 1 ? '' : 's'} with apt-get:\n${list}`,
    commands: aptCommands(packages),
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  };
}
