// The sponsor told at once by e-mail through the alerts' SMTP settings, received by a real SMTP
// server on 127.0.0.1: what the visitor typed is inert in it, and nothing is sent to a sponsor
// without an address or when e-mail is not set up.
import { afterEach, expect, test } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { sponsorEmail, sponsorNotifier } from '../../../firmware/portal/registration/notify.ts';
import type { VisitorRequest } from '../../../firmware/portal/registration/schema.ts';
import type { AccountRow } from '../../../firmware/state/accounts.ts';
import { startSmtp } from '../monitor/alerts/delivery/servers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

const REQUEST: VisitorRequest = {
  id: 7, mac: '02:00:00:00:00:01', address: '10.30.0.100', networkId: 'guest', created: '2026-12-07T09:05:00.000Z', state: 'pending',
  decidedAt: null, decidedBy: null, reason: null, voucherId: null,
  visitor: { id: 3, name: 'Ada Supply', organisation: 'evil.example', purpose: 'see https://evil.example/x', email: null, phone: null,
    sponsorAccount: 'amy', sponsorName: 'Amy Teacher', termsVersion: 'builtin-1', termsAcceptedAt: '2026-12-07T09:05:00.000Z', created: '2026-12-07T09:05:00.000Z' },
};
const amy = { id: 1, username: 'amy', displayName: 'Amy Teacher', email: 'amy@school.example' } as AccountRow;

test('the message names the visitor and the school, and makes the visitor\'s words inert', () => {
  const m = sponsorEmail(REQUEST, { name: 'Hillside Primary', timezone: 'Europe/London' });
  expect(m.subject).toBe('Ada Supply is waiting for you to approve their guest Wi-Fi');
  expect(m.text).toContain('at Hillside Primary at 09:05');
  expect(m.text).not.toContain('evil.example');
  expect(m.text).toContain('evil[.]example');
});

test('sent through alerts.email to the sponsor\'s address; none without an address or without e-mail set up', async () => {
  const smtp = await startSmtp();
  cleanups.push(smtp.close);
  const base = defaultConfig();
  const config: { current: Config } = { current: { ...base, alerts: { contacts: [], email: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'gateway@school.example' } } } };
  const notify = sponsorNotifier({ config, dataDir: '/nonexistent', logger: silentLogger() });
  await notify(amy, REQUEST);
  expect(smtp.received).toHaveLength(1);
  expect(smtp.received[0]!.to).toEqual(['amy@school.example']);
  expect(smtp.received[0]!.body).toContain('Ada Supply registered on the guest Wi-Fi');
  expect(notify({ ...amy, email: null }, REQUEST)).toBeUndefined();
  config.current = base;
  expect(notify(amy, REQUEST)).toBeUndefined();
  expect(smtp.received).toHaveLength(1);
});
