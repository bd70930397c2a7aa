// The appliance is a Raspberry Pi-class box (arm64); this machine and CI are x86-64. The addon is
// built where it runs, so what can be checked here is that netio.c compiles for arm64 with the
// flags the build uses, warnings as errors, into a shared object for that machine. Running it
// there is the appliance image's test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { netioCompileArgs } from '../../../scripts/build-native.ts';

const CROSS_CC = 'aarch64-linux-gnu-gcc';
/** ELF e_machine for AArch64. */
const EM_AARCH64 = 183;
const ET_DYN = 3;

const dir = mkdtempSync(join(tmpdir(), 'schoolgate-netio-arm64-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('netio for the Raspberry Pi', () => {
  it('compiles for arm64 with the build\'s flags (warnings as errors) into an arm64 shared object', () => {
    const output = join(dir, 'netio.node');
    const result = spawnSync(CROSS_CC, netioCompileArgs(output), { encoding: 'utf8' });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new Error(`${CROSS_CC} is missing: apt-get install gcc-aarch64-linux-gnu (npm test installs it: scripts/prerequisites/debian-packages.txt)`);
    }
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    const elf = readFileSync(output);
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf[4]).toBe(2); // 64-bit
    expect(elf.readUInt16LE(16)).toBe(ET_DYN);
    expect(elf.readUInt16LE(18)).toBe(EM_AARCH64);
  });
});
