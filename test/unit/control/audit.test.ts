import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import { Value } from 'typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditEntry, GENESIS_HASH, nextRecord, verifyEntries } from '../../../firmware/control/audit-chain.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { InvalidInputError } from '../../../firmware/state/values.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'schoolgate-audit-'));
  dirs.push(dir);
  return join(dir, 'state.db');
}

function ticking(): () => Date {
  let t = Date.parse('2026-03-02T08:45:00.000Z');
  return () => new Date((t += 1000));
}

/** A log of n entries in a file, closed, ready for an "attacker" to open directly. */
function logOf(n: number): string {
  const file = stateFile();
  const state = StateDatabase.open(file, { now: ticking() });
  for (let i = 1; i <= n; i += 1) {
    state.audit.append({ actor: i % 2 ? 'head' : 'ssh:tech', action: 'device.suspend', subject: `02:00:00:00:00:0${i}`, details: { i, reason: 'test' } });
  }
  state.close();
  return file;
}

/** What someone with the file (and the sqlite3 shell) could do: drop the guards, then edit. */
function tamper(file: string, sql: string): void {
  const raw = new DatabaseSync(file);
  raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_append_only');
  raw.exec(sql);
  raw.close();
}

function verdictOf(file: string): ReturnType<StateDatabase['audit']['verify']> {
  const state = StateDatabase.open(file);
  try {
    return state.audit.verify();
  } finally {
    state.close();
  }
}

describe('AuditLog.append', () => {
  it('chains entries from 64 zeros, each linked to the one before', () => {
    let now = new Date('2026-03-02T08:45:01.000Z');
    const state = StateDatabase.open(':memory:', { now: () => now });
    const first = state.audit.append({ actor: 'ssh:tech', action: 'config.update', details: { path: '/dns/upstreams' } });
    now = new Date('2026-03-02T08:45:02.000Z');
    const second = state.audit.append({ actor: 'head', action: 'change.approve', subject: 'proposal-12' });
    expect(first).toMatchObject({ seq: 1, at: '2026-03-02T08:45:01.000Z', subject: null, prevHash: GENESIS_HASH, details: { path: '/dns/upstreams' } });
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash, subject: 'proposal-12', details: null });
    expect(Value.Check(AuditEntry, first)).toBe(true);
    expect(state.audit.verify()).toEqual({ ok: true, entries: 2, head: second.hash });
    expect(state.audit.count()).toBe(2);
  });

  it('verifies an empty log', () => {
    const state = StateDatabase.open(':memory:');
    expect(state.audit.verify()).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
  });

  it.each([
    ['an empty actor', { actor: '', action: 'a.b' }, /invalid audit actor/],
    ['a control character in the actor', { actor: 'x\nFAKE ENTRY', action: 'a.b' }, /invalid audit actor/],
    ['an action that is not a dotted verb', { actor: 'a', action: 'suspend' }, /invalid audit action/],
    ['an upper-case action', { actor: 'a', action: 'Device.Suspend' }, /invalid audit action/],
    ['an empty subject', { actor: 'a', action: 'a.b', subject: '' }, /invalid audit subject/],
    ['details JSON cannot hold', { actor: 'a', action: 'a.b', details: { n: Number.NaN } }, /audit details for a.b: \$\.n is NaN/],
    ['oversized details', { actor: 'a', action: 'a.b', details: 'x'.repeat(70_000) }, /larger than 65536 bytes/],
  ])('refuses %s and records nothing', (_what, entry, message) => {
    const state = StateDatabase.open(':memory:');
    state.audit.append({ actor: 'a', action: 'a.b' });
    expect(() => state.audit.append(entry)).toThrow(InvalidInputError);
    expect(() => state.audit.append(entry)).toThrow(message);
    expect(state.audit.count()).toBe(1);
    expect(state.audit.verify()).toMatchObject({ ok: true, entries: 1 });
  });
});

describe('AuditLog.list and export', () => {
  function filled(): StateDatabase {
    const state = StateDatabase.open(':memory:', { now: ticking() });
    for (const action of ['auth.login', 'device.suspend', 'device.update', 'config.update', 'device.suspend', 'device-group.update']) {
      state.audit.append({ actor: 'head', action });
    }
    return state;
  }

  it('pages by seq and filters by action or action prefix', () => {
    const state = filled();
    expect(state.audit.list().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(state.audit.list({ after: 2, limit: 2 }).map((e) => e.seq)).toEqual([3, 4]);
    expect(state.audit.list({ action: 'device.suspend' }).map((e) => e.seq)).toEqual([2, 5]);
    expect(state.audit.list({ action: 'device.*' }).map((e) => e.seq)).toEqual([2, 3, 5]);
    expect(state.audit.list({ action: 'device.*', after: 3 }).map((e) => e.seq)).toEqual([5]);
  });

  it('filters by time, from an instant on', () => {
    const state = filled(); // entries a second apart
    const at = state.audit.list().map((e) => Date.parse(e.at));
    const since = (ms: number) => new Date(ms).toISOString();
    expect(state.audit.list({ since: since(at[3]!) }).map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(state.audit.list({ since: since(at[3]! - 500), action: 'device.*' }).map((e) => e.seq)).toEqual([5]);
    expect(state.audit.list({ since: since(at[5]! + 1) })).toEqual([]);
  });

  it.each([
    [{ limit: 0 }, /"limit" must be a whole number from 1 to 1000/],
    [{ limit: 1001 }, /"limit"/],
    [{ after: -1 }, /"after" must be a whole number/],
    [{ action: 'device*' }, /invalid audit action filter/],
    [{ action: '*.*' }, /invalid audit action filter/],
    // Instants are compared as stored text: only the one stored format compares correctly.
    [{ since: '2026-03-02' }, /invalid "since"/],
  ])('refuses list options %j', (options, message) => {
    expect(() => filled().audit.list(options)).toThrow(message);
  });

  it('exports every entry with its hashes, and the exported pack verifies on its own', () => {
    const state = filled();
    const pack = JSON.parse(JSON.stringify([...state.audit.export()])) as AuditEntry[];
    expect(pack).toHaveLength(6);
    expect(pack.every((e) => Value.Check(AuditEntry, e))).toBe(true);
    expect(verifyEntries(pack)).toEqual(state.audit.verify());
    pack[3]!.actor = 'someone else';
    expect(verifyEntries(pack)).toMatchObject({ ok: false, brokenAt: 4 });
  });
});

describe('the triggers', () => {
  it.each([
    ['UPDATE', "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2", /append-only: entries cannot be changed/],
    ['DELETE of one entry', 'DELETE FROM audit_log WHERE seq = 3', /append-only: entries cannot be deleted/],
    ['DELETE of all', 'DELETE FROM audit_log', /append-only: entries cannot be deleted/],
    ['INSERT OR REPLACE over an entry', "INSERT OR REPLACE INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) SELECT seq, at, 'nobody', action, subject, details, prev_hash, hash FROM audit_log WHERE seq = 2", /a new entry must follow the last one/],
    ['an INSERT that skips ahead', "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) VALUES (9, 't', 'a', 'a.b', NULL, 'null', 'x', 'y')", /a new entry must follow the last one/],
    ['an INSERT not linked to the head', "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) VALUES (4, 't', 'a', 'a.b', NULL, 'null', 'x', 'y')", /a new entry must follow the last one/],
  ])('refuse %s through SQL', (_what, sql, message) => {
    const file = logOf(3);
    const raw = new DatabaseSync(file);
    expect(() => raw.exec(sql)).toThrow(message);
    raw.close();
    expect(verdictOf(file)).toMatchObject({ ok: true, entries: 3 });
  });
});

describe('tampering with the file is detected at the right entry', () => {
  it.each([
    ['an actor changed', "UPDATE audit_log SET actor = 'nobody' WHERE seq = 3", 3, /entry 3 has been altered/],
    ['details reworded', `UPDATE audit_log SET details = '{"i":3,"reason":"other"}' WHERE seq = 3`, 3, /entry 3 has been altered/],
    ['details re-spaced only', `UPDATE audit_log SET details = '{"i": 3, "reason": "test"}' WHERE seq = 3`, 3, /entry 3 has been altered/],
    ['a timestamp moved', "UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 5", 5, /entry 5 has been altered/],
    ['a subject removed', 'UPDATE audit_log SET subject = NULL WHERE seq = 1', 1, /entry 1 has been altered/],
    ['the last hash rewritten', `UPDATE audit_log SET hash = '${'a'.repeat(64)}' WHERE seq = 5`, 5, /entry 5 has been altered/],
    ['an entry deleted', 'DELETE FROM audit_log WHERE seq = 2', 2, /entry 2 is missing/],
    ['an entry renumbered', 'UPDATE audit_log SET seq = 99 WHERE seq = 4', 4, /entry 4 is missing or renumbered/],
    ['the first entry unlinked', `UPDATE audit_log SET prev_hash = '${'1'.repeat(64)}' WHERE seq = 1`, 1, /entry 1 does not start the chain/],
  ])('%s', (_what, sql, brokenAt, reason) => {
    const file = logOf(5);
    tamper(file, sql);
    expect(verdictOf(file)).toEqual({ ok: false, brokenAt, reason: expect.stringMatching(reason) });
  });

  it('an entry altered and re-hashed breaks the link from the next one', () => {
    const file = logOf(5);
    const state = StateDatabase.open(file);
    const third = state.audit.list({ after: 2, limit: 1 })[0]!;
    state.close();
    // Recompute entry 3's hash exactly as append would, with the actor changed.
    const forged = nextRecord({ seq: 2, hash: third.prevHash }, { at: third.at, actor: 'nobody', action: third.action, subject: third.subject, details: third.details });
    tamper(file, `UPDATE audit_log SET actor = 'nobody', hash = '${forged.hash}' WHERE seq = 3`);
    expect(verdictOf(file)).toEqual({ ok: false, brokenAt: 4, reason: 'entry 4 does not link to entry 3 (prev_hash differs from that entry\'s hash)' });
  });

  it('refuses to list details that are no longer JSON, pointing at verify', () => {
    const file = logOf(2);
    tamper(file, "UPDATE audit_log SET details = '{not json' WHERE seq = 2");
    const state = StateDatabase.open(file);
    expect(() => state.audit.list()).toThrow(/audit entry 2 holds details that are not JSON: the log has been altered/);
    expect(state.audit.verify()).toMatchObject({ ok: false, brokenAt: 2 });
    state.close();
  });
});

describe('property: the stored chain', () => {
  const COLUMNS = ['at', 'actor', 'action', 'subject', 'details', 'prev_hash', 'hash'] as const;

  it('verifies after any appends, and any single stored field changed breaks at that entry', () => {
    const scenario = fc.record({
      appends: fc.array(fc.record({
        actor: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s)),
        action: fc.constantFrom('config.update', 'device.suspend', 'auth.login'),
        details: fc.jsonValue({ maxDepth: 2 }),
      }), { minLength: 1, maxLength: 8 }),
      pick: fc.nat(),
      column: fc.constantFrom(...COLUMNS),
      junk: fc.string({ minLength: 1, maxLength: 12 }),
    });
    fc.assert(fc.property(scenario, ({ appends, pick, column, junk }) => {
      const file = stateFile();
      const state = StateDatabase.open(file, { now: ticking() });
      for (const entry of appends) state.audit.append(entry);
      expect(state.audit.verify()).toMatchObject({ ok: true, entries: appends.length });
      state.close();

      const seq = (pick % appends.length) + 1;
      const raw = new DatabaseSync(file);
      const before = raw.prepare(`SELECT ${column} AS v FROM audit_log WHERE seq = ?`).get(seq)?.v;
      raw.close();
      const value = `${String(before)}${junk}`; // always differs from what is stored
      tamper(file, `UPDATE audit_log SET ${column} = '${value.replaceAll("'", "''")}' WHERE seq = ${seq}`);
      expect(verdictOf(file)).toMatchObject({ ok: false, brokenAt: seq });
    }), { numRuns: 60 });
  });
});
