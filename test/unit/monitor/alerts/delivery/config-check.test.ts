import { describe, expect, it } from 'vitest';
import type { Alerts } from '../../../../../firmware/config/alerts-schema.ts';
import { defaultConfig } from '../../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../../firmware/config/schema.ts';
import { validateConfig } from '../../../../../firmware/config/validate.ts';
import { alertsConfigWarnings } from '../../../../../firmware/monitor/alerts/delivery/config-check.ts';

const withAlerts = (alerts: Alerts): Config => ({ ...(JSON.parse(JSON.stringify(defaultConfig())) as Config), alerts });

const contacts: Alerts['contacts'] = [
  { name: 'Ms Khan', role: 'dsl', email: 'dsl@school.example' },
  { name: 'Mr Jones', role: 'headteacher' },
];
const email = { host: 'smtp.school.example', security: 'starttls', username: 'gateway', passwordFile: 'smtp-password', from: 'gateway@school.example' } as const;

function issues(alerts: Alerts): { path: string; message: string }[] {
  const result = validateConfig(withAlerts(alerts));
  return result.ok ? [] : result.issues;
}

describe('the alert delivery configuration checks', () => {
  it('accepts SMTP with STARTTLS, plain SMTP to loopback, and an https or loopback http webhook', () => {
    expect(issues({ contacts, email, webhook: { url: 'https://hooks.trust.example/schoolgate', secretFile: '/etc/schoolgate/webhook.key' } })).toEqual([]);
    expect(issues({ contacts, email: { host: '127.0.0.1', port: 2525, security: 'none', from: 'gateway@school.example' } })).toEqual([]);
    expect(issues({ contacts, email: { host: '::1', security: 'none', from: 'gateway@school.example' }, webhook: { url: 'http://[::1]:8080/hook', secretFile: 'k' } })).toEqual([]);
    expect(issues({ contacts, webhook: { url: 'http://localhost:8080/hook', secretFile: 'k' } })).toEqual([]);
  });

  it('refuses plain SMTP to anything but loopback', () => {
    expect(issues({ contacts, email: { ...email, security: 'none' } })).toEqual([
      { path: '/alerts/email/security', message: expect.stringMatching(/only allowed to a relay on this box.*not smtp\.school\.example/) },
    ]);
    expect(issues({ contacts, email: { host: '10.0.0.25', security: 'none', from: 'gateway@school.example' } }).map((i) => i.path)).toEqual(['/alerts/email/security']);
  });

  it('needs a username and a password file together', () => {
    const { passwordFile: _p, ...noPassword } = email;
    expect(issues({ contacts, email: noPassword })).toEqual([{ path: '/alerts/email/passwordFile', message: expect.stringMatching(/username needs a passwordFile/) }]);
    const { username: _u, ...noUser } = email;
    expect(issues({ contacts, email: noUser })).toEqual([{ path: '/alerts/email/username', message: expect.stringMatching(/needs the username/) }]);
  });

  it('refuses a webhook over http beyond loopback, and one with credentials in its URL', () => {
    expect(issues({ contacts, webhook: { url: 'http://hooks.trust.example/x', secretFile: 'k' } })).toEqual([
      { path: '/alerts/webhook/url', message: expect.stringMatching(/http is only allowed to a loopback address.*use https/) },
    ]);
    expect(issues({ contacts, webhook: { url: 'https://user:pw@hooks.trust.example/x', secretFile: 'k' } }).map((i) => i.path)).toEqual(['/alerts/webhook/url']);
  });

  it('warns when the first contact has no e-mail address, or no one has', () => {
    expect(alertsConfigWarnings({ contacts, email })).toEqual([]);
    expect(alertsConfigWarnings({ contacts: [...contacts].reverse(), email })).toEqual([
      { path: '/alerts/contacts/0/email', message: expect.stringMatching(/first contact \(Mr Jones\).*has no e-mail address/) },
    ]);
    expect(alertsConfigWarnings({ contacts: [contacts[1]!], email }).map((w) => w.path)).toEqual(['/alerts/contacts']);
    // Webhook only: contacts without e-mail are expected.
    expect(alertsConfigWarnings({ contacts: [contacts[1]!], webhook: { url: 'https://h.example/x', secretFile: 'k' } })).toEqual([]);
  });

  it('warns about a port that speaks the other kind of TLS', () => {
    expect(alertsConfigWarnings({ contacts, email: { ...email, security: 'tls', port: 587 } }).map((w) => w.path)).toEqual(['/alerts/email/port']);
    expect(alertsConfigWarnings({ contacts, email: { ...email, port: 465 } }).map((w) => w.path)).toEqual(['/alerts/email/port']);
  });
});
