// Change requests in state.db: a request and its steps stored and folded, the rules checked inside
// the transaction (a refused step writes nothing), bad input refused before anything is written,
// the tables append-only for any writer, and migration 17 on a database of the previous version.
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { ChangeStateError } from '../../../firmware/control/changes/change-rules.ts';
import { migrate } from '../../../firmware/state/migrate.ts';
import { STATE_MIGRATIONS } from '../../../firmware/state/migrations.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { InvalidInputError, NotFoundError } from '../../../firmware/state/values.ts';
import { useTempDir } from './temp-dir.ts';

const AT = new Date('2026-12-07T09:00:00Z');
const later = (minutes: number) => new Date(AT.getTime() + minutes * 60_000);
const fields = {
  proposal: { kind: 'exception' as const, domain: 'www.youtube.com', action: 'allow' as const, networks: ['staff', 'pupil'] },
  rationale: 'Year 6 history topic videos', riskNote: 'comments are off in restricted mode; two weeks only',
};
const request = { fields, title: 'Allow www.youtube.com on Staff, Pupils', summary: ['line one'], needsHead: true, requestedByHead: false };

describe('ChangeRequestRepository', () => {
  it('stores a request and its steps, folded, and lists them with their titles', () => {
    const state = StateDatabase.open(':memory:');
    try {
      const made = state.changes.create(request, 'account:sam', AT);
      expect(made).toMatchObject({ id: 1, status: 'awaiting-approval', needsHead: true, requestedBy: 'account:sam', requestedAt: AT.toISOString(), fromAlert: null, summary: ['line one'] });
      state.changes.append(1, { kind: 'approved', by: 'account:osl', head: false, note: '  fine  ' }, later(30));
      const approved = state.changes.append(1, { kind: 'approved', by: 'account:head', head: true }, later(90));
      expect(approved).toMatchObject({ status: 'approved', decidedAt: later(90).toISOString(), decisionSeconds: 5400 });
      expect(approved.approvals).toEqual([
        { by: 'account:osl', at: later(30).toISOString(), note: 'fine', head: false },
        { by: 'account:head', at: later(90).toISOString(), note: null, head: true },
      ]);
      state.changes.create({ ...request, fields: { ...fields, fromAlert: 4 } }, 'account:kim', later(100));
      expect(state.changes.list().map((s) => [s.id, s.status, s.title, s.approvals])).toEqual([[2, 'awaiting-approval', request.title, 0], [1, 'approved', request.title, 2]]);
      expect(state.changes.list({ requestedBy: 'account:kim' }).map((s) => s.id)).toEqual([2]);
      expect(state.changes.list({ status: 'approved' }).map((s) => s.id)).toEqual([1]);
      expect(state.changes.get(2).fromAlert).toBe(4);
      expect(state.changes.count()).toBe(2);
    } finally {
      state.close();
    }
  });

  it('refuses a step the rules refuse, and bad input, writing nothing', () => {
    const state = StateDatabase.open(':memory:');
    try {
      state.changes.create(request, 'account:sam', AT);
      expect(() => state.changes.append(1, { kind: 'approved', by: 'account:sam', head: false }, AT)).toThrow(ChangeStateError);
      state.changes.append(1, { kind: 'approved', by: 'account:osl', head: false }, AT);
      expect(() => state.changes.append(1, { kind: 'approved', by: 'account:dsl', head: false }, AT)).toThrow('this change reaches pupils: the headteacher must be one of the approvers');
      expect(() => state.changes.append(1, { kind: 'applied', by: 'ssh:tech', head: false }, AT)).toThrow(/1 of the 2 approvals/);
      expect(() => state.changes.append(1, { kind: 'withdrawn', by: 'account:sam', head: false, note: 'x'.repeat(2001) }, AT)).toThrow(InvalidInputError);
      expect(() => state.changes.append(9, { kind: 'withdrawn', by: 'account:sam', head: false }, AT)).toThrow(NotFoundError);
      expect(state.changes.get(1).steps).toHaveLength(1);
      expect(() => state.changes.create({ ...request, fields: { ...fields, rationale: 'short' } }, 'account:sam', AT)).toThrow(InvalidInputError);
      expect(() => state.changes.create({ ...request, fields: { ...fields, proposal: { ...fields.proposal, domain: 'Not A Name!' } } }, 'account:sam', AT)).toThrow(/invalid change request/);
      expect(() => state.changes.create({ ...request, fields: { ...fields, rationale: `${' '.repeat(8)}abc${' '.repeat(8)}` } }, 'account:sam', AT)).toThrow(/at least 10 characters/);
      expect(state.changes.count()).toBe(1);
    } finally {
      state.close();
    }
  });
});

describe('migration 17', () => {
  const dir = useTempDir();

  it('adds the tables to a database of version 16, and their triggers refuse updates and deletes', () => {
    const file = `${dir()}/state.db`;
    const old = new DatabaseSync(file);
    migrate(old, STATE_MIGRATIONS.slice(0, 16), { databaseName: 'state.db', now: () => AT });
    expect(Number(old.prepare('PRAGMA user_version').get()?.user_version)).toBe(16);
    old.close();
    const state = StateDatabase.open(file);
    expect(state.schemaVersion).toBe(STATE_MIGRATIONS.length);
    state.changes.create(request, 'account:sam', AT);
    state.changes.append(1, { kind: 'withdrawn', by: 'account:sam', head: false }, AT);
    state.close();
    const raw = new DatabaseSync(file);
    try {
      expect(() => raw.exec("UPDATE change_requests SET rationale = 'something else entirely'")).toThrow('change requests are append-only');
      expect(() => raw.exec('DELETE FROM change_requests')).toThrow('change requests are append-only: nothing is deleted');
      expect(() => raw.exec("UPDATE change_steps SET kind = 'approved'")).toThrow('change request steps are append-only');
      expect(() => raw.exec('DELETE FROM change_steps')).toThrow('change request steps are append-only: nothing is deleted');
      expect(() => raw.exec("INSERT INTO change_steps (request_id, kind, by, at) VALUES (1, 'rubber-stamped', 'x', 'y')")).toThrow(/CHECK constraint/);
    } finally {
      raw.close();
    }
  });
});
