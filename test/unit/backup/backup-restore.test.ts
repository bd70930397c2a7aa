// Backup → wipe → restore returns the same configuration and state; a wrong passphrase, a changed
// byte, a changed header or a backup from a newer schema is refused with the data directory
// byte-identical; an older state.db is migrated; retention keeps N. Real files and databases.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackup, type BackupSources } from '../../../firmware/backup/create.ts';
import { listBackups } from '../../../firmware/backup/list.ts';
import { packArchive } from '../../../firmware/backup/archive.ts';
import { checkBackupContent, previousStates, restoreBackup, undoRestore } from '../../../firmware/backup/restore.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { serializeConfig } from '../../../firmware/config/load.ts';
import { sealExport } from '../../../firmware/monitor/reports/export-seal.ts';
import { auditHeadNow } from '../../../firmware/monitor/reports/records-export.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { migrate } from '../../../firmware/state/migrate.ts';
import { STATE_MIGRATIONS } from '../../../firmware/state/migrations.ts';

const PASSPHRASE = 'correct horse battery staple';
// The envelope's lowest scrypt cost: the format is what is tested here, not its strength.
const SCRYPT = { N: 2 ** 14, r: 8, p: 1 };
const MAC = '02:5c:00:20:00:10';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'schoolgate-backup-'));
  dirs.push(dir);
  return dir;
}

let clock = Date.parse('2026-12-07T02:30:00.000Z');
const now = (): Date => new Date(clock += 1000);

async function seedDataDir(dataDir: string): Promise<StateDatabase> {
  const config = defaultConfig();
  config.site.name = 'Oakfield Primary';
  config.backup = { keep: 2 };
  await writeFile(join(dataDir, 'config.json'), serializeConfig(config), { mode: 0o600 });
  for (const [name, text] of Object.entries({
    'lists/custom-games.txt': 'games.example\n', 'secrets/smtp-password': 'hunter2hunter2\n', 'tls/cert.pem': '-----BEGIN CERTIFICATE-----\n',
    'voucher.key': `${'ab'.repeat(32)}\n`, 'logs.db': 'the query log stays out of backups', 'compiled/cache.bin': 'rebuilt at start',
  })) {
    await mkdir(join(dataDir, name, '..'), { recursive: true });
    await writeFile(join(dataDir, name), text);
  }
  const state = StateDatabase.open(join(dataDir, 'state.db'), { now });
  state.accounts.insert({ username: 'tech', displayName: 'The Technician', email: null, passwordHash: 'scrypt$x', mustChangePassword: false, breakGlass: false, roles: ['technician'], createdAt: now().toISOString() });
  state.leases.bind({
    networkId: 'pupil', address: '10.20.0.100', clientKey: `mac:${MAC}`, mac: MAC, clientId: null, hostname: 'ipad-7', vendorClass: 'android-dhcp-14',
    parameters: [1, 3, 6], relayAgent: null, relayInfo: null, state: 'bound', expires: new Date(clock + 3_600_000).toISOString(), updated: now().toISOString(),
  }, { name: 'Year 3 iPad 12' });
  state.vouchers.insert({
    codeHash: createHash('sha256').update('code').digest('hex'), kind: 'single', label: 'Music teacher', visitorId: null, validFrom: now(), validUntil: new Date(clock + 8 * 3_600_000),
    maxDevices: 2, downKbit: null, upKbit: null, policyId: null, issuedBy: 'account:office', issuedAt: now(),
  });
  state.alerts.record({ kind: 'dns.category', severity: 'medium', at: now().toISOString(), networkId: 'pupil', mac: MAC, address: null, subject: 'games.example', reason: 'a blocked category' }, now());
  state.audit.append({ actor: 'ssh:tech', action: 'device.name', subject: MAC, details: { name: 'Year 3 iPad 12' } });
  return state;
}

function stateOf(file: string) {
  const state = StateDatabase.open(file, { now });
  try {
    const at = new Date(clock);
    return {
      accounts: state.accounts.list(), devices: state.devices.list(), leases: state.leases.list(), vouchers: state.vouchers.list(at),
      alerts: state.alerts.list({ all: true }), audit: state.audit.list({ after: 0, limit: 1000 }), verify: state.audit.verify(),
    };
  } finally {
    state.close();
  }
}

/** Every file's path and SHA-256: what "nothing changed" means. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(await readFile(p)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}

/** The backup's bytes as a file outside the data directory, as it would come back on a USB stick. */
async function onStick(bytes: Buffer): Promise<string> {
  const file = join(await tempDir(), 'backup.sgexport');
  await writeFile(file, bytes);
  return file;
}

function sources(dataDir: string, state: StateDatabase, snapshot?: (file: string) => void): BackupSources {
  return {
    dataDir, configFile: join(dataDir, 'config.json'), snapshotState: snapshot ?? ((file) => state.snapshotTo(file)),
    auditHead: () => auditHeadNow(state.audit), version: '0.9.0', now, scrypt: SCRYPT,
  };
}

async function backedUp(): Promise<{ dataDir: string; file: string; sealed: Buffer }> {
  const dataDir = await tempDir();
  const state = await seedDataDir(dataDir);
  // Taken while the database is open and written to, as the daemon's would be.
  const made = await createBackup(sources(dataDir, state), { passphrase: PASSPHRASE, actor: 'ssh:tech', keep: 2 });
  state.close();
  return { dataDir, file: made.entry.path, sealed: await readFile(made.entry.path) };
}

describe('backup and restore', () => {
  it('backup, wipe, restore: the same configuration, accounts, devices, leases, vouchers, alerts and audit chain', async () => {
    const { dataDir, sealed } = await backedUp();
    const before = { config: await readFile(join(dataDir, 'config.json'), 'utf8'), state: stateOf(join(dataDir, 'state.db')), files: await tree(dataDir) };
    expect(before.state.accounts).toHaveLength(1);
    expect(before.state.alerts).toHaveLength(1);

    await rm(dataDir, { recursive: true });
    await mkdir(dataDir);
    const progress: string[] = [];
    const result = await restoreBackup({ dataDir, file: await onStick(sealed), passphrase: PASSPHRASE, actor: 'ssh:tech', source: 'usb', now, progress: (l) => progress.push(l) });

    expect(await readFile(join(dataDir, 'config.json'), 'utf8')).toBe(before.config);
    const after = stateOf(join(dataDir, 'state.db'));
    expect({ ...after, audit: after.audit.slice(0, -1), verify: undefined }).toEqual({ ...before.state, verify: undefined });
    expect(after.audit.at(-1)).toMatchObject({ action: 'backup.restore', actor: 'ssh:tech', subject: 'usb' });
    expect(after.verify.ok).toBe(true);
    expect(result.audit).toEqual({ ok: true, entries: before.state.audit.length });
    const files = await tree(dataDir);
    for (const name of ['lists/custom-games.txt', 'secrets/smtp-password', 'tls/cert.pem', 'voucher.key']) expect(files[name], name).toBe(before.files[name]);
    // The query log and the compiled cache are not in a backup.
    expect(files['logs.db']).toBeUndefined();
    expect(files['compiled/cache.bin']).toBeUndefined();
    expect(progress.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a wrong passphrase, a changed byte and a changed header, leaving the data directory byte-identical', async () => {
    const { dataDir, sealed } = await backedUp();
    const untouched = await tree(dataDir);
    const bodyFlipped = Buffer.from(sealed);
    bodyFlipped[bodyFlipped.length - 100]! ^= 0x01;
    const headerEnd = sealed.indexOf(0x0a, sealed.indexOf(0x0a) + 1);
    const header = sealed.subarray(0, headerEnd).toString('utf8').replace('"exportedBy":"ssh:tech"', '"exportedBy":"ssh:eve0"');
    const headerChanged = Buffer.concat([Buffer.from(header, 'utf8'), sealed.subarray(headerEnd)]);
    expect(header).toContain('ssh:eve0');
    const cases: [string, Buffer, string | undefined, RegExp][] = [
      ['wrong passphrase', sealed, 'correct horse battery stapler', /passphrase is wrong, or the file was changed/],
      ['no passphrase', sealed, undefined, /encrypted: give its passphrase/],
      ['a byte flipped in the body', bodyFlipped, PASSPHRASE, /passphrase is wrong, or the file was changed/],
      ['the header changed', headerChanged, PASSPHRASE, /passphrase is wrong, or the file was changed/],
      ['cut short', sealed.subarray(0, sealed.length - 1), PASSPHRASE, /passphrase is wrong, or the file was changed/],
    ];
    for (const [what, bytes, passphrase, message] of cases) {
      await expect(restoreBackup({ dataDir, file: await onStick(bytes), passphrase, actor: 'ssh:tech', source: what, now }), what).rejects.toThrow(message);
      expect(await tree(dataDir), what).toEqual(untouched);
    }
    expect(await previousStates(dataDir)).toEqual([]);
  });

  it('refuses a backup from a newer state schema or with a configuration the checks refuse, with nothing changed, and migrates an older one', async () => {
    const dataDir = await tempDir();
    const state = await seedDataDir(dataDir);
    const newer = await createBackup(sources(dataDir, state, (file) => {
      state.snapshotTo(file);
      const db = new DatabaseSync(file);
      db.exec(`PRAGMA user_version = ${STATE_MIGRATIONS.length + 1}`);
      db.close();
    }), { passphrase: PASSPHRASE, actor: 'ssh:tech', keep: 5 });
    const older = await createBackup(sources(dataDir, state, (file) => {
      const db = new DatabaseSync(file);
      migrate(db, STATE_MIGRATIONS.slice(0, STATE_MIGRATIONS.length - 1), { databaseName: 'state.db', now });
      db.close();
    }), { passphrase: PASSPHRASE, actor: 'ssh:tech', keep: 5 });
    // A configuration the cross-checks refuse (two networks with one id), written after the daemon had loaded it.
    const good = await readFile(join(dataDir, 'config.json'), 'utf8');
    const bad = JSON.parse(good) as { networks: { id: string }[] };
    bad.networks[1]!.id = bad.networks[0]!.id;
    await writeFile(join(dataDir, 'config.json'), JSON.stringify(bad));
    const badConfig = await createBackup(sources(dataDir, state), { passphrase: PASSPHRASE, actor: 'ssh:tech', keep: 5 });
    await writeFile(join(dataDir, 'config.json'), good);
    state.close();
    const untouched = await tree(dataDir);
    await expect(restoreBackup({ dataDir, file: badConfig.entry.path, passphrase: PASSPHRASE, actor: 'ssh:tech', source: 'bad config', now }))
      .rejects.toThrow(/config\.json in the backup: \/networks/);
    expect(await tree(dataDir)).toEqual(untouched);
    await expect(restoreBackup({ dataDir, file: newer.entry.path, passphrase: PASSPHRASE, actor: 'ssh:tech', source: 'newer', now }))
      .rejects.toThrow(new RegExp(`state.db has schema ${STATE_MIGRATIONS.length + 1}; this firmware knows up to ${STATE_MIGRATIONS.length}: upgrade`));
    expect(await tree(dataDir)).toEqual(untouched);

    const result = await restoreBackup({ dataDir, file: older.entry.path, passphrase: PASSPHRASE, actor: 'ssh:tech', source: 'older', now });
    expect(result.stateMigrated).toEqual({ from: STATE_MIGRATIONS.length - 1, to: STATE_MIGRATIONS.length });
    // The state before the restore is kept, and undo puts it back byte for byte.
    const [previous] = await previousStates(dataDir);
    expect(previous).toBe(result.previousDir);
    await undoRestore({ dataDir, previousDir: previous!, now });
    const back = await tree(dataDir);
    for (const name of ['config.json', 'state.db', 'lists/custom-games.txt', 'logs.db', 'compiled/cache.bin']) expect(back[name], name).toBe(untouched[name]);
  });

  it('keeps the newest N, removing the oldest only after the new one is written and verified', async () => {
    const dataDir = await tempDir();
    const state = await seedDataDir(dataDir);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await createBackup(sources(dataDir, state), { passphrase: PASSPHRASE, actor: 'system:backup', keep: 2 })).entry.file);
    await expect(createBackup(sources(dataDir, state), { passphrase: undefined, actor: 'system:backup', keep: 2 })).rejects.toThrow(/always encrypted and no passphrase was given/);
    state.close();
    const listed = await listBackups(join(dataDir, 'backups'), PASSPHRASE);
    expect(listed.map((e) => e.file)).toEqual([made[2], made[1]]);
    expect(listed.every((e) => e.ok && e.check === 'verified' && e.encrypted && e.firmwareVersion === '0.9.0')).toBe(true);
    expect((await listBackups(join(dataDir, 'backups'), 'not the passphrase'))[0]).toMatchObject({ ok: false, check: expect.stringMatching(/passphrase is wrong/) });
    expect((await listBackups(join(dataDir, 'backups')))[0]).toMatchObject({ ok: true, check: expect.stringMatching(/^sealed/) });
  });

  it('refuses a backup with a part no backup holds (one that would replace the query log or a backup), before any check of its contents', () => {
    const manifest = { format: 1 as const, firmwareVersion: '0.9.0', createdAt: 'x', createdBy: 'ssh:tech', configVersion: 1, stateSchema: 1, parts: [] as { name: string; size: number; sha256: string }[] };
    const part = (name: string) => ({ name, size: 0, sha256: '0'.repeat(64) });
    for (const name of ['logs.db', 'backups/schoolgate-backup-x.sgexport', 'compiled/cache.bin', 'config.json/x']) {
      expect(() => checkBackupContent({ ...manifest, parts: [part('config.json'), part('state.db'), part(name)] }, Buffer.from('{}')), name).toThrow(new RegExp(`part named ${name.replace(/[./]/g, '\\$&')}, which no backup holds`));
    }
  });

  it('restores a backup sealed whole in memory, as backups were before they were streamed', async () => {
    const dataDir = await tempDir();
    const state = await seedDataDir(dataDir);
    const snapshot = join(dataDir, 'snapshot.db');
    state.snapshotTo(snapshot);
    const expected = stateOf(snapshot);
    const parts = await Promise.all(['config.json', 'state.db', 'lists/custom-games.txt', 'secrets/smtp-password', 'tls/cert.pem', 'voucher.key']
      .map(async (name) => ({ name, bytes: await readFile(join(dataDir, name === 'state.db' ? 'snapshot.db' : name)) })));
    const { archive } = packArchive({ firmwareVersion: '0.9.0', createdAt: new Date(clock).toISOString(), createdBy: 'ssh:tech', configVersion: 2, stateSchema: STATE_MIGRATIONS.length }, parts);
    const sealed = sealExport({ fileName: 'schoolgate-backup-old', mediaType: 'application/vnd.schoolgate.backup', body: archive }, {
      auditHead: auditHeadNow(state.audit), actor: 'ssh:tech', at: new Date(clock), passphrase: PASSPHRASE, scrypt: SCRYPT,
    });
    state.close();
    await rm(snapshot);
    await writeFile(join(dataDir, 'state.db'), 'replaced by the restore');
    await restoreBackup({ dataDir, file: await onStick(sealed.body), passphrase: PASSPHRASE, actor: 'ssh:tech', source: 'old', now });
    const after = stateOf(join(dataDir, 'state.db'));
    expect(after.accounts).toEqual(expected.accounts);
    expect(after.audit.slice(0, -1)).toEqual(expected.audit);
    expect(await readFile(join(dataDir, 'voucher.key'), 'utf8')).toBe(`${'ab'.repeat(32)}\n`);
  });
});
