// Exports by device, visitor and date range from seeded records: what each holds, sealed with the
// audit head, recorded in the audit log with the content's hash, and refused when asked wrongly.
import { afterEach, describe, expect, it } from 'vitest';
import { openExport } from '../../../../firmware/monitor/reports/export-seal.ts';
import { exportRecords, type RecordsExportDeps } from '../../../../firmware/monitor/reports/records-export.ts';
import { NotFoundError, InvalidInputError } from '../../../../firmware/state/values.ts';
import { useTempDir } from '../../state/temp-dir.ts';
import { CONFIG, GUEST, NAMES, NOW, PUPIL_A, seedSchool, type Seeded } from './seed.ts';

const tempDir = useTempDir();
let seeded: Seeded | undefined;
afterEach(async () => { await seeded?.close(); seeded = undefined; });

const deps = (s: Seeded): RecordsExportDeps => ({ config: () => CONFIG, state: s.state, queryLog: s.queryLog, now: () => NOW });
const csvRecords = (csv: string): string[] => csv.trim().split('\r\n').slice(1).map((line) => line.split(',')[0]!);

describe('exports of records', () => {
  it('exports one device: its alerts, network events, block-page reports and daily totals, sealed and audited', async () => {
    seeded = await seedSchool(tempDir());
    const file = await exportRecords(deps(seeded), { subject: { kind: 'device', mac: PUPIL_A.toUpperCase() }, from: '2026-11-20', to: '2026-12-07' }, 'account:dsl');
    expect(file.fileName).toBe('device-02-5c-00-20-00-10-2026-11-20-to-2026-12-07.csv.sgexport');
    const opened = openExport(Buffer.from(file.bodyBase64, 'base64'));
    const csv = opened.body.toString('utf8');
    const kinds = csvRecords(csv);
    // One alert in the span (the one 60 days ago is not), one site report, its daily totals; no other device's rows.
    expect(kinds.filter((k) => k === 'alert')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'site-report')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'daily-total').length).toBeGreaterThan(0);
    expect(csv).not.toContain(GUEST);
    expect(opened.header).toMatchObject({ exportedBy: 'account:dsl', auditHead: { verified: true, seq: 1 } });
    const entry = seeded.state.audit.list({ action: 'report.export' })[0]!;
    expect(entry).toMatchObject({ actor: 'account:dsl', subject: PUPIL_A, details: { kind: 'device', encrypted: false, contentSha256: opened.header.contentSha256, sealedAtSeq: 1 } });
  });

  it('exports one visitor: their voucher session and only what their device did while signed in, encrypted', async () => {
    seeded = await seedSchool(tempDir());
    const file = await exportRecords(deps(seeded), { subject: { kind: 'visitor', name: NAMES.visitor.toLowerCase() }, format: 'json', passphrase: 'visitor records passphrase' }, 'account:dsl');
    expect(file.encrypted).toBe(true);
    expect(() => openExport(Buffer.from(file.bodyBase64, 'base64'), 'not the passphrase')).toThrow(/passphrase is wrong/);
    const doc = JSON.parse(openExport(Buffer.from(file.bodyBase64, 'base64'), 'visitor records passphrase').body.toString('utf8')) as Record<string, unknown[]>;
    expect(doc.voucherSessions).toEqual([expect.objectContaining({ mac: GUEST, visitorLabel: `visitor ${NAMES.visitor} (${NAMES.organisation}), sponsored by ${NAMES.sponsor}` })]);
    expect(doc.alerts).toHaveLength(1);
    // The guest device's questions outside 09:00–17:00 of that day are not the visitor's.
    expect(doc.totals!.length).toBeGreaterThan(0);
    for (const t of doc.totals as { period: string }[]) expect(t.period >= '2026-12-03T09:00' && t.period < '2026-12-03T17:00').toBe(true);
    await expect(exportRecords(deps(seeded), { subject: { kind: 'visitor', name: 'Nobody Atall' } }, 'account:dsl')).rejects.toThrow(NotFoundError);
  });

  it('exports a date range of everyone\'s records, and refuses a range without both ends', async () => {
    seeded = await seedSchool(tempDir());
    const file = await exportRecords(deps(seeded), { subject: { kind: 'range' }, from: '2026-12-01', to: '2026-12-06' }, 'ssh:tech');
    const kinds = csvRecords(openExport(Buffer.from(file.bodyBase64, 'base64')).body.toString('utf8'));
    expect(new Set(kinds)).toEqual(new Set(['alert', 'network-event', 'voucher-session', 'site-report', 'daily-total']));
    expect(kinds.filter((k) => k === 'alert')).toHaveLength(4);
    await expect(exportRecords(deps(seeded), { subject: { kind: 'range' }, from: '2026-12-01' }, 'ssh:tech')).rejects.toThrow(InvalidInputError);
    await expect(exportRecords(deps(seeded), { subject: { kind: 'device', mac: PUPIL_A }, passphrase: 'short' }, 'ssh:tech')).rejects.toThrow(/at least 10/);
    // A refused export records nothing.
    expect(seeded.state.audit.list({ action: 'report.export' })).toHaveLength(1);
  });
});
