import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { STATE_MIGRATIONS } from '../../../firmware/state/migrations.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();

function clock(start = '2026-03-02T08:45:00.000Z'): { now: () => Date; advance: (ms: number) => void } {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms) => { t += ms; } };
}

describe('StateDatabase.open', () => {
  it('creates the parent directory and a 0600 file, in WAL mode', () => {
    const file = join(tempDir(), 'var', 'lib', 'schoolgate', 'state.db');
    const state = StateDatabase.open(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(state.schemaVersion).toBe(STATE_MIGRATIONS.length);
    state.devices.upsertSeen('3c:22:fb:01:a2:9e', 'staff', new Date());
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    const raw = new DatabaseSync(file);
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    raw.close();
    state.close();
    // A clean close checkpoints and removes the WAL.
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('tightens an existing file that other users could read', () => {
    const file = join(tempDir(), 'state.db');
    StateDatabase.open(file).close();
    chmodSync(file, 0o644);
    StateDatabase.open(file).close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a file that is not a SQLite database, naming it, and leaves it alone', () => {
    const file = join(tempDir(), 'state.db');
    writeFileSync(file, 'these are not the bytes you are looking for, but they are long enough to be a header'.repeat(20));
    const before = readFileSync(file);
    expect(() => StateDatabase.open(file)).toThrow(`${file} cannot be opened as state.db: file is not a database`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('survives close and re-open with devices and the audit chain intact', () => {
    const file = join(tempDir(), 'state.db');
    const { now, advance } = clock();
    const first = StateDatabase.open(file, { now });
    first.devices.upsertSeen('3c:22:fb:01:a2:9e', 'pupil', now());
    first.devices.update('3c:22:fb:01:a2:9e', { name: 'Class 3 iPad 7', schoolOwned: true });
    first.audit.append({ actor: 'ssh:tech', action: 'device.update', subject: '3c:22:fb:01:a2:9e', details: { name: 'Class 3 iPad 7' } });
    const head = first.audit.verify();
    first.close();
    first.close(); // a second close is harmless

    advance(60_000);
    const second = StateDatabase.open(file, { now });
    expect(second.devices.get('3c:22:fb:01:a2:9e')).toMatchObject({ name: 'Class 3 iPad 7', schoolOwned: true, networkId: 'pupil' });
    expect(second.audit.verify()).toEqual(head);
    const next = second.audit.append({ actor: 'head', action: 'device.suspend', subject: '3c:22:fb:01:a2:9e' });
    expect(next.seq).toBe(2);
    expect(head.ok && next.prevHash === head.head).toBe(true);
    expect(second.audit.verify()).toMatchObject({ ok: true, entries: 2 });
    second.close();
  });

  it('opens ":memory:" for tests of other modules', () => {
    const state = StateDatabase.open(':memory:');
    expect(state.schemaVersion).toBe(STATE_MIGRATIONS.length);
    expect(state.devices.count()).toBe(0);
    state.close();
  });
});

describe('StateDatabase.transaction', () => {
  it('commits a change and its audit entry together', () => {
    const { now } = clock();
    const state = StateDatabase.open(':memory:', { now });
    state.devices.upsertSeen('3c:22:fb:01:a2:9e', 'pupil', now());
    const until = new Date(now().getTime() + 3_600_000);
    state.transaction(() => {
      state.devices.suspend('3c:22:fb:01:a2:9e', until, 'hotspot sharing');
      state.audit.append({ actor: 'dsl', action: 'device.suspend', subject: '3c:22:fb:01:a2:9e' });
    });
    expect(state.devices.get('3c:22:fb:01:a2:9e')?.suspendReason).toBe('hotspot sharing');
    expect(state.audit.count()).toBe(1);
    state.close();
  });

  it('rolls both back when the audit entry is refused', () => {
    const { now } = clock();
    const state = StateDatabase.open(':memory:', { now });
    state.devices.upsertSeen('3c:22:fb:01:a2:9e', 'pupil', now());
    expect(() => state.transaction(() => {
      state.devices.suspend('3c:22:fb:01:a2:9e', new Date(now().getTime() + 1000), 'test');
      state.audit.append({ actor: 'dsl', action: 'not a dotted verb' });
    })).toThrow(/invalid audit action/);
    expect(state.devices.get('3c:22:fb:01:a2:9e')?.suspendedUntil).toBeNull();
    expect(state.audit.count()).toBe(0);
    state.close();
  });
});

describe('two connections to one file (daemon and CLI)', () => {
  it('interleaved appends keep one unbroken chain', () => {
    const file = join(tempDir(), 'state.db');
    const daemon = StateDatabase.open(file);
    const cli = StateDatabase.open(file);
    for (let i = 0; i < 20; i += 1) {
      (i % 3 === 0 ? cli : daemon).audit.append({ actor: i % 3 === 0 ? 'ssh:tech' : 'system:dhcp', action: 'test.append', details: { i } });
    }
    expect(daemon.audit.verify()).toMatchObject({ ok: true, entries: 20 });
    expect(cli.audit.verify()).toEqual(daemon.audit.verify());
    cli.close();
    daemon.close();
  });
});
