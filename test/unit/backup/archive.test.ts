import { describe, expect, it } from 'vitest';
import { backupFileName, BackupError, beyondRetention, packArchive, parseBackupFileName, unpackArchive } from '../../../firmware/backup/archive.ts';
import { backupCron } from '../../../firmware/backup/schedule.ts';

const info = { firmwareVersion: '0.9.0', createdAt: '2026-12-07T02:30:00.000Z', createdBy: 'system:backup', configVersion: 2, stateSchema: 16 };
const parts = [
  { name: 'config.json', bytes: Buffer.from('{"version":2}\n') },
  { name: 'state.db', bytes: Buffer.from([0, 1, 2, 3, 255]) },
  { name: 'lists/custom.txt', bytes: Buffer.from('games.example\n') },
  { name: 'secrets/empty', bytes: Buffer.alloc(0) },
];

describe('the backup archive', () => {
  it('gives back every part byte for byte, with a manifest of sizes and SHA-256s', () => {
    const { archive, manifest } = packArchive(info, parts);
    const unpacked = unpackArchive(archive);
    expect(unpacked.manifest).toEqual(manifest);
    expect(unpacked.parts.map((p) => [p.name, p.bytes.toString('hex')])).toEqual(parts.map((p) => [p.name, p.bytes.toString('hex')]));
    expect(manifest.parts[1]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a changed byte in any part, naming the part', () => {
    const { archive } = packArchive(info, parts);
    const flipped = Buffer.from(archive);
    flipped[flipped.length - 5]! ^= 0x01; // inside lists/custom.txt
    expect(() => unpackArchive(flipped)).toThrow(/part lists\/custom\.txt does not match its SHA-256/);
  });

  it('refuses a cut-short archive and bytes the manifest does not account for', () => {
    const { archive } = packArchive(info, parts);
    expect(() => unpackArchive(archive.subarray(0, archive.length - 1))).toThrow(/cut short: part lists\/custom\.txt/);
    expect(() => unpackArchive(Buffer.concat([archive, Buffer.from('x')]))).toThrow(/1 bytes the manifest does not account for/);
    expect(() => unpackArchive(Buffer.from('SCHOOLGATE-EXPORT 1\n{}\n'))).toThrow(BackupError);
  });

  it('refuses part names that could write outside the data directory', () => {
    for (const name of ['../etc/passwd', '/etc/passwd', 'lists/../../x', '.hidden', 'lists/.tmp', 'a//b']) {
      expect(() => packArchive(info, [{ name, bytes: Buffer.alloc(1) }]), name).toThrow(BackupError);
    }
    expect(() => packArchive(info, [parts[0]!, parts[0]!])).toThrow(/given twice/);
  });

  it('names files by time and firmware, and keeps the newest N', () => {
    const name = backupFileName(new Date('2026-12-07T02:30:00.123Z'), '0.9.0');
    expect(name).toBe('schoolgate-backup-20261207T023000123Z-0.9.0');
    expect(parseBackupFileName(`${name}.sgexport`)).toEqual({ stamp: '20261207T023000123Z', firmwareVersion: '0.9.0' });
    expect(parseBackupFileName('holiday-photos.sgexport')).toBeUndefined();
    // One made before an upgrade says to which version, and counts among the N like any other.
    const before = backupFileName(new Date('2026-12-08T09:00:00.000Z'), '0.9.0', '0.10.0-rc.1');
    expect(before).toBe('schoolgate-backup-20261208T090000000Z-0.9.0-before-upgrade-to-0.10.0-rc.1');
    expect(parseBackupFileName(`${before}.sgexport`)).toEqual({ stamp: '20261208T090000000Z', firmwareVersion: '0.9.0', beforeUpgradeTo: '0.10.0-rc.1' });
    expect(beyondRetention([`${before}.sgexport`, `${name}.sgexport`], 1)).toEqual([`${name}.sgexport`]);
    const files = ['2026-12-05', '2026-12-07', '2026-12-06', '2026-12-04'].map((d) => `${backupFileName(new Date(`${d}T02:30:00Z`), '0.9.0')}.sgexport`);
    expect(beyondRetention([...files, 'notes.txt'], 2)).toEqual([files[3], files[0]]);
    expect(beyondRetention(files, 10)).toEqual([]);
  });

  it('runs daily at the configured time, or not at all when switched off', () => {
    expect(backupCron(undefined)).toBe('30 2 * * *');
    expect(backupCron({ at: '23:05' })).toBe('5 23 * * *');
    expect(backupCron({ enabled: false, at: '23:05' })).toBeUndefined();
  });
});
