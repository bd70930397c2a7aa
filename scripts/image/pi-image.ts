// The Raspberry Pi card image from a finished root filesystem, made without loop devices or
// mounts: the FAT boot partition as a file (mkfs.vfat, filled with mtools), the ext4 root as a
// file (mkfs.ext4 -d), both written into the image at the offsets of the partition table
// (sfdisk on the image file). The layout and boot files are planned in plan.ts.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, ftruncateSync, createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BOOT_LABEL, cardLayout, piCmdline, piFstab, raspiFirmwareDefaults, ROOT_LABEL, rootBytesFor, type CardLayout } from './plan.ts';
import { runOrThrow } from './rootfs.ts';

const BOOT_MiB = 256;

/** What the technician may put on the boot partition after flashing (read by first boot). */
export const BOOT_README = `Schoolgate: files a technician may add here after flashing, read once on the first boot\r
\r
  schoolgate/authorized_keys   SSH public keys (one a line) of the technicians: they sign in as\r
                               "technician" with these keys (passwords are never accepted)\r
  schoolgate/config.json       a configuration prepared for this school (checked first; renamed\r
                               config.json.installed once it is in use)\r
`;

/** Bytes the tree under `dir` holds (du's apparent sizes, one filesystem). */
function treeBytes(dir: string): number {
  const { stdout } = runOrThrow('du', ['-sx', '--block-size=1', dir]);
  return Number(stdout.split('\t')[0]);
}

/** The root's Pi-specific files: fstab by label, the kernel command line, hostname-free defaults for raspi-firmware. */
export function preparePiRoot(root: string): void {
  writeFileSync(join(root, 'etc/fstab'), piFstab());
  writeFileSync(join(root, 'etc/default/raspi-firmware'), raspiFirmwareDefaults());
  const firmware = join(root, 'boot/firmware');
  if (!existsSync(join(firmware, 'config.txt'))) throw new Error(`${firmware} has no config.txt: raspi-firmware did not install the boot files`);
  if (!readdirSync(firmware).some((f) => f.startsWith('vmlinuz') || f === 'kernel8.img')) {
    throw new Error(`${firmware} holds no kernel: linux-image-arm64's raspi-firmware hook did not run`);
  }
  if (!readdirSync(firmware).some((f) => f.startsWith('initrd.img'))) {
    throw new Error(`${firmware} holds no initrd: update-initramfs did not run at the end of mmdebstrap, or raspi-firmware's post-update hook did not copy it`);
  }
  writeFileSync(join(firmware, 'cmdline.txt'), piCmdline());
  mkdirSync(join(firmware, 'schoolgate'), { recursive: true });
  writeFileSync(join(firmware, 'schoolgate/README.txt'), BOOT_README);
}

async function writeAt(image: string, part: string, offset: number): Promise<void> {
  await pipeline(createReadStream(part), createWriteStream(image, { flags: 'r+', start: offset }));
}

/**
 * Writes `out` (.img): the boot files of `root`/boot/firmware on a FAT32 partition, the rest of
 * `root` on ext4. `root`'s boot/firmware is emptied (it is the FAT partition's mount point on the
 * card). Returns the layout written.
 */
export async function writePiImage(root: string, out: string, work: string, log: (line: string) => void = () => {}): Promise<CardLayout> {
  mkdirSync(work, { recursive: true });
  const bootFiles = join(work, 'boot-files');
  rmSync(bootFiles, { recursive: true, force: true });
  renameSync(join(root, 'boot/firmware'), bootFiles);
  mkdirSync(join(root, 'boot/firmware'));

  const layout = cardLayout(BOOT_MiB, rootBytesFor(treeBytes(root)));
  const bootPart = join(work, 'boot.vfat');
  const rootPart = join(work, 'root.ext4');
  rmSync(bootPart, { force: true });
  rmSync(rootPart, { force: true });

  log(`boot partition: ${BOOT_MiB} MiB FAT32 (${BOOT_LABEL})`);
  runOrThrow('mkfs.vfat', ['-F', '32', '-n', BOOT_LABEL, '-C', bootPart, String(layout.boot.size / 1024)]);
  const entries = readdirSync(bootFiles).map((name) => join(bootFiles, name));
  runOrThrow('mcopy', ['-s', '-p', '-Q', '-i', bootPart, ...entries, '::/'], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });

  log(`root partition: ${(layout.root.size / 2 ** 20).toFixed(0)} MiB ext4 (${ROOT_LABEL})`);
  runOrThrow('mkfs.ext4', ['-q', '-F', '-L', ROOT_LABEL, '-d', root, '-E', 'root_owner=0:0', rootPart, `${layout.root.size / 1024}k`]);

  log(`card image: ${(layout.total / 2 ** 20).toFixed(0)} MiB`);
  rmSync(out, { force: true });
  const fd = openSync(out, 'w');
  ftruncateSync(fd, layout.total);
  closeSync(fd);
  const table = spawnSync('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', out], { input: layout.sfdisk, encoding: 'utf8' });
  if (table.status !== 0) throw new Error(`sfdisk on ${out} failed: ${table.stdout}${table.stderr}`);
  await writeAt(out, bootPart, layout.boot.offset);
  await writeAt(out, rootPart, layout.root.offset);
  if (statSync(out).size !== layout.total) throw new Error(`${out} is ${statSync(out).size} bytes, not the ${layout.total} planned`);
  rmSync(bootPart);
  rmSync(rootPart);
  // Back in place, so the tree still describes the whole system (and a second step can read it).
  rmSync(join(root, 'boot/firmware'), { recursive: true });
  renameSync(bootFiles, join(root, 'boot/firmware'));
  return layout;
}

/** What the Pi 4's boot ROM and firmware need on the FAT partition (raspi-firmware's files and Debian's device tree). */
export const PI_BOOT_FILES: readonly string[] = ['start4.elf', 'fixup4.dat', 'config.txt', 'cmdline.txt', 'bcm2711-rpi-4-b.dtb'];

/**
 * Reads a finished card back as a Pi would see it: the partition table, the boot files on the FAT
 * partition (through mtools at its offset), the kernel and initrd config.txt names, and the ext4
 * root checked by e2fsck (read only) from a copy. Throws on the first thing missing.
 */
export function checkPiImage(img: string, work: string): string[] {
  const { stdout } = runOrThrow('sfdisk', ['--json', img]);
  const parts = (JSON.parse(stdout) as { partitiontable: { partitions: { start: number; size: number; type: string }[] } }).partitiontable.partitions;
  if (parts.length !== 2 || parts[0]!.type !== 'c' || parts[1]!.type !== '83') throw new Error(`${img}: not a FAT32 + Linux card: ${stdout}`);
  const mtools = { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } };
  const fat = `${img}@@${parts[0]!.start * 512}`;
  const names = runOrThrow('mdir', ['-b', '-i', fat, '::/'], mtools).stdout.split('\n').map((l) => l.trim().replace(/^::\//, '')).filter(Boolean);
  const missing = PI_BOOT_FILES.filter((f) => !names.includes(f));
  if (missing.length > 0) throw new Error(`${img}: the boot partition lacks ${missing.join(', ')} (it has ${names.join(' ')})`);
  const configTxt = runOrThrow('mtype', ['-i', fat, '::/config.txt'], mtools).stdout;
  for (const key of ['kernel', 'initramfs']) {
    const named = new RegExp(`^${key}[= ](\\S+)`, 'm').exec(configTxt)?.[1];
    if (named !== undefined && !names.includes(named)) throw new Error(`${img}: config.txt names ${key} ${named}, which is not on the boot partition`);
  }
  const rootCopy = join(work, 'root-check.ext4');
  runOrThrow('dd', [`if=${img}`, `of=${rootCopy}`, 'bs=1M', `skip=${(parts[1]!.start * 512) / 2 ** 20}`, `count=${(parts[1]!.size * 512) / 2 ** 20}`, 'status=none']);
  try {
    runOrThrow('e2fsck', ['-f', '-n', rootCopy]);
    const label = runOrThrow('e2label', [rootCopy]).stdout.trim();
    if (label !== ROOT_LABEL) throw new Error(`${img}: the root is labelled "${label}", not ${ROOT_LABEL}`);
  } finally {
    rmSync(rootCopy, { force: true });
  }
  return names;
}
