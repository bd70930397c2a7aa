// What npm test does about missing packages: nothing when all are there, apt-get as root on
// Debian, and otherwise a refusal that names each missing program and the one command to run.
import { describe, expect, it } from 'vitest';
import { aptCommands, failedOnLock, planInstall, sudoInstallCommand } from '../../../scripts/prerequisites/install-plan.ts';
import type { Requirement } from '../../../scripts/prerequisites/package-list.ts';

const missing: Requirement[] = [
  { package: 'nftables', proof: 'nft', why: 'the lab\'s firewall' },
  { package: 'chromium', proof: 'chromium', why: 'a browser' },
  { package: 'libc6-dev', proof: '/usr/include/stdio.h', why: 'headers' },
];

describe('planInstall', () => {
  it('does nothing when nothing is missing, whoever runs it', () => {
    expect(planInstall([], { root: false, aptGet: false }, 'npm test')).toEqual({ action: 'nothing' });
  });

  it('as root on Debian: announces the packages, refreshes the lists, installs without recommends, non-interactively', () => {
    const plan = planInstall(missing, { root: true, aptGet: true }, 'npm test');
    expect(plan.action).toBe('install');
    if (plan.action !== 'install') return;
    expect(plan.packages).toEqual(['nftables', 'chromium', 'libc6-dev']);
    expect(plan.announce).toBe([
      'npm test: installing 3 missing Debian packages with apt-get:',
      '  - nft (Debian package nftables: the lab\'s firewall)',
      '  - chromium (Debian package chromium: a browser)',
      '  - /usr/include/stdio.h (Debian package libc6-dev: headers)',
    ].join('\n'));
    expect(plan.env).toEqual({ DEBIAN_FRONTEND: 'noninteractive' });
    expect(plan.commands).toEqual(aptCommands(['nftables', 'chromium', 'libc6-dev']));
    const [update, install] = plan.commands as [string[], string[]];
    expect(update.slice(0, 1).concat(update.slice(-1))).toEqual(['apt-get', 'update']);
    expect(install.slice(0, 5)).toEqual(['apt-get', 'install', '-y', '-qq', '--no-install-recommends']);
    expect(install.slice(-3)).toEqual(['nftables', 'chromium', 'libc6-dev']);
  });

  it('without root: refuses with every missing program and the one sudo command', () => {
    const plan = planInstall(missing, { root: false, aptGet: true }, 'npm test');
    expect(plan).toEqual({
      action: 'refuse',
      message: [
        'npm test needs Debian packages that are not installed:',
        '  - nft (Debian package nftables: the lab\'s firewall)',
        '  - chromium (Debian package chromium: a browser)',
        '  - /usr/include/stdio.h (Debian package libc6-dev: headers)',
        'Install them (or run npm test as root, which does), then run npm test again:',
        '  sudo apt-get install -y --no-install-recommends nftables chromium libc6-dev',
      ].join('\n'),
    });
  });

  it('without apt-get, even as root: refuses, naming the Debian packages to find equivalents of', () => {
    const plan = planInstall(missing.slice(0, 1), { root: true, aptGet: false }, 'npm test');
    expect(plan.action).toBe('refuse');
    if (plan.action !== 'refuse') return;
    expect(plan.message).toContain('it has no apt-get');
    expect(plan.message).toContain('  - nft (Debian package nftables: the lab\'s firewall)');
    expect(plan.message.endsWith('run npm test again: nftables')).toBe(true);
  });

  it('names a package once when several of its proofs are missing', () => {
    const twice: Requirement[] = [
      { package: 'util-linux', proof: 'unshare', why: 'namespaces' },
      { package: 'util-linux', proof: 'nsenter', why: 'entering them' },
    ];
    expect(sudoInstallCommand(twice)).toBe('sudo apt-get install -y --no-install-recommends util-linux');
  });
});

describe('failedOnLock', () => {
  it('recognises apt-get refusing because another apt run holds a lock, and nothing else', () => {
    expect(failedOnLock('E: Could not get lock /var/lib/apt/lists/lock. It is held by process 7131 (apt-get)\nE: Unable to lock directory /var/lib/apt/lists/')).toBe(true);
    expect(failedOnLock('E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?')).toBe(true);
    expect(failedOnLock('E: Unable to locate package kea-admn')).toBe(false);
    expect(failedOnLock('E: Failed to fetch http://deb.example/pool/x.deb  Temporary failure resolving')).toBe(false);
  });
});
