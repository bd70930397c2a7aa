// What the appliance's root filesystem and the Raspberry Pi card image are made of, as data: the
// Debian packages, mmdebstrap's command line, the card's partition table and boot files. Pure:
// scripts/image/rootfs.ts and scripts/image/pi-image.ts run what this plans.

export const SUITE = 'bookworm';
export const MIRROR = 'http://deb.debian.org/debian';

/**
 * Every root filesystem (the tarball for other boards, the Pi's card and the CI proof): systemd as
 * init, the clock from NTP (a Pi has no battery-backed clock; TLS and the schedules need the
 * time), nftables and iproute2 for enforcement, OpenSSH for technicians, openssl for the admin
 * UI's certificate the daemon makes at first start, passwd for the `schoolgate` user. Not
 * ca-certificates: Node carries its own root certificates, and its postinst costs the CI proof
 * a minute under qemu-user (a sed for each certificate); the card has it for a technician's tools.
 */
export const ROOTFS_PACKAGES: readonly string[] = [
  'systemd-sysv', 'systemd-timesyncd', 'dbus', 'passwd', 'login', 'netbase',
  'nftables', 'iproute2', 'openssh-server', 'openssl',
];

/**
 * The CI proof's root (test/lab/image-rootfs.test.ts): what image/install.sh and the daemon need
 * (useradd, systemctl to enable the units, ip for the console note), no more. Every package's
 * maintainer scripts run under qemu-user there, and they dominate the proof's time.
 */
export const PROOF_PACKAGES: readonly string[] = ['systemd', 'passwd', 'iproute2'];

/**
 * The Raspberry Pi 4/5 card adds Debian's arm64 kernel and the Pi's boot firmware (raspi-firmware
 * copies the kernel, initrd and device trees to /boot/firmware on every kernel install), and
 * growpart + resize2fs so first boot can grow the root to the card's size.
 */
export const PI_PACKAGES: readonly string[] = [
  ...ROOTFS_PACKAGES, 'ca-certificates', 'linux-image-arm64', 'raspi-firmware', 'dosfstools', 'cloud-guest-utils', 'e2fsprogs',
];

/** The card's archive areas: raspi-firmware is in non-free-firmware (the boot ROM's blobs are not free). */
export const PI_COMPONENTS: readonly string[] = ['main', 'non-free-firmware'];

/** The root filesystem's label: the kernel command line and fstab find the root by it, not by device name (SD or USB). */
export const ROOT_LABEL = 'sgroot';
export const BOOT_LABEL = 'SGBOOT';

export interface MmdebstrapPlan {
  arch: 'arm64' | 'amd64';
  packages: readonly string[];
  /** The directory the root filesystem is made in (format "directory": later steps chroot into it). */
  target: string;
  /** .debs kept across runs (outside the checkout): a second build downloads only what changed. */
  cacheDir?: string;
  mirror?: string;
  suite?: string;
  /** Debian's archive areas; raspi-firmware (the Pi's boot firmware) is in non-free-firmware. Default main. */
  components?: readonly string[];
}

/** dpkg path filters: licences kept (Debian requires them), the rest of /usr/share/doc, man and locales dropped. */
export const DOC_EXCLUDES: readonly string[] = [
  'path-exclude=/usr/share/man/*', 'path-exclude=/usr/share/info/*', 'path-exclude=/usr/share/locale/*',
  'path-exclude=/usr/share/doc/*', 'path-include=/usr/share/doc/*/copyright',
];

/** mmdebstrap's argv (without the program). Root mode: the chroot steps after it need a real root tree. */
export function mmdebstrapArgs(plan: MmdebstrapPlan): string[] {
  const args = [
    `--arch=${plan.arch}`, '--variant=apt', '--mode=root', '--format=directory',
    `--components=${(plan.components ?? ['main']).join(',')}`,
    `--include=${plan.packages.join(',')}`,
    // No fsync for each file (the tree is written to its filesystem image afterwards), and no
    // manuals, translations or documentation beyond the licences: a box has no reader for them,
    // and under qemu-user every file unpacked costs time.
    '--dpkgopt=force-unsafe-io',
    ...DOC_EXCLUDES.map((rule) => `--dpkgopt=${rule}`),
  ];
  if (plan.packages.some((p) => p.startsWith('linux-image-'))) args.push(...INITRAMFS_ONCE_HOOKS);
  if (plan.cacheDir !== undefined) {
    // mmdebstrap's own recipe (man mmdebstrap, "sync-in and sync-out"): seed apt's archive
    // directory from the cache, copy what apt fetched back out; essential/unlink keeps the
    // .debs in place until then.
    args.push(
      '--skip=essential/unlink',
      '--setup-hook=mkdir -p "$1"/var/cache/apt/archives/',
      `--setup-hook=sync-in ${shellWord(plan.cacheDir)} /var/cache/apt/archives/`,
      `--customize-hook=sync-out /var/cache/apt/archives ${shellWord(plan.cacheDir)}`,
      // The image must not carry the .debs (hundreds of MB on the card).
      '--customize-hook=rm -f "$1"/var/cache/apt/archives/*.deb',
    );
  }
  args.push(plan.suite ?? SUITE, plan.target, plan.mirror ?? MIRROR);
  return args;
}

/**
 * The kernel's postinst makes its initramfs, and initramfs-tools' trigger then makes the same one
 * again; under qemu-user each costs about ten minutes. While the
 * packages install, update-initramfs is diverted to a line that says so; once they are all in, the
 * real one runs once, and its post-update hook (raspi-firmware's) copies the initrd to the boot
 * partition as it would on a box.
 */
export const INITRAMFS_ONCE_HOOKS: readonly string[] = [
  '--essential-hook=chroot "$1" dpkg-divert --quiet --local --rename --divert /usr/sbin/update-initramfs.distrib --add /usr/sbin/update-initramfs'
    + ` && printf '#!/bin/sh\\necho "update-initramfs: left until every package is installed"\\n' > "$1"/usr/sbin/update-initramfs`
    + ' && chmod 755 "$1"/usr/sbin/update-initramfs',
  '--customize-hook=rm "$1"/usr/sbin/update-initramfs'
    + ' && chroot "$1" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs'
    + ' && chroot "$1" update-initramfs -c -k all',
];

/** A word for a POSIX shell, quoted only when it needs to be. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export const SECTOR = 512;
const MiB = 1024 * 1024;

export interface CardLayout {
  /** Byte offsets and sizes of the two partitions in the image file. */
  boot: { offset: number; size: number };
  root: { offset: number; size: number };
  /** The whole image's size in bytes. */
  total: number;
  /** sfdisk's input: an MBR table (the Pi's boot ROM reads MBR, FAT32 LBA as partition 1). */
  sfdisk: string;
}

/**
 * The card: a 1 MiB gap, a FAT32 boot partition of `bootMiB`, then the ext4 root of `rootBytes`
 * (rounded up to whole MiB). First boot grows the root to the card's size.
 */
export function cardLayout(bootMiB: number, rootBytes: number): CardLayout {
  if (!Number.isInteger(bootMiB) || bootMiB < 64) throw new Error(`the boot partition needs at least 64 MiB (got ${bootMiB})`);
  if (rootBytes <= 0) throw new Error('the root partition cannot be empty');
  const bootOffset = MiB;
  const bootSize = bootMiB * MiB;
  const rootOffset = bootOffset + bootSize;
  const rootSize = Math.ceil(rootBytes / MiB) * MiB;
  const sectors = (bytes: number): number => bytes / SECTOR;
  const sfdisk = [
    'label: dos',
    'unit: sectors',
    '',
    `start=${sectors(bootOffset)}, size=${sectors(bootSize)}, type=c, bootable`,
    `start=${sectors(rootOffset)}, size=${sectors(rootSize)}, type=83`,
    '',
  ].join('\n');
  return { boot: { offset: bootOffset, size: bootSize }, root: { offset: rootOffset, size: rootSize }, total: rootOffset + rootSize, sfdisk };
}

/**
 * The root's size for `mkfs.ext4 -d`: what the tree holds plus room for the journal, inodes and
 * the first days of logs before first boot grows it (at least 512 MiB free).
 */
export function rootBytesFor(treeBytes: number): number {
  return Math.ceil(treeBytes * 1.3) + 512 * MiB;
}

/** The kernel command line on the boot partition: root by label, consoles on the Pi's UART and screen. */
export function piCmdline(): string {
  return `console=serial0,115200 console=tty1 root=LABEL=${ROOT_LABEL} rootfstype=ext4 fsck.repair=yes rootwait net.ifnames=0\n`;
}

/** /etc/fstab of the card: both partitions by label (an SD card and a USB boot disk have different device names). */
export function piFstab(): string {
  return [
    '# <file system>   <mount point>   <type>  <options>                  <dump> <pass>',
    `LABEL=${ROOT_LABEL}     /               ext4    defaults,noatime           0      1`,
    `LABEL=${BOOT_LABEL}     /boot/firmware  vfat    defaults,umask=0077        0      2`,
    '',
  ].join('\n');
}

/**
 * /etc/default/raspi-firmware: Debian's raspi-firmware writes cmdline.txt from it on every kernel
 * install, so a kernel upgrade on the box keeps the root by label.
 */
export function raspiFirmwareDefaults(): string {
  return `# Written by the Schoolgate image build: the root by label, consoles on the UART and screen.\nROOTPART=LABEL=${ROOT_LABEL}\nCONSOLES="serial0,115200 tty1"\n`;
}
