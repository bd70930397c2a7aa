// `npm run bench:backup`: a backup and a restore of a school's state at scale, on disk, with the
// real scrypt cost. The state.db is seeded with a few years of a large primary school: devices
// with their leases, alerts, network events and audit entries (--devices, --alerts, --audit);
// lists/ with a 1M-name list file (--list-names). The backup is taken while the database is open
// (VACUUM INTO), sealed, written, read back and verified; the restore checks everything and swaps
// the files in. Prints key=value lines: sizes, seconds for each, the process's resident memory
// before the backup began, and its peak resident memory before the backup, after it and after
// the restore: the backup is read, sealed and checked a piece at a time, so neither should
// rise by anything like the backup's size.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBackup } from '../../firmware/backup/create.ts';
import { restoreBackup } from '../../firmware/backup/restore.ts';
import { defaultConfig } from '../../firmware/config/defaults.ts';
import { serializeConfig } from '../../firmware/config/load.ts';
import { auditHeadNow } from '../../firmware/monitor/reports/records-export.ts';
import { StateDatabase } from '../../firmware/state/database.ts';

const { values: opts } = parseArgs({ options: { devices: { type: 'string' }, alerts: { type: 'string' }, audit: { type: 'string' }, 'list-names': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (opts.help) {
  process.stdout.write('node scripts/bench/backup.ts [--devices 3000] [--alerts 50000] [--audit 100000] [--list-names 1000000]\n');
  process.exit(0);
}
const DEVICES = Number(opts.devices ?? 3000);
const ALERTS = Number(opts.alerts ?? 50_000);
const AUDIT = Number(opts.audit ?? 100_000);
const LIST_NAMES = Number(opts['list-names'] ?? 1_000_000);
const PASSPHRASE = 'kept in the school safe';

const dir = await mkdtemp(join(tmpdir(), 'sg-bench-backup-'));
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const mac = (i: number): string => `02:${[i >> 24, i >> 16, i >> 8, i].map((b) => (b & 0xff).toString(16).padStart(2, '0')).join(':')}:00`;
try {
  const dataDir = join(dir, 'data');
  await mkdir(join(dataDir, 'lists'), { recursive: true });
  await writeFile(join(dataDir, 'config.json'), serializeConfig(defaultConfig()));
  await writeFile(join(dataDir, 'lists', 'big.txt'), Array.from({ length: LIST_NAMES }, (_, i) => `site-${i}.example.org`).join('\n'));
  let clock = Date.parse('2024-09-01T08:00:00Z');
  const now = () => new Date(clock += 1000);
  const state = StateDatabase.open(join(dataDir, 'state.db'), { now });
  process.stderr.write(`seeding ${DEVICES} devices, ${ALERTS} alerts, ${AUDIT} audit entries\n`);
  state.transaction(() => {
    for (let i = 0; i < DEVICES; i++) {
      state.leases.bind({
        networkId: 'pupil', address: `10.20.${(i >> 8) & 0xff}.${i & 0xff}`, clientKey: `mac:${mac(i)}`, mac: mac(i), clientId: null, hostname: `ipad-${i}`, vendorClass: 'android-dhcp-14',
        parameters: [1, 3, 6], relayAgent: null, relayInfo: null, state: 'bound', expires: new Date(clock + 3_600_000).toISOString(), updated: now().toISOString(),
      }, { name: `Year ${i % 7} iPad ${i}` });
    }
    for (let i = 0; i < ALERTS; i++) {
      state.alerts.record({ kind: 'dns.category', severity: 'medium', at: now().toISOString(), networkId: 'pupil', mac: mac(i % DEVICES), address: null, subject: `games-${i}.example`, reason: 'a blocked category' }, new Date(clock));
    }
  });
  state.transaction(() => {
    for (let i = 0; i < AUDIT; i++) state.audit.append({ actor: 'ssh:tech', action: 'device.name', subject: mac(i % DEVICES), details: { name: `Device ${i}` } });
  });
  const stateBytes = (await stat(join(dataDir, 'state.db'))).size;

  const rssBefore = process.memoryUsage().rss;
  // The peak is the process's whole life: read it before each step, so each step's own rise shows.
  const peak = (): number => process.resourceUsage().maxRSS * 1024;
  const peakBefore = peak();
  let t = performance.now();
  const made = await createBackup({
    dataDir, configFile: join(dataDir, 'config.json'), snapshotState: (file) => state.snapshotTo(file), auditHead: () => auditHeadNow(state.audit),
    version: 'bench', now: () => new Date(),
  }, { passphrase: PASSPHRASE, actor: 'ssh:bench', keep: 7 });
  const createSeconds = (performance.now() - t) / 1000;
  const peakAfterCreate = peak();
  state.close();

  t = performance.now();
  const restored = await restoreBackup({ dataDir, file: made.entry.path, passphrase: PASSPHRASE, actor: 'ssh:bench', source: made.entry.path, now: () => new Date() });
  const restoreSeconds = (performance.now() - t) / 1000;
  if (!restored.audit.ok) throw new Error('the restored audit chain does not verify');
  const digest = createHash('sha256').update(await readFile(join(dataDir, 'backups', made.entry.file))).digest('hex').slice(0, 12);

  process.stdout.write([
    `state_db_mb=${mb(stateBytes)}`, `list_names=${LIST_NAMES}`, `backup_mb=${mb(made.entry.size)}`, `backup_sha256_prefix=${digest}`,
    `create_seconds=${createSeconds.toFixed(2)}`, `restore_seconds=${restoreSeconds.toFixed(2)}`,
    `rss_before_backup_mb=${mb(rssBefore)}`, `peak_rss_before_backup_mb=${mb(peakBefore)}`, `peak_rss_after_create_mb=${mb(peakAfterCreate)}`,
    `peak_rss_mb=${mb(peak())}`, `audit_entries=${restored.audit.entries}`, '',
  ].join('\n'));
} finally {
  await rm(dir, { recursive: true, force: true });
}
