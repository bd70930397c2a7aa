// The image's plan (scripts/image/plan.ts): mmdebstrap's command line, and the card's partition
// table as the real sfdisk writes and reads it back on a sparse file: partitions aligned to
// whole MiB, in order, not overlapping, the boot one FAT32 (LBA) and bootable as the Pi's ROM needs.
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cardLayout, mmdebstrapArgs, PI_COMPONENTS, PI_PACKAGES, piCmdline, piFstab, ROOT_LABEL, ROOTFS_PACKAGES, rootBytesFor, shellWord } from '../../../scripts/image/plan.ts';

const MiB = 2 ** 20;

describe('mmdebstrapArgs', () => {
  it('builds bookworm for the arch, with the packages, into a directory, keeping the .debs in the cache', () => {
    const args = mmdebstrapArgs({ arch: 'arm64', packages: ['nftables', 'iproute2'], target: '/var/tmp/x/root', cacheDir: '/var/cache/sg debs' });
    expect(args).toContain('--arch=arm64');
    expect(args).toContain('--format=directory');
    expect(args).toContain('--components=main');
    expect(args).toContain('--include=nftables,iproute2');
    expect(args).toContain("--setup-hook=sync-in '/var/cache/sg debs' /var/cache/apt/archives/");
    expect(args).toContain("--customize-hook=sync-out /var/cache/apt/archives '/var/cache/sg debs'");
    expect(args.slice(-3)).toEqual(['bookworm', '/var/tmp/x/root', 'http://deb.debian.org/debian']);
  });

  it('without a cache, neither syncs nor keeps the .debs', () => {
    const args = mmdebstrapArgs({ arch: 'arm64', packages: ['nftables'], target: '/r' });
    expect(args.some((a) => a.includes('sync-'))).toBe(false);
    expect(args).not.toContain('--skip=essential/unlink');
  });

  it('reaches non-free-firmware for the Pi\'s boot firmware when asked', () => {
    expect(mmdebstrapArgs({ arch: 'arm64', packages: ['raspi-firmware'], target: '/r', components: PI_COMPONENTS })).toContain('--components=main,non-free-firmware');
  });

  it('with a kernel, makes the initramfs once, after every package, instead of at the kernel and again at the trigger', () => {
    const withKernel = mmdebstrapArgs({ arch: 'arm64', packages: PI_PACKAGES, target: '/r', cacheDir: '/c' });
    const divert = withKernel.findIndex((a) => a.startsWith('--essential-hook=') && a.includes('dpkg-divert') && a.includes('--add /usr/sbin/update-initramfs'));
    const once = withKernel.findIndex((a) => a.startsWith('--customize-hook=') && a.includes('--remove /usr/sbin/update-initramfs') && a.endsWith('update-initramfs -c -k all'));
    expect(divert).toBeGreaterThan(-1);
    expect(once).toBeGreaterThan(divert);
    // The cache hooks stay last: they copy out what apt fetched once the root is finished.
    expect(once).toBeLessThan(withKernel.findIndex((a) => a.includes('sync-out')));
    expect(mmdebstrapArgs({ arch: 'arm64', packages: ROOTFS_PACKAGES, target: '/r' }).some((a) => a.includes('update-initramfs'))).toBe(false);
  });

  it('the Pi adds its kernel and boot firmware to everything the plain root has', () => {
    expect(PI_PACKAGES).toEqual(expect.arrayContaining([...ROOTFS_PACKAGES, 'linux-image-arm64', 'raspi-firmware']));
    expect(ROOTFS_PACKAGES).toEqual(expect.arrayContaining(['nftables', 'iproute2', 'openssh-server', 'systemd-sysv']));
  });
});

describe('shellWord', () => {
  it('quotes only what a shell would split or expand', () => {
    expect(shellWord('/var/cache/x')).toBe('/var/cache/x');
    expect(shellWord("it's here")).toBe(`'it'\\''s here'`);
    expect(shellWord('$HOME')).toBe("'$HOME'");
  });
});

describe('cardLayout', () => {
  it('is the table sfdisk writes and reads back', () => {
    const layout = cardLayout(256, 700 * MiB + 5);
    expect(layout.root.size).toBe(701 * MiB);
    const dir = mkdtempSync(join(tmpdir(), 'schoolgate-card-'));
    try {
      const img = join(dir, 'card.img');
      const fd = openSync(img, 'w');
      ftruncateSync(fd, layout.total);
      closeSync(fd);
      const wrote = spawnSync('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', img], { input: layout.sfdisk, encoding: 'utf8' });
      expect(wrote.status, wrote.stderr).toBe(0);
      const read = spawnSync('sfdisk', ['--json', img], { encoding: 'utf8' });
      expect(read.status, read.stderr).toBe(0);
      const table = (JSON.parse(read.stdout) as { partitiontable: { label: string; partitions: { start: number; size: number; type: string; bootable?: boolean }[] } }).partitiontable;
      expect(table.label).toBe('dos');
      const [boot, root] = table.partitions;
      expect(boot).toMatchObject({ start: layout.boot.offset / 512, size: layout.boot.size / 512, type: 'c', bootable: true });
      expect(root).toMatchObject({ start: layout.root.offset / 512, size: layout.root.size / 512, type: '83' });
      expect(root!.start * 512 + root!.size * 512).toBe(layout.total);
      for (const p of [boot!, root!]) expect((p.start * 512) % MiB).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a boot partition too small for the firmware and an empty root', () => {
    expect(() => cardLayout(32, MiB)).toThrow(/at least 64 MiB/);
    expect(() => cardLayout(256, 0)).toThrow(/empty/);
  });

  it('leaves room in the root for first boot and the first logs', () => {
    expect(rootBytesFor(1000 * MiB)).toBeGreaterThanOrEqual(1300 * MiB + 512 * MiB);
  });
});

describe('the card finds its root by label', () => {
  it('in the kernel command line and fstab', () => {
    expect(piCmdline()).toContain(`root=LABEL=${ROOT_LABEL}`);
    expect(piCmdline().endsWith('\n')).toBe(true);
    expect(piFstab()).toMatch(new RegExp(`^LABEL=${ROOT_LABEL}\\s+/\\s+ext4`, 'm'));
    expect(piFstab()).toMatch(/\/boot\/firmware\s+vfat/);
  });
});
