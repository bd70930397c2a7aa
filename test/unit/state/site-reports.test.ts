// state.db's site reports and access requests: what is stored is what is read back, a bad value
// is refused whole, and a restricted report never keeps a name.
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../../firmware/state/migrate.ts';
import { STATE_MIGRATIONS } from '../../../firmware/state/migrations.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { InvalidInputError } from '../../../firmware/state/values.ts';

let db: StateDatabase | undefined;
afterEach(() => db?.close());

const report = {
  at: '2026-12-07T09:00:05.000Z', blockedAt: '2026-12-07T09:00:00.000Z', networkId: 'pupil', mac: '02:5c:00:20:00:10', address: '10.20.0.10',
  name: 'chatter.test', category: 'social', verdict: 'blocked' as const, kind: 'should-not-be-blocked' as const, comment: '',
};

describe('SiteReportRepository', () => {
  it('stores reports and requests, newest first, with status open', () => {
    db = StateDatabase.open(':memory:');
    expect(db.schemaVersion).toBe(STATE_MIGRATIONS.length);
    db.siteReports.addReport(report);
    db.siteReports.addReport({ ...report, at: '2026-12-07T09:01:00.000Z', kind: 'should-be-blocked' });
    expect(db.siteReports.reports().map((r) => [r.id, r.kind, r.status])).toEqual([[2, 'should-be-blocked', 'open'], [1, 'should-not-be-blocked', 'open']]);
    const request = db.siteReports.addRequest({ at: report.at, networkId: 'staff', mac: null, address: '10.10.0.5', name: 'games.test', category: 'gaming', reason: 'lesson' });
    expect(request).toMatchObject({ id: 1, status: 'open', mac: null });
  });

  it('refuses a bad value whole and keeps what was stored', () => {
    db = StateDatabase.open(':memory:');
    db.siteReports.addReport(report);
    expect(() => db!.siteReports.addReport({ ...report, comment: 'x'.repeat(501) })).toThrow(InvalidInputError);
    expect(() => db!.siteReports.addReport({ ...report, mac: 'not-a-mac' })).toThrow(InvalidInputError);
    expect(() => db!.siteReports.addRequest({ at: report.at, networkId: 'staff', mac: null, address: '10.10.0.5', name: 'games.test', category: null, reason: '' })).toThrow(InvalidInputError);
    expect(db.siteReports.reports()).toHaveLength(1);
    expect(db.siteReports.requests()).toEqual([]);
  });

  it('a restricted report never keeps the name, even if a caller passes one', () => {
    db = StateDatabase.open(':memory:');
    expect(db.siteReports.addReport({ ...report, verdict: 'restricted', name: 'secret.test' }).name).toBeNull();
    expect(JSON.stringify(db.siteReports.reports())).not.toContain('secret');
  });
});

describe('access request outcomes (migration 18)', () => {
  const ask = { at: report.at, networkId: 'staff', mac: null, address: '10.10.0.5', name: 'games.test', category: 'gaming', reason: 'lesson' };

  it('keeps the requests of a version 17 file, open, and adds the outcome columns', () => {
    const raw = new DatabaseSync(':memory:');
    migrate(raw, STATE_MIGRATIONS.slice(0, 17), { databaseName: 'state.db', now: () => new Date(report.at) });
    raw.prepare("INSERT INTO access_requests (at, network_id, mac, address, name, category, reason) VALUES (?, 'staff', NULL, '10.10.0.5', 'old.test', NULL, 'before')").run(report.at);
    migrate(raw, STATE_MIGRATIONS, { databaseName: 'state.db', now: () => new Date(report.at) });
    const row = raw.prepare('SELECT * FROM access_requests').get();
    expect(row).toMatchObject({ id: 1, name: 'old.test', status: 'open', change_request: null, decided_by: null, decided_at: null });
    // An outcome without its time, or a dismissal without who, is refused by the table itself.
    expect(() => raw.prepare("UPDATE access_requests SET status = 'dismissed', decided_at = ? WHERE id = 1").run(report.at)).toThrow(/CHECK/);
    expect(() => raw.prepare("UPDATE access_requests SET status = 'granted' WHERE id = 1").run()).toThrow(/CHECK/);
    raw.close();
  });

  it('lists open ones oldest first; dismissing, linking and deciding act on open ones only', () => {
    db = StateDatabase.open(':memory:');
    const a = db.siteReports.addRequest(ask);
    const b = db.siteReports.addRequest({ ...ask, name: 'other.test' });
    expect(db.siteReports.openRequests().map((r) => r.id)).toEqual([a.id, b.id]);
    expect(db.siteReports.dismissRequest(a.id, 'account:sam', '2026-12-07T10:00:00.000Z')).toMatchObject({ status: 'dismissed', decidedBy: 'account:sam', decidedAt: '2026-12-07T10:00:00.000Z' });
    expect(() => db!.siteReports.dismissRequest(a.id, 'account:jo', '2026-12-07T10:01:00.000Z')).toThrow(/no longer open: it was dismissed by account:sam/);
    expect(() => db!.siteReports.linkRequest(a.id, 1)).toThrow(InvalidInputError);
    db.changes.create({ fields: { proposal: { kind: 'exception', domain: 'other.test', action: 'allow', networks: ['staff'] }, rationale: 'for the lesson', riskNote: 'staff only, supervised' }, title: 't', summary: [], needsHead: false, requestedByHead: false }, 'account:jo', new Date(report.at));
    expect(db.siteReports.linkRequest(b.id, 1)).toMatchObject({ changeRequest: 1, status: 'open' });
    expect(db.siteReports.decideByChange(2, 'granted', 'account:sam', '2026-12-07T11:00:00.000Z')).toEqual([]);
    expect(db.siteReports.decideByChange(1, 'granted', 'account:sam', '2026-12-07T11:00:00.000Z').map((r) => [r.id, r.status])).toEqual([[b.id, 'granted']]);
    expect(db.siteReports.openRequests()).toEqual([]);
    expect(() => db!.siteReports.request(99)).toThrow(/no access request 99/);
  });
});
