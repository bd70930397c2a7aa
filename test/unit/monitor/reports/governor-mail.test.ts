// The governor report by e-mail to a real SMTP server on loopback (the smtp-server package): to
// every active account holding reports.anonymised with an address and the listed ones, as HTML
// with a text part, naming no pupil; each sending recorded in the audit log.
import { afterEach, describe, expect, it } from 'vitest';
import { governorRecipients, sendGovernorReport } from '../../../../firmware/monitor/reports/governor-mail.ts';
import { governorReport } from '../../../../firmware/monitor/reports/governor-report.ts';
import type { Role } from '../../../../firmware/admin/roles.ts';
import { useTempDir } from '../../state/temp-dir.ts';
import { header, startSmtp } from '../alerts/delivery/servers.ts';
import { CONFIG, GUEST, NAMES, NOW, PUPIL_A, PUPIL_B, seedSchool, type Seeded } from './seed.ts';

const tempDir = useTempDir();
let seeded: Seeded | undefined;
const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  await seeded?.close();
  seeded = undefined;
  for (const close of closing.splice(0)) await close();
});

function addAccount(s: Seeded, username: string, roles: Role[], email: string | null, disabled = false): void {
  const account = s.state.accounts.insert({ username, displayName: username, email, passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles, createdAt: NOW.toISOString() });
  if (disabled) s.state.accounts.update(account.id, { disabled: true });
}

describe('the governor report by e-mail', () => {
  it('goes to the role holders with an address and the listed addresses, once each, as HTML naming no pupil, and is audited', async () => {
    seeded = await seedSchool(tempDir());
    const s = seeded;
    addAccount(s, 'chair.governor', ['governor'], 'Chair@Governors.example');
    addAccount(s, 'jo.head', ['headteacher', 'dsl'], 'head@school.example');
    addAccount(s, 'class.teacher', ['staff'], 'teacher@school.example');
    addAccount(s, 'old.governor', ['governor'], 'old@governors.example', true);
    addAccount(s, 'new.governor', ['governor'], null);
    const recipients = governorRecipients(s.state.accounts.list(), { schedule: 'monthly', recipients: ['trust.reviewer@trust.example', 'chair@governors.example'] });
    expect(recipients.sort()).toEqual(['chair@governors.example', 'head@school.example', 'trust.reviewer@trust.example']);

    const smtp = await startSmtp();
    closing.push(smtp.close);
    const report = await governorReport({ config: () => CONFIG, queryLog: s.queryLog, alerts: s.state.alerts, selftest: s.state.selftest, visitors: s.state.vouchers, now: () => NOW }, { from: '2026-11-01', to: '2026-11-30' });
    const result = await sendGovernorReport({
      email: () => ({ host: '127.0.0.1', port: smtp.port, security: 'none', from: 'gateway@school.example' }), dataDir: tempDir(), audit: s.state.audit,
    }, report, recipients, 'system:governor-report');
    expect(result.failed).toEqual([]);
    expect(result.sent.sort()).toEqual(recipients.sort());
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(recipients.sort());
    const mail = smtp.received[0]!;
    expect(header(mail.headers, 'subject')).toBe('Hartfield Primary: filtering and monitoring report, 2026-11-01 to 2026-11-30');
    expect(mail.body).toMatch(/text\/html/);
    expect(mail.body).toContain('Not recorded yet');
    for (const personal of [PUPIL_A, PUPIL_B, GUEST, NAMES.visitor, NAMES.deviceA, NAMES.ownerA]) expect(mail.body).not.toContain(personal);
    expect(s.state.audit.list({ action: 'report.governor.send' })).toEqual([expect.objectContaining({
      actor: 'system:governor-report', details: expect.objectContaining({ from: '2026-11-01', to: '2026-11-30', recipients: 3 }),
    })]);
  });

  it('records a sending that could not go (no relay configured) with why, and sends nothing', async () => {
    seeded = await seedSchool(tempDir());
    const s = seeded;
    const report = await governorReport({ config: () => CONFIG, queryLog: s.queryLog, alerts: s.state.alerts, selftest: s.state.selftest, visitors: s.state.vouchers, now: () => NOW }, {});
    const result = await sendGovernorReport({ email: () => undefined, dataDir: tempDir(), audit: s.state.audit }, report, ['chair@governors.example'], 'ssh:tech');
    expect(result).toMatchObject({ relay: false, sent: [], failed: [{ to: 'chair@governors.example', error: expect.stringMatching(/no e-mail relay/) }] });
    expect(s.state.audit.list({ action: 'report.governor.send' })[0]?.details).toMatchObject({ sent: [], failed: [{ to: 'chair@governors.example' }] });
  });
});
