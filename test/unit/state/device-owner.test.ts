// A device's owner as staff write it (a person, "school", a class): one line, trimmed, at most 80
// characters; refused input changes nothing. Owners stored before migration 13 (up to 120
// characters, anything) are made to fit, so old rows still load as a Device.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { migrate } from '../../../firmware/state/migrate.ts';
import { STATE_MIGRATIONS } from '../../../firmware/state/migrations.ts';
import { Device } from '../../../firmware/state/schemas.ts';
import { InvalidInputError } from '../../../firmware/state/values.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();
const now = () => new Date('2026-03-02T08:45:00.000Z');
const MAC = '3c:22:fb:01:a2:9e';

describe('device owner', () => {
  it('is stored trimmed, beside schoolOwned, and may be cleared', () => {
    const state = StateDatabase.open(':memory:', { now });
    state.devices.upsertSeen(MAC, 'staff', now());
    const owned = state.devices.update(MAC, { owner: '  Mrs Patel (Year 4) ', schoolOwned: true });
    expect(owned).toMatchObject({ owner: 'Mrs Patel (Year 4)', schoolOwned: true });
    expect(Value.Check(Device, owned)).toBe(true);
    expect(state.devices.update(MAC, { owner: '' }).owner).toBe('');
    state.close();
  });

  it('refuses more than 80 characters and control characters, keeping what was stored', () => {
    const state = StateDatabase.open(':memory:', { now });
    state.devices.upsertSeen(MAC, 'staff', now());
    state.devices.update(MAC, { owner: 'Class 3' });
    expect(() => state.devices.update(MAC, { owner: 'x'.repeat(81) })).toThrow(/at most 80/);
    expect(() => state.devices.update(MAC, { owner: 'Class\n4' })).toThrow(InvalidInputError);
    expect(() => state.devices.update(MAC, { owner: 'Class\t4' })).toThrow(/one line of text/);
    expect(state.devices.update(MAC, { owner: `  ${'y'.repeat(80)}  ` }).owner).toBe('y'.repeat(80));
    expect(state.devices.get(MAC)?.owner).toBe('y'.repeat(80));
    state.close();
  });

  it('migration 13 makes owners stored before it fit, and the database refuses a writer that ignores the rule', () => {
    const file = join(tempDir(), 'state.db');
    const old = new DatabaseSync(file);
    migrate(old, STATE_MIGRATIONS.slice(0, 12), { databaseName: 'state.db', now });
    const insert = old.prepare('INSERT INTO devices (mac, network_id, first_seen, last_seen, owner) VALUES (?, ?, ?, ?, ?)');
    const seen = now().toISOString();
    insert.run('02:00:00:00:00:01', 'staff', seen, seen, `  Long\tname ${'z'.repeat(110)}`);
    insert.run('02:00:00:00:00:02', 'staff', seen, seen, 'Office\r\nlaptop ');
    insert.run('02:00:00:00:00:03', 'staff', seen, seen, 'school');
    old.close();

    const state = StateDatabase.open(file, { now });
    const devices = state.devices.list();
    for (const d of devices) expect(Value.Check(Device, d)).toBe(true);
    const owner = (mac: string) => devices.find((d) => d.mac === mac)?.owner;
    expect(owner('02:00:00:00:00:01')).toBe(`Long name ${'z'.repeat(70)}`);
    expect(owner('02:00:00:00:00:02')).toBe('Office laptop');
    expect(owner('02:00:00:00:00:03')).toBe('school');
    state.close();

    const db = new DatabaseSync(file);
    expect(() => db.prepare('UPDATE devices SET owner = ? WHERE mac = ?').run('a'.repeat(81), '02:00:00:00:00:03')).toThrow(/at most 80/);
    expect(() => db.prepare('UPDATE devices SET owner = ? WHERE mac = ?').run('a\nb', '02:00:00:00:00:03')).toThrow(/one line/);
    expect(() => db.prepare('INSERT INTO devices (mac, network_id, first_seen, last_seen, owner) VALUES (?, ?, ?, ?, ?)').run('02:00:00:00:00:04', 'staff', seen, seen, 'a\u0000b')).toThrow(/one line/);
    db.prepare('UPDATE devices SET owner = ? WHERE mac = ?').run('Year 5', '02:00:00:00:00:03');
    db.close();
  });
});
