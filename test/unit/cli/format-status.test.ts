// The human form of `schoolgate status`: the upstream line says which upstream is failing.
import { Value } from 'typebox/value';
import { expect, it } from 'vitest';
import { DaemonStatus } from '../../../firmware/status.ts';
import { formatStatus } from '../../../firmware/cli/format-status.ts';
import { sampleStatus } from '../status-fixture.ts';

const upstreamLine = (text: string): string | undefined => text.split('\n').find((l) => l.startsWith('  upstream  '));

it('names each configured upstream with its endpoint, and marks the failing one', () => {
  expect(upstreamLine(formatStatus(sampleStatus()))).toBe('  upstream  Provider "A" 192.0.2.53:53 FAILING, backup [2001:db8::53]:53');
});

it('says the system resolvers once each, and where they came from', () => {
  const status = sampleStatus();
  status.dns.upstreamSource = 'system';
  status.dns.upstreams = [{ name: 'system 10.0.0.53', address: '10.0.0.53', port: 53, failing: false }];
  expect(upstreamLine(formatStatus(status))).toBe('  upstream  10.0.0.53:53 (from /etc/resolv.conf)');
});

it('says what having no upstream means', () => {
  const status = sampleStatus();
  status.dns.upstreams = [];
  expect(upstreamLine(formatStatus(status))).toBe('  upstream  none: every forwarded question is answered SERVFAIL');
});

it('says how the query log keeps up: its writer on spare CPU, or why not', () => {
  const logLine = (text: string): string | undefined => text.split('\n').find((l) => l.startsWith('  log       '));
  const status = sampleStatus();
  expect(logLine(formatStatus(status))).toBe('  log       1400 events written, 0 write errors; writer on spare CPU only (idle class)');
  status.queryLog = { written: 9, committed: 9, writeErrors: 1, writer: 'normal', writerReason: 'the netio addon is not built', writerFellBehind: 2 };
  expect(logLine(formatStatus(status))).toBe('  log       9 events written, 1 write errors; writer in the normal class: the netio addon is not built, fell behind 2 times');
});

it('shows each DHCP pool (size, used, free) and says loudly when another DHCP server was seen', () => {
  const text = formatStatus(sampleStatus());
  expect(text).toMatch(/DHCP POOL\s+INTERFACE\s+SIZE\s+USED\s+FREE/);
  expect(text).toMatch(/ pupil\s+wlan1\s+200\s+50\s+150\s+2\s+55\s+3\n/);
  expect(text).toContain('ANOTHER DHCP SERVER SEEN 1 times');
  expect(text).toContain('1 pool addresses found in use by devices without a lease');
  expect(text).not.toContain('no ARP probe');
  const unprobed = sampleStatus();
  unprobed.dhcp.networks[0]!.arpProbe = { on: false, reason: 'no CAP_NET_RAW', probed: 0, inUse: 0, gaveUp: 0, whileProbing: 0 };
  expect(formatStatus(unprobed)).toContain('no ARP probe on pupil (no CAP_NET_RAW)');
  const off = sampleStatus();
  off.dhcp = { ...off.dhcp, enabled: false, networks: [], rogue: { sightings: 0, probes: 0 } };
  expect(formatStatus(off)).toContain('dhcp      off');
  expect(formatStatus(off)).not.toContain('DHCP POOL');
});

it('shows the HTTPS addresses, the certificate fingerprint and, before setup, the setup code', () => {
  const status = sampleStatus();
  status.admin = { url: 'http://127.0.0.1:8080', https: { urls: ['https://10.0.10.1/'], fingerprint: 'AB:CD' }, setupCode: 'K7QM-3XPA-9RTE' };
  const text = formatStatus(status);
  expect(text).toContain('  admin     http://127.0.0.1:8080, https://10.0.10.1/\n            certificate SHA-256 AB:CD\n            first-run setup code K7QM-3XPA-9RTE');
  delete status.admin.setupCode;
  expect(formatStatus(status)).not.toContain('setup code');
});

it("says nothing of vouchers until one names a policy, then how many guests it filters and any policy since removed", () => {
  const status = sampleStatus();
  expect(formatStatus(status)).not.toContain('  vouchers  ');
  status.vouchers = { devices: 0, missing: [] };
  expect(formatStatus(status)).not.toContain('  vouchers  ');
  status.vouchers = { devices: 2, missing: [{ voucherId: 7, policyId: 'event', devices: 1 }] };
  expect(formatStatus(status)).toContain(`  vouchers  2 guest devices filtered under their voucher's policy
            voucher 7 names policy "event", which no longer exists: its 1 device gets the guest network's policy`);
});

it('shows each syslog collector: connected, or why not, with what is queued and what was dropped', () => {
  const status = sampleStatus();
  expect(formatStatus(status)).not.toContain('syslog');
  status.fleet = {
    school: 'urn-123456', events: 40,
    collectors: [
      { collector: 'tls://logs.trust.example:6514', state: 'connected', connectedSince: '2026-11-24T08:00:02.000Z', queued: 0, sent: 40, dropped: 0, failures: 0, lastError: null, lastErrorAt: null },
      { collector: 'tcp://10.0.0.9:601', state: 'waiting', connectedSince: null, queued: 30, sent: 0, dropped: 10, failures: 5, lastError: 'connect ECONNREFUSED 10.0.0.9:601', lastErrorAt: '2026-11-24T08:30:00.000Z' },
    ],
  };
  const text = formatStatus(status);
  expect(text).toContain('  syslog    school urn-123456: tls://logs.trust.example:6514 connected since 2026-11-24T08:00:02.000Z; 40 sent, 0 queued\n'
    + '            tcp://10.0.0.9:601 WAITING: connect ECONNREFUSED 10.0.0.9:601; 0 sent, 30 queued, 10 DROPPED (queue full), 5 connection failures\n');
});

it('shows the running release (or a checkout), the last upgrade and why it rolled back, and the newest backup and the next', () => {
  const status = sampleStatus();
  expect(formatStatus(status)).not.toContain('  release   ');
  status.release = {
    version: '0.2.0', arch: 'arm64', installed: true, path: '/opt/schoolgate/releases/0.2.0', installedAt: '2026-12-07T10:00:00.000Z',
    lastUpgrade: { id: 'x', at: '2026-12-08T09:00:00.000Z', by: 'ssh:lee', from: '0.2.0', to: '0.3.0', outcome: 'rolled-back', reason: 'the new release failed its health check (dns: no DNS answer)', restored: true },
  };
  status.backups = {
    latest: { file: 'schoolgate-backup-20261208T085959000Z-0.2.0-before-upgrade-to-0.3.0.sgexport', path: '/var/lib/schoolgate/backups/x', size: 12_300_000, createdAt: '2026-12-08T08:59:59.000Z', createdBy: 'ssh:lee', encrypted: true, firmwareVersion: '0.2.0', beforeUpgradeTo: '0.3.0', check: 'verified', ok: true },
    passphraseSet: true, schedule: 'every day at 02:30 (Europe/London)', lastScheduled: { at: '2026-12-08T02:30:00.000Z', ok: false, outcome: 'failed', message: 'failed: disk full' },
  };
  expect([...Value.Errors(DaemonStatus, status)]).toEqual([]);
  const text = formatStatus(status);
  expect(text).toContain('  release   0.2.0 arm64, installed 2026-12-07 10:00:00 UTC in /opt/schoolgate/releases/0.2.0\n');
  expect(text).toContain('  upgrade   2026-12-08 09:00:00  0.2.0 -> 0.3.0  ROLLED BACK by ssh:lee: the new release failed its health check (dns: no DNS answer); the previous release answers again\n');
  expect(text).toContain('  backup    schoolgate-backup-20261208T085959000Z-0.2.0-before-upgrade-to-0.3.0.sgexport, 12.3 MB, made 2026-12-08 08:59:59 UTC before upgrading to 0.3.0; next every day at 02:30 (Europe/London)\n'
    + '            the last scheduled backup at 2026-12-08T02:30:00.000Z was NOT MADE: failed: disk full');
  status.release = { ...status.release, installed: false, path: '/home/lee/schoolgate', installedAt: null, lastUpgrade: null };
  status.backups = { ...status.backups!, latest: null, passphraseSet: false, lastScheduled: null };
  expect(formatStatus(status)).toContain('  release   0.2.0 arm64, a development checkout (/home/lee/schoolgate), not an installed release\n  upgrade   none yet\n'
    + '  backup    none yet; NO PASSPHRASE SET, so none is made (schoolgate backup passphrase --passphrase-file F)\n');
});
