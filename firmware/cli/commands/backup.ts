// `schoolgate backup create|list|passphrase|restore|undo`. Create, list and passphrase go
// through the running daemon, which owns state.db and snapshots it consistently; with no daemon
// running, create and list work on the data directory directly. Restore and undo refuse while
// the daemon runs: the service is stopped, the data restored, the service started.
import { copyFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { BACKUP_DEFAULTS } from '../../config/backup-schema.ts';
import { readConfigFile } from '../../config/store.ts';
import { BackupError } from '../../backup/archive.ts';
import type { BackupCreated, BackupListResult } from '../../backup/backup-schema.ts';
import { BACKUPS_DIR, createBackup } from '../../backup/create.ts';
import { listBackups } from '../../backup/list.ts';
import { readStoredPassphrase } from '../../backup/passphrase-file.ts';
import { previousStates, restoreBackup, undoRestore } from '../../backup/restore.ts';
import { callDaemon, DaemonNotRunning } from '../../control/client.ts';
import { actorOf, CONTROL_SOCKET_NAME } from '../../control/protocol.ts';
import { assertNoDaemonAt } from '../../control/server.ts';
import { auditHeadNow } from '../../monitor/reports/records-export.ts';
import { SealError } from '../../monitor/reports/export-seal.ts';
import { StateDatabase } from '../../state/database.ts';
import { VERSION } from '../../version.ts';
import { dataDirHelp, dataDirOf, dataDirOption, EXIT, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatBackupCreated, formatBackupEntries, formatBackupList, formatRestored } from '../format-backup.ts';
import { readPassphraseFile } from './reports-governor.ts';

// A large state.db is read, sealed (scrypt, AES) and read back: give it minutes on a Pi.
const CREATE_TIMEOUT_MS = 600_000;

async function readPassphraseStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (line === '') throw new UsageError('--passphrase-stdin read no passphrase');
  return line;
}

/** Never from the command line, where ps shows it to everyone on the box. */
async function passphraseOf(values: OptionValues): Promise<string | undefined> {
  const file = values['passphrase-file'];
  if (typeof file === 'string' && values['passphrase-stdin']) throw new UsageError('give --passphrase-file or --passphrase-stdin, not both');
  if (typeof file === 'string') return readPassphraseFile(file);
  if (values['passphrase-stdin']) return readPassphraseStdin();
  return undefined;
}

const localActor = (): string => actorOf({ user: userInfo().username, ...(process.env.SUDO_USER ? { sudoUser: process.env.SUDO_USER } : {}) });
const progressLine = (line: string): void => { process.stderr.write(`  ${line}\n`); };

/** With no daemon: the CLI is the only one holding state.db, so its own snapshot is as consistent. */
async function createOffline(dataDir: string, passphrase: string | undefined, progress: (line: string) => void): Promise<BackupCreated> {
  const configFile = join(dataDir, 'config.json');
  const keep = (await readConfigFile(configFile)).backup?.keep ?? BACKUP_DEFAULTS.keep;
  const state = StateDatabase.open(join(dataDir, 'state.db'));
  try {
    const actor = localActor();
    const result = await createBackup({
      dataDir, configFile, snapshotState: (file) => state.snapshotTo(file), auditHead: () => auditHeadNow(state.audit), version: VERSION, now: () => new Date(),
    }, { passphrase: passphrase ?? await readStoredPassphrase(dataDir), actor, keep, progress });
    state.audit.append({ actor, action: 'backup.create', subject: result.entry.file, details: { size: result.entry.size, parts: result.parts, removed: result.removed, offline: true } });
    return result;
  } finally {
    state.close();
  }
}

async function create(values: OptionValues): Promise<number> {
  const passphrase = await passphraseOf(values);
  const progress = values.json ? () => undefined : progressLine;
  let result: BackupCreated;
  try {
    result = await callDaemon(socketOf(values), 'backup.create', passphrase === undefined ? {} : { passphrase }, CREATE_TIMEOUT_MS, { onProgress: progress }) as BackupCreated;
  } catch (error) {
    if (!(error instanceof DaemonNotRunning)) throw error;
    progress('no daemon is running: backing up the data directory directly');
    result = await createOffline(dataDirOf(values), passphrase, progress);
  }
  const out = typeof values.out === 'string' ? resolve(values.out) : undefined;
  if (out !== undefined) await copyFile(result.entry.path, out);
  process.stdout.write(values.json ? `${JSON.stringify({ ...result, ...(out ? { copiedTo: out } : {}) }, null, 2)}\n` : formatBackupCreated(result, out));
  return EXIT.ok;
}

async function list(values: OptionValues): Promise<number> {
  const passphrase = await passphraseOf(values);
  let result: BackupListResult;
  try {
    if (passphrase !== undefined) throw new DaemonNotRunning('checked here, with the passphrase given');
    result = await callDaemon(socketOf(values), 'backup.list', {}, CREATE_TIMEOUT_MS) as BackupListResult;
  } catch (error) {
    if (!(error instanceof DaemonNotRunning)) throw error;
    const dir = join(dataDirOf(values), BACKUPS_DIR);
    const backups = await listBackups(dir, passphrase);
    if (values.json) process.stdout.write(`${JSON.stringify({ dir, backups }, null, 2)}\n`);
    else process.stdout.write(`Backups in ${dir}${passphrase === undefined ? ' (give the passphrase to verify every part)' : ''}:\n${formatBackupEntries(backups)}`);
    return backups.every((b) => b.ok) ? EXIT.ok : EXIT.failure;
  }
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatBackupList(result));
  return result.backups.every((b) => b.ok) ? EXIT.ok : EXIT.failure;
}

async function setPassphrase(values: OptionValues): Promise<number> {
  const passphrase = await passphraseOf(values);
  if (passphrase === undefined) throw new UsageError('backup passphrase needs --passphrase-file F or --passphrase-stdin');
  const result = await callDaemon(socketOf(values), 'backup.passphrase', { passphrase }) as { scheduled: string };
  process.stdout.write(`The backup passphrase is stored; backups are scheduled ${result.scheduled}.\nKeep a copy of it away from the gateway (the school safe): a backup cannot be restored without it.\n`);
  return EXIT.ok;
}

async function refuseWhileRunning(dataDir: string, what: string): Promise<void> {
  try {
    await assertNoDaemonAt(join(dataDir, CONTROL_SOCKET_NAME));
  } catch {
    throw new BackupError(`the daemon is running with ${dataDir}: ${what} replaces its databases, so stop it first (systemctl stop schoolgate), run this again, then start it (systemctl start schoolgate). Nothing was changed.`);
  }
}

async function restore(values: OptionValues, file: string | undefined): Promise<number> {
  if (file === undefined) throw new UsageError('backup restore needs the FILE to restore');
  const dataDir = dataDirOf(values);
  const passphrase = await passphraseOf(values);
  await refuseWhileRunning(dataDir, 'a restore');
  const result = await restoreBackup({
    dataDir, file, passphrase, actor: localActor(), source: resolve(file), now: () => new Date(), ...(values.json ? {} : { progress: progressLine }),
  });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatRestored(result));
  return EXIT.ok;
}

async function undo(values: OptionValues): Promise<number> {
  const dataDir = dataDirOf(values);
  await refuseWhileRunning(dataDir, 'undoing a restore');
  const latest = (await previousStates(dataDir))[0];
  const result = await undoRestore({ dataDir, previousDir: latest, now: () => new Date() });
  if (result.recovered) {
    process.stdout.write('A restore (or undo) had been cut short part-way; its renames were reversed, so the data directory is as it was before it began. Nothing else was moved.\n');
    return EXIT.ok;
  }
  process.stdout.write(`Put back the state from before the restore (${latest}): ${result.replaced.join(', ')}.\nThe restored state is now in ${result.previousDir}.\n`);
  return EXIT.ok;
}

export const backup: Command = {
  positionals: true,
  summary: 'back the gateway up (encrypted), list the backups, restore one',
  usage: `schoolgate backup create [--passphrase-file F | --passphrase-stdin] [--out FILE] [--json]
schoolgate backup list [--passphrase-file F | --passphrase-stdin] [--json]
schoolgate backup passphrase --passphrase-file F | --passphrase-stdin
schoolgate backup restore FILE [--passphrase-file F | --passphrase-stdin] [--json]
schoolgate backup undo

  create      one file in DATA_DIR/backups/ (then copied to --out): the configuration, state.db
              (accounts, devices, leases, vouchers, alerts, reviews, incidents, the audit log),
              lists, secrets, the web UI's certificate, the voucher key, the logo and incident
              attachments, with a manifest of each part's SHA-256, sealed and always encrypted
              (docs/export-format.md). Not the query log (logs.db): it is kept only days by
              policy. Without a passphrase option, the stored backup passphrase is used. The file
              is read back and verified before the oldest beyond config backup.keep is removed.
  list        each backup: when, size, encrypted, firmware, and its check (every part verified
              with the stored or given passphrase; else its header and length)
  passphrase  stores the passphrase the nightly backup (config backup.at, default 02:30) uses;
              until one is set no scheduled backup is made. Keep a copy away from the gateway.
  restore     with the daemon stopped (systemctl stop schoolgate): checks everything first (the
              passphrase, every part's SHA-256, the configuration, state.db's integrity and schema:
              a newer one is refused, an older one migrated), then replaces the configuration,
              state.db, lists, secrets and certificate; the previous ones go to
              DATA_DIR/restore-previous/TIME/. A refused backup changes nothing.
  undo        puts back the state from before the latest restore (daemon stopped)

A passphrase is never given on the command line, where ps shows it: --passphrase-file F reads
the file's first line, --passphrase-stdin reads standard input.

      --passphrase-file F   a file whose first line is the passphrase (10 characters or more)
      --passphrase-stdin    read the passphrase from standard input
      --out FILE            create: also copy the backup here
      --json                machine-readable output
${dataDirHelp}`,
  options: {
    ...dataDirOption, 'passphrase-file': { type: 'string' }, 'passphrase-stdin': { type: 'boolean' }, out: { type: 'string' }, json: { type: 'boolean' },
  },
  async run(values, positionals) {
    const [sub, file, extra] = positionals;
    if (extra !== undefined || (sub !== 'restore' && file !== undefined)) throw new UsageError(`unexpected argument "${extra ?? file}"`);
    try {
      switch (sub) {
        case 'create': return await create(values);
        case 'list': case undefined: return await list(values);
        case 'passphrase': return await setPassphrase(values);
        case 'restore': return await restore(values, file);
        case 'undo': return await undo(values);
        default: throw new UsageError(`unknown backup command "${sub}" (create, list, passphrase, restore, undo)`);
      }
    } catch (error) {
      if (error instanceof BackupError || error instanceof SealError) {
        process.stderr.write(`schoolgate backup: ${error.message}\n`);
        return EXIT.invalidInput;
      }
      throw error;
    }
  },
};
