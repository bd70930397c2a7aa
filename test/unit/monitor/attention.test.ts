// What needs attention, from the status alone: no backup passphrase, a failed nightly backup, a
// newest backup two days old, a rolled-back or failed upgrade, and the services' own problems;
// each with what to do, a page of the web UI that exists and a command. The same list the health
// page and `schoolgate status` show.
import { Value } from 'typebox/value';
import { expect, it } from 'vitest';
import type { BackupEntry } from '../../../firmware/backup/backup-schema.ts';
import { needsAttention, STALE_BACKUP_MS } from '../../../firmware/monitor/attention.ts';
import { Attention } from '../../../firmware/monitor/attention-schema.ts';
import { attentionBlock, formatStatus } from '../../../firmware/cli/format-status.ts';
import { ROUTES } from '../../../webui/src/router.ts';
import type { DaemonStatus } from '../../../firmware/status.ts';
import { sampleStatus } from '../status-fixture.ts';

const NOW = new Date('2026-12-08T09:00:00Z');
const TZ = 'Europe/London';

function backup(createdAt: string, over: Partial<BackupEntry> = {}): BackupEntry {
  return {
    file: 'schoolgate-backup-x.sgexport', path: '/var/lib/schoolgate/backups/schoolgate-backup-x.sgexport', size: 1000, createdAt,
    createdBy: 'system:backup', encrypted: true, firmwareVersion: '0.2.0', beforeUpgradeTo: null, check: 'verified', ok: true, ...over,
  };
}

/** A status where all is well: upstreams answer, a backup from last night, the last upgrade installed. */
function healthy(): DaemonStatus {
  const status = sampleStatus();
  status.dns.upstreams = status.dns.upstreams.map((u) => ({ ...u, failing: false }));
  status.backups = { latest: backup('2026-12-08T02:30:05.000Z'), passphraseSet: true, schedule: 'every day at 02:30 (Europe/London)', lastScheduled: { at: '2026-12-08T02:30:00.000Z', ok: true, outcome: 'made', message: 'made schoolgate-backup-x.sgexport' } };
  status.release = {
    version: '0.3.0', arch: 'arm64', installed: true, path: '/opt/schoolgate/releases/0.3.0', installedAt: '2026-12-07T10:00:00.000Z',
    lastUpgrade: { id: 'a', at: '2026-12-07T10:00:00.000Z', by: 'ssh:lee', from: '0.2.0', to: '0.3.0', outcome: 'installed' },
  };
  return status;
}

const ids = (status: DaemonStatus): string[] => needsAttention({ status, lists: [], now: NOW, timezone: TZ }).map((a) => a.id);
const only = (status: DaemonStatus, id: string) => needsAttention({ status, lists: [], now: NOW, timezone: TZ }).find((a) => a.id === id)!;

it('finds nothing when all is well, and nothing of the appliance in a status from a daemon without it', () => {
  expect(ids(healthy())).toEqual([]);
  const old = healthy();
  delete old.backups;
  delete old.release;
  expect(ids(old)).toEqual([]);
});

it('without a backup passphrase: says no nightly backup and no upgrade, and where to store one, and not that the backups are old', () => {
  const status = healthy();
  status.backups = { ...status.backups!, passphraseSet: false, latest: backup('2026-11-01T02:30:00.000Z'), lastScheduled: { at: '2026-12-08T02:30:00.000Z', ok: false, outcome: 'skipped', message: 'skipped: no backup passphrase is set' } };
  expect(ids(status)).toEqual(['backup.no-passphrase']);
  const a = only(status, 'backup.no-passphrase');
  expect(a.problem).toMatch(/no nightly backup is made, and an upgrade is refused/);
  expect(a).toMatchObject({ page: '/backups', command: 'schoolgate backup passphrase --passphrase-file FILE' });
});

it('a failed nightly backup says when and why, in the school\'s time', () => {
  const status = healthy();
  status.backups!.lastScheduled = { at: '2026-12-08T02:30:00.000Z', ok: false, outcome: 'failed', message: 'failed: ENOSPC: no space left on device' };
  expect(ids(status)).toEqual(['backup.nightly-failed']);
  expect(only(status, 'backup.nightly-failed').problem).toBe('The last nightly backup (Tue 8 Dec, 02:30) failed: ENOSPC: no space left on device');
});

it('a newest backup older than two days is stale; just under two days is not; none at all with a passphrase says make one', () => {
  const status = healthy();
  status.backups!.latest = backup(new Date(NOW.getTime() - STALE_BACKUP_MS + 60_000).toISOString());
  expect(ids(status)).toEqual([]);
  status.backups!.latest = backup('2026-12-05T02:30:00.000Z');
  expect(ids(status)).toEqual(['backup.stale']);
  expect(only(status, 'backup.stale').problem).toMatch(/^The newest backup is 3 days old \(Sat 5 Dec, 02:30\)/);
  status.backups!.latest = null;
  expect(ids(status)).toEqual(['backup.none']);
  expect(only(status, 'backup.none').todo).toContain('every day at 02:30 (Europe/London)');
});

it('a newest backup that failed its check is named', () => {
  const status = healthy();
  status.backups!.latest = backup('2026-12-08T02:30:05.000Z', { ok: false, check: 'the file is shorter than its header says' });
  expect(only(status, 'backup.unreadable').problem).toBe('The newest backup, schoolgate-backup-x.sgexport, failed its check: the file is shorter than its header says');
});

it('a rolled-back upgrade says to what and why, and louder when the previous release did not answer; a failed one too; a refused one is no problem of the box', () => {
  const status = healthy();
  status.release!.lastUpgrade = { id: 'b', at: '2026-12-08T08:00:00.000Z', by: 'ssh:lee', from: '0.3.0', to: '0.4.0', outcome: 'rolled-back', reason: 'the new release failed its health check (dns: no answer)', restored: true };
  const a = only(status, 'upgrade.rolled-back');
  expect(a.problem).toBe('The upgrade to 0.4.0 (Tue 8 Dec, 08:00) was rolled back to 0.3.0: the new release failed its health check (dns: no answer). 0.3.0 runs again.');
  expect(a).toMatchObject({ page: '/upgrade', command: 'schoolgate upgrade status' });
  status.release!.lastUpgrade = { ...status.release!.lastUpgrade!, restored: false };
  expect(only(status, 'upgrade.rolled-back').problem).toMatch(/0\.3\.0 did not answer again either\.$/);
  expect(only(status, 'upgrade.rolled-back').todo).toMatch(/^Check the gateway now/);
  status.release!.lastUpgrade = { ...status.release!.lastUpgrade!, outcome: 'failed', reason: 'ENOSPC' };
  expect(only(status, 'upgrade.failed').problem).toBe('The upgrade to 0.4.0 (Tue 8 Dec, 08:00) failed: ENOSPC.');
  status.release!.lastUpgrade = { ...status.release!.lastUpgrade!, outcome: 'refused', reason: 'bad signature' };
  expect(ids(status)).toEqual([]);
});

it("puts the school's internet first: every upstream failing, the firewall, then the appliance's care", () => {
  const status = healthy();
  status.dns.upstreams = status.dns.upstreams.map((u) => ({ ...u, failing: true }));
  status.firewall = { ...status.firewall!, enabled: true, error: 'nft: syntax error' } as DaemonStatus['firewall'];
  status.backups!.passphraseSet = false;
  expect(ids(status)).toEqual(['dns.upstreams-failing', 'firewall.refused', 'backup.no-passphrase']);
});

it('every item fits the shape, and every page it links to is a page of the web UI', () => {
  const status = healthy();
  status.dns.upstreams[0]!.failing = true;
  status.queryLog.writeErrors = 2;
  status.dhcp.storeFailures = 1;
  status.backups = { ...status.backups!, passphraseSet: false };
  status.release!.lastUpgrade = { ...status.release!.lastUpgrade!, outcome: 'rolled-back' };
  const items = needsAttention({ status, lists: [{ id: 'f', name: 'Feed', category: 'adult', source: 'feed', entries: 1, updatedAt: null, failed: true, problem: 'HTTP 503' }], now: NOW, timezone: TZ });
  expect(items.length).toBe(6);
  for (const a of items) {
    expect([...Value.Errors(Attention, a)], a.id).toEqual([]);
    if (a.page !== null) expect(ROUTES.some((r) => r.path === a.page), a.page).toBe(true);
  }
});

it("`schoolgate status` puts the same list first as a NEEDS ATTENTION block, with each command and page; nothing when all is well", () => {
  const status = healthy();
  status.attention = [];
  expect(formatStatus(status)).not.toContain('NEEDS ATTENTION');
  status.backups!.passphraseSet = false;
  status.attention = needsAttention({ status, lists: [], now: NOW, timezone: TZ });
  expect(attentionBlock(status.attention)).toBe('\nNEEDS ATTENTION\n'
    + '  * No backup passphrase is stored: no nightly backup is made, and an upgrade is refused (a backup is made before every one).\n'
    + '    Store a backup passphrase, and keep a copy of it away from the gateway: without it no backup can be restored. (schoolgate backup passphrase --passphrase-file FILE; web UI /backups)\n\n');
  const text = formatStatus(status);
  expect(text.indexOf('NEEDS ATTENTION')).toBeLessThan(text.indexOf('  data      '));
});
