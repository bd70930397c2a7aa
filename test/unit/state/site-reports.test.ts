// state.db's site reports and access requests: what is stored is what is read back, a bad value
// is refused whole, and a restricted report never keeps a name.
import { afterEach, describe, expect, it } from 'vitest';
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
