// Which packages of the lock belong in node_modules on this platform: the check behind npm test
// running `npm ci` again when an older Node skipped an optional native binding.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingFromNodeModules, runsOn, type Lockfile } from '../../../scripts/prerequisites/installed-packages.ts';

const linux = { os: 'linux', cpu: 'x64', libc: 'glibc' };

// Shaped like rolldown's: one optional binding per platform, the wasm one with runtime deps of its own.
const lock: Lockfile = {
  packages: {
    '': { dependencies: { app: '1' }, devDependencies: { tool: '1' } } as Lockfile['packages'][string],
    'node_modules/app': { dependencies: { shared: '1' }, peerDependencies: { peer: '1', extra: '1' }, peerDependenciesMeta: { extra: { optional: true } } },
    'node_modules/shared': {},
    'node_modules/peer': {},
    'node_modules/extra': {},
    'node_modules/tool': {
      dependencies: { shared: '2' },
      optionalDependencies: { 'binding-linux-x64-gnu': '1', 'binding-linux-x64-musl': '1', 'binding-darwin-arm64': '1', 'binding-wasm32-wasi': '1' },
    },
    'node_modules/tool/node_modules/shared': {},
    'node_modules/binding-linux-x64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
    'node_modules/binding-linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
    'node_modules/binding-darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
    'node_modules/binding-wasm32-wasi': { cpu: ['wasm32'], dependencies: { 'wasm-runtime': '1' } },
    'node_modules/wasm-runtime': {},
    'node_modules/unreached': {},
  },
};

const installedExcept = (...absent: string[]) => (location: string): boolean => !absent.includes(location);

describe('missingFromNodeModules', () => {
  it('is empty when everything this platform needs is there', () => {
    expect(missingFromNodeModules(lock, linux, installedExcept(
      'node_modules/binding-linux-x64-musl', 'node_modules/binding-darwin-arm64', 'node_modules/binding-wasm32-wasi',
      'node_modules/wasm-runtime', 'node_modules/extra', 'node_modules/unreached',
    ))).toEqual([]);
  });

  it('names the optional binding an older Node skipped, and the nested copy a dependency resolves to', () => {
    expect(missingFromNodeModules(lock, linux, installedExcept('node_modules/binding-linux-x64-gnu', 'node_modules/tool/node_modules/shared', 'node_modules/wasm-runtime')))
      .toEqual(['node_modules/binding-linux-x64-gnu', 'node_modules/tool/node_modules/shared']);
  });

  it('follows dev dependencies of the root only, and required peers only', () => {
    expect(missingFromNodeModules(lock, linux, () => false)).toEqual([
      'node_modules/app', 'node_modules/binding-linux-x64-gnu', 'node_modules/peer', 'node_modules/shared', 'node_modules/tool',
      'node_modules/tool/node_modules/shared',
    ]);
  });

  it('on musl wants the musl binding instead', () => {
    expect(missingFromNodeModules(lock, { os: 'linux', cpu: 'x64', libc: 'musl' }, () => false)).toContain('node_modules/binding-linux-x64-musl');
  });

  it('finds nothing missing in this checkout (npm ci ran here)', () => {
    const real = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Lockfile;
    const present = (location: string): boolean => {
      try {
        readFileSync(`${location}/package.json`);
        return true;
      } catch {
        return false;
      }
    };
    expect(missingFromNodeModules(real, { os: process.platform, cpu: process.arch, libc: 'glibc' }, present)).toEqual([]);
  });
});

describe('runsOn', () => {
  it('reads os/cpu/libc lists as npm does, "!x" excluding', () => {
    expect(runsOn({ os: ['!win32'] }, linux)).toBe(true);
    expect(runsOn({ os: ['!linux'] }, linux)).toBe(false);
    expect(runsOn({ cpu: ['arm64', 'x64'] }, linux)).toBe(true);
    expect(runsOn({ libc: ['musl'] }, linux)).toBe(false);
    expect(runsOn({}, linux)).toBe(true);
  });
});
