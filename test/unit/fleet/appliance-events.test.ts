// Upgrades and backups as the trust's collector receives them: MSGID "upgrade" or "backup", the
// `event` param (requested, switched, rolled-back, refused; created, failed, restored) and the
// facts as structured data, rendered as RFC 5424 messages; entries of other kinds make none.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../firmware/control/audit-chain.ts';
import { applianceEvent, madeWhileStopped } from '../../../firmware/fleet/appliance-events.ts';
import { messageOf } from '../../../firmware/fleet/syslog-forwarder.ts';
import { formatMessage } from '../../../firmware/fleet/syslog-message.ts';

const entry = (action: string, subject: string | null, details: unknown, actor = 'ssh:lee'): AuditEntry => ({
  seq: 41, at: '2026-12-08T09:00:00.000Z', actor, action, subject, details, prevHash: '0'.repeat(64), hash: '1'.repeat(64),
});

/** The message as it goes on the wire to a collector (frame aside), for school urn-42. */
function rendered(e: AuditEntry): string {
  const event = applianceEvent(e);
  if (event === undefined) throw new Error(`${e.action} made no event`);
  return formatMessage(messageOf(event, { school: 'urn-42', collectors: [] }, 'Oakfield', '0.2.0', () => 'gw-oakfield')).toString('utf8');
}

const HEAD = (pri: number, msgId: string) => `<${pri}>1 2026-12-08T09:00:00.000Z gw-oakfield schoolgate ${process.pid} ${msgId} [schoolgate@32473 school="urn-42" site="Oakfield" version="0.2.0" `;

describe('upgrade messages', () => {
  it('says an upgrade was requested, from and to, and by whom', () => {
    expect(rendered(entry('upgrade.request', '0.3.0', { from: '0.2.0', force: false, keyId: 'k', sha256: 'a'.repeat(64) }, 'account:lee.tech')))
      .toBe(`${HEAD(133, 'upgrade')}event="requested" from="0.2.0" to="0.3.0" actor="account:lee.tech" seq="41"] upgrade from 0[.]2[.]0 to 0[.]3[.]0 requested (account:lee[.]tech)`);
  });

  it('says it switched, or rolled back with the reason and whether the old release answers again', () => {
    expect(rendered(entry('upgrade.result', '2026-12-08T09:00:00.000Z-0.3.0', { from: '0.2.0', to: '0.3.0', outcome: 'installed', checks: { dns: 'ok', control: 'ok', web: 'ok' } })))
      .toBe(`${HEAD(133, 'upgrade')}event="switched" from="0.2.0" to="0.3.0" id="2026-12-08T09:00:00.000Z-0.3.0" actor="ssh:lee" seq="41"] upgraded from 0[.]2[.]0 to 0[.]3[.]0: switched, and it answers (ssh:lee)`);
    const back = entry('upgrade.result', 'x', { from: '0.2.0', to: '0.3.0', outcome: 'rolled-back', reason: 'the new release failed its health check (dns: no DNS answer)', restored: true });
    expect(rendered(back)).toBe(`${HEAD(131, 'upgrade')}event="rolled-back" from="0.2.0" to="0.3.0" id="x" reason="the new release failed its health check (dns: no DNS answer)" restored="true" actor="ssh:lee" seq="41"] `
      + 'upgrade from 0[.]2[.]0 to 0[.]3[.]0 ROLLED BACK: the new release failed its health check (dns: no DNS answer); 0[.]2[.]0 answers again (ssh:lee)');
    // The old release not answering either is the worst an upgrade can leave: crit.
    expect(applianceEvent({ ...back, details: { ...back.details as object, restored: false } })).toMatchObject({ severity: 'crit', text: expect.stringMatching(/did NOT answer again/) });
    expect(applianceEvent(entry('upgrade.result', 'y', { from: '0.2.0', to: '0.3.0', outcome: 'refused', reason: 'bad signature' }))).toMatchObject({ severity: 'warning', params: expect.arrayContaining([['event', 'refused']]) });
  });

  it('says an upgrade was refused because no backup could be made', () => {
    expect(rendered(entry('upgrade.refused', 'backup-failed', { version: '0.3.0', reason: 'no backup could be made before upgrading to 0.3.0: disk full' })))
      .toBe(`${HEAD(132, 'upgrade')}event="refused" to="0.3.0" code="backup-failed" reason="no backup could be made before upgrading to 0.3.0: disk full" actor="ssh:lee" seq="41"] upgrade to 0[.]3[.]0 refused: no backup could be made before upgrading to 0[.]3[.]0: disk full (ssh:lee)`);
  });
});

describe('backup messages', () => {
  it('says a backup was made, its file and size, and the upgrade it was made for', () => {
    const file = 'schoolgate-backup-20261208T090000000Z-0.2.0-before-upgrade-to-0.3.0.sgexport';
    expect(rendered(entry('backup.create', file, { size: 12_300_000, parts: 9, removed: [], storedPassphrase: true, beforeUpgradeTo: '0.3.0' })))
      .toBe(`${HEAD(133, 'backup')}event="created" file="${file}" size="12300000" beforeUpgradeTo="0.3.0" actor="ssh:lee" seq="41"] backup ${file.replaceAll('.', '[.]')} made before upgrading to 0[.]3[.]0, 12300000 bytes (ssh:lee)`);
  });

  it('says a backup failed, and why', () => {
    expect(rendered(entry('backup.failed', null, { reason: 'a backup is always encrypted and no passphrase was given' }, 'system:backup')))
      .toBe(`${HEAD(131, 'backup')}event="failed" reason="a backup is always encrypted and no passphrase was given" actor="system:backup" seq="41"] backup FAILED: a backup is always encrypted and no passphrase was given (system:backup)`);
  });

  it('says a backup was restored, naming the file and not the box\'s folders', () => {
    expect(rendered(entry('backup.restore', '/media/usb/schoolgate-backup-20261207T023000000Z-0.2.0.sgexport', { createdAt: '2026-12-07T02:30:00.000Z', firmwareVersion: '0.2.0', previous: '/var/lib/schoolgate/restore-previous/x' }, 'ssh:root')))
      .toBe(`${HEAD(132, 'backup')}event="restored" file="schoolgate-backup-20261207T023000000Z-0.2.0.sgexport" createdAt="2026-12-07T02:30:00.000Z" firmwareVersion="0.2.0" actor="ssh:root" seq="41"] `
        + 'backup schoolgate-backup-20261207T023000000Z-0[.]2[.]0[.]sgexport (made 2026-12-07T02:30:00[.]000Z by Schoolgate 0[.]2[.]0) RESTORED (ssh:root)');
  });

  it('makes nothing of other entries, nor of a download or a passphrase set', () => {
    for (const action of ['policy.edit', 'daemon.start', 'backup.download', 'backup.passphrase-set']) expect(applianceEvent(entry(action, null, {})), action).toBeUndefined();
  });
});

describe('madeWhileStopped', () => {
  it('finds the restore and the offline backup after the last start or stop, not the running daemon\'s own', () => {
    const tail = [
      entry('daemon.start', null, {}), entry('backup.create', 'a.sgexport', { size: 1 }), entry('upgrade.request', '0.3.0', {}),
      entry('backup.restore', '/tmp/a.sgexport', {}),
    ];
    expect(madeWhileStopped(tail).map((e) => e.action)).toEqual(['backup.restore']);
    const offline = [entry('daemon.stop', null, {}), entry('backup.create', 'b.sgexport', { size: 1, offline: true })];
    expect(madeWhileStopped(offline).map((e) => e.subject)).toEqual(['b.sgexport']);
    expect(madeWhileStopped([...offline, entry('daemon.start', null, {})])).toEqual([]);
  });
});
