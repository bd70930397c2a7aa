// Investigations' record in state.db: facts folded into the view (status from the facts, or from
// the time when an expiry is not recorded yet), a fact contradicting the record refused, and
// migration 18 on a database of the previous version, its triggers refusing updates and deletes.
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../firmware/state/migrate.ts';
import { STATE_MIGRATIONS } from '../../../firmware/state/migrations.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { InvestigationStateError } from '../../../firmware/state/investigations.ts';
import { NotFoundError } from '../../../firmware/state/values.ts';
import { useTempDir } from './temp-dir.ts';

const AT = new Date('2026-12-07T09:00:00.000Z');
const later = (hours: number) => new Date(AT.getTime() + hours * 3_600_000);
const names = { deviceName: (mac: string) => (mac === 'aa:00:00:00:06:01' ? 'Y6 iPad 1' : null), policyName: (id: string) => (id === 'open' ? 'Investigation' : undefined) };
const request = {
  fields: {
    proposal: { kind: 'investigation' as const, incidentId: 1, device: 'aa:00:00:00:06:01', policy: 'open', until: later(48).toISOString() },
    rationale: 'A safeguarding concern to look into', riskNote: 'one device, two days, illegal content still blocked',
  },
  title: 'Investigate', summary: ['line'], needsHead: false, requestedByHead: false,
};
const started = { incidentId: 1, device: 'aa:00:00:00:06:01', policy: 'open', from: AT.toISOString(), until: later(48).toISOString(), requestedBy: 'account:osl', approvedBy: ['account:head', 'account:dsl'] };

describe('InvestigationRepository', () => {
  it('folds the facts: in force, then ended with its evidence; refuses a second start, a second end, facts for no investigation', () => {
    const state = StateDatabase.open(':memory:');
    try {
      const id = state.changes.create(request, 'account:osl', AT).id;
      expect(() => state.investigations.record(id, 'evidence', { attachmentId: 1, upTo: AT.toISOString(), lookups: 0, sha256: 'a'.repeat(64) }, 'system', AT)).toThrow(NotFoundError);
      state.investigations.record(id, 'started', started, 'account:tech', AT);
      expect(() => state.investigations.record(id, 'started', started, 'account:tech', AT)).toThrow(InvestigationStateError);
      expect(state.investigations.get(id, later(1), names)).toMatchObject({
        id, requestId: id, status: 'in-force', deviceName: 'Y6 iPad 1', policyName: 'Investigation', endedAt: null, endedBy: null, evidence: [],
      });
      // Past its time with no expiry recorded (the daemon was off): expired all the same.
      expect(state.investigations.get(id, later(49), names)).toMatchObject({ status: 'expired', endedAt: later(48).toISOString(), endedBy: 'system' });
      state.investigations.record(id, 'ended', { note: null }, 'account:head', later(2));
      expect(() => state.investigations.record(id, 'expired', {}, 'system', later(48))).toThrow(/already been ended/);
      state.investigations.record(id, 'evidence', { attachmentId: 7, upTo: later(2).toISOString(), lookups: 12, sha256: 'b'.repeat(64) }, 'system', later(2));
      const view = state.investigations.get(id, later(3), names);
      expect(view).toMatchObject({ status: 'ended', endedAt: later(2).toISOString(), endedBy: 'account:head' });
      expect(view.evidence).toEqual([{ attachmentId: 7, at: later(2).toISOString(), upTo: later(2).toISOString(), lookups: 12, sha256: 'b'.repeat(64), by: 'system' }]);
      expect(state.investigations.list(later(3), names, { status: 'in-force' })).toEqual([]);
      expect(state.investigations.list(later(3), names, { incidentId: 1 }).map((i) => i.id)).toEqual([id]);
      expect(() => state.investigations.get(99, AT, names)).toThrow(NotFoundError);
    } finally {
      state.close();
    }
  });
});

describe('migration 18', () => {
  const dir = useTempDir();

  it('adds the table to a database of version 18; its triggers refuse updates and deletes', () => {
    const file = `${dir()}/state.db`;
    const old = new DatabaseSync(file);
    migrate(old, STATE_MIGRATIONS.slice(0, 18), { databaseName: 'state.db', now: () => AT });
    old.close();
    const state = StateDatabase.open(file);
    expect(state.schemaVersion).toBe(STATE_MIGRATIONS.length);
    const id = state.changes.create(request, 'account:osl', AT).id;
    state.investigations.record(id, 'started', started, 'account:tech', AT);
    state.close();
    const raw = new DatabaseSync(file);
    try {
      expect(() => raw.exec("UPDATE investigation_events SET by = 'someone else'")).toThrow('investigation records are append-only: a fact cannot be changed');
      expect(() => raw.exec('DELETE FROM investigation_events')).toThrow('investigation records are append-only: nothing is deleted');
      expect(() => raw.exec(`INSERT INTO investigation_events (investigation_id, kind, at, by, body) VALUES (${id}, 'started', 'x', 'y', '{}')`)).toThrow(/UNIQUE/);
      expect(() => raw.exec(`INSERT INTO investigation_events (investigation_id, kind, at, by, body) VALUES (${id}, 'paused', 'x', 'y', '{}')`)).toThrow(/CHECK constraint/);
    } finally {
      raw.close();
    }
  });
});
