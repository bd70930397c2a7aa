// `npm run test:image`: boots the Raspberry Pi card `npm run image` made in a virtual arm64
// machine (qemu-system-aarch64, "virt" board) and checks what a technician would on a real box:
// first boot ran, the setup code reached the console, the service is active, a technician's key
// signs in over SSH and runs `schoolgate status`, and a pupil's blocked name gets the block answer
// through the box's DNS. Run by hand (minutes: the whole machine is emulated), never by `npm test`.
//
//   npm run test:image [-- --image build/image/schoolgate-<version>-rpi.img]
//
// The card is never changed: a copy gets the technician's key and a configuration on its boot
// partition (as a technician would put them there after flashing), and 512 MiB more for first
// boot to grow the root into.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfig } from '../../firmware/config/defaults.ts';
import { ensurePrerequisites } from '../prerequisites.ts';
import { runOrThrow } from './rootfs.ts';
import { qemuArgs, SLIRP } from './vm-plan.ts';

const REPO = resolve(import.meta.dirname, '../..');
const BOOT_DEADLINE_MS = 15 * 60_000;

function newestImage(dir: string): string {
  const images = readdirSync(dir).filter((f) => f.endsWith('-rpi.img')).map((f) => join(dir, f));
  if (images.length === 0) throw new Error(`no *-rpi.img in ${dir}: run npm run image first`);
  return images.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
}

/** The boot partition's offset, read from the card's own table. */
function bootOffset(img: string): number {
  const { stdout } = runOrThrow('sfdisk', ['--json', img]);
  const start = (JSON.parse(stdout) as { partitiontable: { partitions: { start: number }[] } }).partitiontable.partitions[0]?.start;
  if (start === undefined) throw new Error(`${img} has no partitions`);
  return start * 512;
}

function freeLoopbackPort(): number {
  // The kernel picks a port for a throwaway TCP listener; QEMU binds it a moment later.
  const r = spawnSync(process.execPath, ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { image: { type: 'string' } } });
  ensurePrerequisites(['image', 'image:test'], 'npm run test:image');
  const card = resolve(values.image ?? newestImage(join(REPO, 'build/image')));
  const work = mkdtempSync('/var/tmp/schoolgate-boot-');
  const started = performance.now();
  const log = (line: string): void => {
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  };
  let qemu: ReturnType<typeof spawn> | undefined;
  try {
    const img = join(work, 'card.img');
    copyFileSync(card, img);
    truncateSync(img, statSync(img).size + 512 * 2 ** 20);
    const fat = `${img}@@${bootOffset(img)}`;
    const mtools = { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } };

    // What a technician adds after flashing: a key, and this school's configuration.
    const key = join(work, 'technician');
    runOrThrow('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'technician@test-image', '-f', key]);
    const config = defaultConfig();
    config.dns.listen = [{ address: '0.0.0.0', port: 53 }];
    // The host's questions arrive from QEMU's user network: a pupil device there.
    const pupil = config.networks.find((n) => n.id === 'pupil')!;
    pupil.subnets = [...pupil.subnets, SLIRP.subnet];
    const configFile = join(work, 'config.json');
    writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
    runOrThrow(join(REPO, 'bin/schoolgate'), ['config', 'validate', configFile]);
    for (const [from, to] of [[`${key}.pub`, '::schoolgate/authorized_keys'], [configFile, '::schoolgate/config.json']] as const) {
      runOrThrow('mcopy', ['-o', '-i', fat, from, to], mtools);
    }
    // The card's kernel and initrd, as the Pi's firmware would load them.
    const files = runOrThrow('mdir', ['-b', '-i', fat, '::/'], mtools).stdout.split('\n').map((l) => l.trim().replace(/^::\//, ''));
    const kernelName = files.find((f) => f.startsWith('vmlinuz-'));
    const initrdName = files.find((f) => f.startsWith('initrd.img-'));
    if (kernelName === undefined || initrdName === undefined) throw new Error(`the boot partition has no vmlinuz-*/initrd.img-*: ${files.join(' ')}`);
    const kernel = join(work, 'vmlinuz');
    const initrd = join(work, 'initrd.img');
    runOrThrow('mcopy', ['-i', fat, `::/${kernelName}`, kernel], mtools);
    runOrThrow('mcopy', ['-i', fat, `::/${initrdName}`, initrd], mtools);

    const dnsPort = freeLoopbackPort();
    const sshPort = freeLoopbackPort();
    log(`booting ${card} (a copy) with ${kernelName}; DNS on 127.0.0.1:${dnsPort}, SSH on 127.0.0.1:${sshPort}`);
    qemu = spawn('qemu-system-aarch64', qemuArgs({ image: img, kernel, initrd, dnsPort, sshPort }), { stdio: ['ignore', 'pipe', 'pipe'] });
    let serial = '';
    const serialLog = join(work, 'serial.log');
    qemu.stdout!.on('data', (d: Buffer) => { serial += d.toString(); });
    qemu.stderr!.on('data', (d: Buffer) => { serial += d.toString(); });
    const exited = new Promise<void>((resolvePromise) => qemu!.once('exit', () => resolvePromise()));

    const waitFor = async (what: string, pattern: RegExp): Promise<RegExpExecArray> => {
      const deadline = Date.now() + BOOT_DEADLINE_MS;
      for (;;) {
        const match = pattern.exec(serial);
        if (match) {
          log(what);
          return match;
        }
        if (qemu!.exitCode !== null || Date.now() > deadline) {
          writeFileSync(serialLog, serial);
          throw new Error(`${what}: not seen on the serial console (${qemu!.exitCode !== null ? 'the machine stopped' : 'timed out'}); its output:\n${serial.slice(-6000)}`);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    const ssh = (command: string): string => {
      const r = spawnSync('ssh', ['-i', key, '-p', String(sshPort), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
        '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=30', 'technician@127.0.0.1', command], { encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(`ssh ${command} failed (${r.status}): ${r.stdout}${r.stderr}`);
      return r.stdout;
    };
    /** What a technician would look at next, printed when the box does not come up as it should. */
    const diagnose = (): string => {
      try {
        return ssh('systemctl --no-pager status schoolgate.service schoolgate-console.service 2>&1; journalctl --no-pager -o short-monotonic -u schoolgate -u schoolgate-console -n 120 2>&1; schoolgate status; echo "schoolgate status exited $?"');
      } catch (e) {
        return `(could not sign in to look: ${(e as Error).message})`;
      }
    };
    await waitFor('first boot ran', /firstboot: the configuration from .* is installed/);
    // The console's note is written each time the daemon has started; "not answering" there
    // means the daemon came up and then failed its status: no point waiting out the deadline.
    const noted = await waitFor('the console note after the daemon started', /First-run setup code: ([A-Z0-9-]{14})|The daemon is not answering/);
    if (noted[1] === undefined) throw new Error(`the console note says the daemon is not answering; on the box:\n${diagnose()}`);
    const code = noted[1];
    log('the daemon started and its setup code is on the console');
    const active = ssh('systemctl is-active schoolgate.service schoolgate-nftables.service; cat /etc/schoolgate/firstboot.done').trim().split('\n');
    if (active[0] !== 'active' || active[1] !== 'active') throw new Error(`units not active: ${active.join(' ')}`);
    log(`the technician's key signs in; schoolgate.service and schoolgate-nftables.service are active; first boot done at ${active[2]}`);
    const status = ssh('schoolgate status');
    if (!status.includes(`first-run setup code ${code}`)) throw new Error(`schoolgate status over SSH does not show the console's code ${code}:\n${status}`);
    log('schoolgate status (a member of the schoolgate group, over SSH) shows the same setup code');
    // Reading the ruleset needs root, which a technician's key does not give; the base ruleset's
    // unit being active (above) says it was loaded before the network came up.

    const dig = spawnSync('dig', ['@127.0.0.1', '-p', String(dnsPort), '+short', '+tries=3', '+time=10', 'www.tiktok.com', 'A'], { encoding: 'utf8' });
    if (dig.stdout.trim() !== '127.20.0.1') throw new Error(`DNS through the box: www.tiktok.com gave "${dig.stdout.trim()}" ${dig.stderr}, not the pupil block answer 127.20.0.1`);
    log('DNS through the box: a pupil device asking for www.tiktok.com gets the block answer 127.20.0.1');
    log(`root after first boot grew it: ${ssh('df -h / | tail -n 1').trim()}`);
    process.stdout.write(`test:image passed in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    qemu.kill('SIGTERM');
    await exited;
  } finally {
    if (qemu !== undefined && qemu.exitCode === null) qemu.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  main().catch((e: unknown) => {
    process.stderr.write(`npm run test:image: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
