// `npm run image`: the appliance for arm64 boards, as root on this x86-64 machine.
//   build/image/schoolgate-<version>-arm64-rootfs.tar.gz   the root filesystem, for other arm64 boards
//   build/image/schoolgate-<version>-rpi.img               the Raspberry Pi 4 card (flash it whole)
//
//   npm run image [-- --out DIR] [--no-pi] [--release-key PUBLIC.pem ...]
//
// Steps: the [image] Debian packages, arm64 emulation (binfmt_misc), the release
// (scripts/release/stage.ts), mmdebstrap with the Pi's packages, image/install.sh inside the
// root, then the tarball and the card. The .debs stay in /var/cache/schoolgate-image between runs.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePrerequisites } from '../prerequisites.ts';
import { checkPiImage, preparePiRoot, writePiImage } from './pi-image.ts';
import { PI_COMPONENTS, PI_PACKAGES, ROOTFS_PACKAGES } from './plan.ts';
import { DEB_CACHE, debootstrap, ensureArm64Emulation, installRelease, runOrThrow, stageRelease } from './rootfs.ts';

const REPO = resolve(import.meta.dirname, '../..');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-pi': { type: 'boolean', default: false }, 'release-key': { type: 'string', multiple: true } } });
  if (process.getuid?.() !== 0) throw new Error('npm run image needs root (mmdebstrap in root mode, chroot, binfmt_misc)');
  const out = resolve(values.out ?? join(REPO, 'build/image'));
  const started = performance.now();
  const log = (line: string): void => {
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  };
  ensurePrerequisites(['image'], 'npm run image');
  ensureArm64Emulation();
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync('/var/tmp/schoolgate-image-');
  try {
    log('staging the arm64 release (scripts/release/stage.ts)');
    const release = join(work, 'release');
    stageRelease('arm64', release);
    // The public keys this box will trust for upgrades (scripts/release/keygen.ts writes them);
    // install.sh puts them in /etc/schoolgate/release-keys/. A private key is refused.
    for (const key of values['release-key'] ?? []) {
      const text = readFileSync(key, 'utf8');
      if (!text.includes('-----BEGIN PUBLIC KEY-----') || text.includes('PRIVATE KEY')) throw new Error(`${key}: not a PEM public key`);
      mkdirSync(join(release, 'image/release-keys'), { recursive: true });
      copyFileSync(key, join(release, 'image/release-keys', basename(key).endsWith('.pem') ? basename(key) : `${basename(key)}.pem`));
    }
    if ((values['release-key'] ?? []).length === 0) log('no --release-key given: the box will refuse every upgrade until a technician adds a key to /etc/schoolgate/release-keys/');
    const root = join(work, 'root');
    const pi = values['no-pi'] !== true;
    log(`mmdebstrap: Debian 12 arm64${pi ? ' with the Pi kernel and boot firmware' : ''} (cache ${DEB_CACHE})`);
    debootstrap({ arch: 'arm64', packages: pi ? PI_PACKAGES : ROOTFS_PACKAGES, ...(pi ? { components: PI_COMPONENTS } : {}), target: root, cacheDir: DEB_CACHE });
    log('image/install.sh inside the root');
    const version = installRelease(root, release, { image: true });
    if (pi) preparePiRoot(root);

    const tarball = join(out, `schoolgate-${version}-arm64-rootfs.tar.gz`);
    log(`rootfs tarball: ${tarball}`);
    runOrThrow('tar', ['--numeric-owner', '--xattrs', '-C', root, '-czf', tarball, '.']);
    if (pi) {
      const img = join(out, `schoolgate-${version}-rpi.img`);
      log(`Raspberry Pi card: ${img}`);
      await writePiImage(root, img, join(work, 'pi'), log);
      const bootFiles = checkPiImage(img, join(work, 'pi'));
      log(`card checked: partition table, ${bootFiles.length} boot files (${bootFiles.filter((f) => /^(vmlinuz|initrd|config|cmdline)/.test(f)).join(', ')}), e2fsck clean`);
    }
    log(`done: ${out} (tarball ${(statSync(tarball).size / 2 ** 20).toFixed(0)} MiB)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  main().catch((e: unknown) => {
    process.stderr.write(`npm run image: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
