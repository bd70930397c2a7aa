// Who hears that an investigation started or ended: the DSL and the head (enabled, with an
// address; never the recovery account), in words that name the investigation, its incident and
// times but never what the device looked up, a device's name made inert; through a mailer that
// records what it was given.
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../../firmware/admin/roles.ts';
import type { AlertContact } from '../../../../firmware/config/alerts-schema.ts';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import type { EmailMessage } from '../../../../firmware/monitor/alerts/delivery/message.ts';
import { InvestigationNotifier, investigationEmail, recipientsOf } from '../../../../firmware/monitor/investigations/investigation-notifier.ts';
import type { Investigation } from '../../../../firmware/monitor/investigations/investigation-schema.ts';
import type { AccountRow } from '../../../../firmware/state/accounts.ts';

const account = (username: string, roles: Role[], over: Partial<AccountRow> = {}): AccountRow => ({
  id: 1, username, displayName: username, email: `${username}@school.example`, passwordHash: 'x', mustChangePassword: false, breakGlass: false, disabled: false,
  totpSecret: null, totpPendingSecret: null, totpLastStep: null, failedAttempts: 0, lockedUntil: null, lastLoginAt: null, createdAt: '2026-12-07T09:00:00.000Z', roles, ...over,
});

const inv: Investigation = {
  id: 12, incidentId: 3, device: 'aa:00:00:00:06:01', deviceName: 'Y6 iPad http://evil.example', policy: 'open', policyName: 'Investigation',
  from: '2026-12-07T09:00:00.000Z', until: '2026-12-09T09:00:00.000Z', endedAt: '2026-12-08T10:00:00.000Z', endedBy: 'account:jo.head', status: 'ended',
  requestId: 12, requestedBy: 'account:osl', approvedBy: ['account:jo.head', 'account:sam.dsl'], evidence: [{ attachmentId: 9, at: '2026-12-08T10:00:00.000Z', upTo: '2026-12-08T10:00:00.000Z', lookups: 40, sha256: 'a'.repeat(64), by: 'account:jo.head' }],
};

describe('investigation notices', () => {
  it('go to the DSL and the head only', () => {
    const accounts = [
      account('dsl', ['dsl']), account('head', ['headteacher']), account('osl', ['online-safety-lead']), account('tech', ['technician']),
      account('gone', ['dsl'], { disabled: true }), account('nomail', ['dsl'], { email: null }), account('glass', ['headteacher'], { breakGlass: true }),
    ];
    expect(recipientsOf(accounts).map((a) => a.username)).toEqual(['dsl', 'head']);
  });

  it('name the investigation, its incident and times, never a lookup; a device name made inert', async () => {
    const message = investigationEmail('ended', inv, { site: 'Test Primary', timezone: 'Europe/London' });
    expect(message.subject).toBe('[Schoolgate] Investigation 12 was ended early (incident 3)');
    expect(message.text).toContain('From Monday 7 December 2026 at 09:00 until Wednesday 9 December 2026 at 09:00');
    expect(message.text).toContain('Ended by: account:jo.head at Tuesday 8 December 2026 at 10:00');
    expect(message.text).not.toContain('http://evil.example');
    const sent: { to: AlertContact[]; message: EmailMessage }[] = [];
    const notifier = new InvestigationNotifier({
      mailer: { sendMessage: async (to, make) => { sent.push({ to: [...to], message: make(to[0]!) }); return to.map((c) => ({ channel: 'email' as const, to: c.name, ok: true })); } },
      accounts: () => [account('dsl', ['dsl']), account('tech', ['technician'])], config: () => defaultConfig(), logger: silentLogger(),
    });
    expect(await notifier.notify('started', { ...inv, status: 'in-force', endedAt: null, endedBy: null })).toBe(1);
    expect(sent.map((s) => [s.to.map((c) => c.email), s.message.subject])).toEqual([[['dsl@school.example'], '[Schoolgate] Investigation 12 has started (incident 3)']]);
    expect(await new InvestigationNotifier({ mailer: null, accounts: () => [], config: () => defaultConfig(), logger: silentLogger() }).notify('started', inv)).toBe(0);
  });
});
