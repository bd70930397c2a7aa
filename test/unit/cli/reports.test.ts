// `schoolgate reports` on a terminal: every report and request in a row, a restricted report
// without its name, and text from the network quoted so it cannot move the cursor or forge a row.
import { describe, expect, it } from 'vitest';
import { formatReports } from '../../../firmware/cli/commands/reports.ts';

describe('formatReports', () => {
  it('lists reports and requests, hiding a restricted entry and quoting text from the network', () => {
    const out = formatReports({
      reports: [
        { id: 2, at: '2026-12-07T09:05:00.000Z', blockedAt: '2026-12-07T09:04:00.000Z', networkId: 'pupil', mac: null, address: '10.20.0.7', name: null, category: null, verdict: 'restricted', kind: 'should-not-be-blocked', comment: '', status: 'open' },
        { id: 1, at: '2026-12-07T09:00:00.000Z', blockedAt: '2026-12-07T08:59:00.000Z', networkId: 'pupil', mac: '02:5c:00:20:00:10', address: '10.20.0.10', name: 'chat.social.test', category: 'social', verdict: 'blocked', kind: 'should-be-blocked', comment: 'line one\n\u001b[2Jline two', status: 'open' },
      ],
      requests: [
        { id: 2, at: '2026-12-07T10:05:00.000Z', networkId: 'staff', mac: null, address: '10.10.0.6', name: 'quiz.test', category: 'gaming', reason: 'maths', status: 'granted', changeRequest: 7, decidedBy: 'account:sam', decidedAt: '2026-12-07T11:00:00.000Z' },
        { id: 1, at: '2026-12-07T10:00:00.000Z', networkId: 'staff', mac: null, address: '10.10.0.5', name: 'games.test', category: 'gaming', reason: 'lesson', status: 'open', changeRequest: null, decidedBy: null, decidedAt: null },
      ],
    });
    expect(out).toContain('Site reports (2, newest first):');
    expect(out).toMatch(/2 +2026-12-07 09:05:00 +pupil +10\.20\.0\.7 +\(restricted list\) +- +should not be blocked +open +-/);
    expect(out).toContain('"line one\\n\\u001b[2Jline two"');
    expect(out).not.toContain('\u001b');
    expect(out).toMatch(/1 +2026-12-07 10:00:00 +staff +10\.10\.0\.5 +"games\.test" +gaming +open +"lesson"/);
    expect(out).toMatch(/2 +2026-12-07 10:05:00 +staff +10\.10\.0\.6 +"quiz\.test" +gaming +granted \(change request 7\) +"maths"/);
    expect(formatReports({ reports: [], requests: [] })).toBe('No site reports.\n\nNo access requests.\n');
  });
});
