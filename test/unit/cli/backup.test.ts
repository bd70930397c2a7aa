// `schoolgate backup` against a real daemon: no backup without a passphrase, the stored one used,
// the backup listed as verified, restore refused while the daemon runs, then done with it
// stopped, putting back what had changed since; the daemon starts again on the restored data.
import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BackupCreated, BackupListResult } from '../../../firmware/backup/backup-schema.ts';
import { callDaemon, DaemonNotRunning } from '../../../firmware/control/client.ts';
import { CONTROL_SOCKET_NAME } from '../../../firmware/control/protocol.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import type { DaemonStatus } from '../../../firmware/status.ts';
import { MAIN, REPO, runCli, startDaemonProcess, testConfig, type RunningDaemon } from '../../support/daemon.ts';
import { startTestUpstream } from '../../support/upstream.ts';

let daemon: RunningDaemon;
let stopUpstream: () => Promise<void>;
const MAC = '02:5c:00:20:00:10';

beforeAll(async () => {
  const upstream = await startTestUpstream();
  stopUpstream = upstream.close;
  const config = await testConfig(upstream);
  config.lists = [];
  daemon = await startDaemonProcess(config);
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  state.devices.upsertSeen(MAC, 'pupil', new Date());
  state.close();
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  await stopUpstream?.();
});

const socket = (): string => join(daemon.dataDir, CONTROL_SOCKET_NAME);
function nameDevice(name: string): void {
  // Beside the daemon, as DHCP and the CLI do (WAL: both may write).
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  state.devices.update(MAC, { name });
  state.close();
}

it('backs up with the stored passphrase, refuses to restore under the running daemon, restores with it stopped', async () => {
  const passFile = join(daemon.dataDir, 'pass.txt');
  await writeFile(passFile, 'a long enough passphrase\n', { mode: 0o600 });

  await expect(callDaemon(socket(), 'backup.create', {})).rejects.toThrow(/always encrypted and no passphrase was given/);
  expect((await daemon.cli(['backup', 'passphrase', '--passphrase-file', passFile])).code).toBe(0);
  nameDevice('Year 3 iPad 12');
  const made = await daemon.cli(['backup', 'create']);
  expect(made.code, made.stderr).toBe(0);
  expect(made.stderr).toMatch(/snapshot of state\.db/);
  expect(made.stdout).toMatch(/Backup written: .*schoolgate-backup-.*\.sgexport .*read back and verified/);
  const listed = await callDaemon(socket(), 'backup.list', {}) as BackupListResult;
  expect(listed.passphraseSet).toBe(true);
  expect(listed.backups).toHaveLength(1);
  expect(listed.backups[0]).toMatchObject({ ok: true, check: 'verified', encrypted: true });
  const file = listed.backups[0]!.path;
  // `schoolgate status` shows the newest backup and the next, and that this daemon runs from a checkout.
  const status = await callDaemon(socket(), 'status') as DaemonStatus;
  expect(status.backups).toMatchObject({ latest: { file: listed.backups[0]!.file }, passphraseSet: true, schedule: expect.stringMatching(/^every day at 02:30/) });
  expect(status.release).toMatchObject({ installed: false, installedAt: null, lastUpgrade: null });

  // A change after the backup, which the restore must undo.
  nameDevice('Renamed after the backup');
  const underDaemon = await daemon.cli(['backup', 'restore', file, '--passphrase-file', passFile]);
  expect(underDaemon.code).toBe(4);
  expect(underDaemon.stderr).toMatch(/the daemon is running .* stop it first \(systemctl stop schoolgate\).*Nothing was changed/);

  expect(await daemon.stop()).toBe(0);
  const restored = await runCli(['backup', 'restore', file, '--passphrase-file', passFile, '--data-dir', daemon.dataDir]);
  expect(restored.code, restored.stderr).toBe(0);
  expect(restored.stdout).toMatch(/The audit chain verifies/);
  expect(await readdir(join(daemon.dataDir, 'restore-previous'))).toHaveLength(1);
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  expect(state.devices.get(MAC)?.name).toBe('Year 3 iPad 12');
  expect(state.audit.verify().ok).toBe(true);
  state.close();

  // The daemon starts on the restored data directory and makes the next backup with the restored passphrase.
  const child = spawn(process.execPath, [MAIN, 'run', '--config', daemon.configFile, '--data-dir', daemon.dataDir], { cwd: REPO, stdio: 'ignore' });
  try {
    let again: BackupCreated | undefined;
    for (let i = 0; i < 150 && again === undefined; i++) {
      again = await (callDaemon(socket(), 'backup.create', {}, 60_000) as Promise<BackupCreated>).catch((err: Error) => {
        if (!(err instanceof DaemonNotRunning)) throw err;
        return new Promise<undefined>((r) => setTimeout(() => r(undefined), 200));
      });
    }
    expect(again?.entry.check).toBe('verified');
    expect((await callDaemon(socket(), 'backup.list', {}) as BackupListResult).backups).toHaveLength(2);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}, 90_000);
