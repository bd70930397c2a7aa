// What the trust's collector is told of an alert and of an audit entry: the facts as params,
// one line of inert text, nothing a device chose left as a link.
import { describe, expect, it } from 'vitest';
import { alertEvent, auditEvent, GatewayEvents, listUpdatedEvent, type GatewayEvent } from '../../../firmware/fleet/gateway-events.ts';
import type { Alert } from '../../../firmware/monitor/alerts/alert-schema.ts';
import type { AuditEntry } from '../../../firmware/control/audit-chain.ts';

const alert: Alert = {
  id: 7, kind: 'dns.category', severity: 'high', firstAt: '2026-12-07T09:14:03.000Z', lastAt: '2026-12-07T09:15:00.000Z', count: 3,
  networkId: 'pupil', mac: '3c:22:fb:01:a2:9e', address: '10.20.0.5', deviceName: 'Year 5 iPad\nhttp://evil.example',
  subject: 'www.tiktok.com', reason: 'social networking, blocked', category: 'social', details: {},
  status: 'open', acknowledgedAt: null, acknowledgedBy: null, note: null, escalationLevel: 0, notifiedAt: null,
};

const param = (e: GatewayEvent, name: string): string | undefined => e.params.find(([n]) => n === name)?.[1];

describe('alertEvent', () => {
  it('names the alert, the device and the network, with every text defanged', () => {
    const e = alertEvent(alert, (id) => (id === 'pupil' ? 'Pupils' : undefined));
    expect(e.type).toBe('alert');
    expect(e.severity).toBe('err');
    expect(e.at.toISOString()).toBe('2026-12-07T09:14:03.000Z');
    expect(param(e, 'alert')).toBe('7');
    expect(param(e, 'kind')).toBe('dns.category');
    expect(param(e, 'network')).toBe('pupil');
    expect(param(e, 'device')).toBe('Year 5 iPad\nhttp://evil.example');
    expect(param(e, 'address')).toBe('10.20.0.5');
    expect(param(e, 'count')).toBe('3');
    expect(e.text).toBe('HIGH alert 7: A blocked category was looked up by Year 5 iPad hxxp[://]evil[.]example on Pupils: www[.]tiktok[.]com (social networking, blocked)');
    expect(e.text).not.toMatch(/[\n\r]/);
  });

  it('maps a critical alert to crit and leaves out what the alert does not have', () => {
    const e = alertEvent({ ...alert, severity: 'critical', networkId: null, mac: null, address: null, deviceName: null, category: null }, () => undefined);
    expect(e.severity).toBe('crit');
    expect(param(e, 'mac')).toBe('');
    expect(e.text).toBe('CRITICAL alert 7: A blocked category was looked up: www[.]tiktok[.]com (social networking, blocked)');
  });
});

describe('auditEvent', () => {
  const entry = (action: string, over: Partial<AuditEntry> = {}): AuditEntry => ({
    seq: 12, at: '2026-12-07T10:00:00.000Z', actor: 'account:jo.tech', action, subject: null, details: { version: '0.1.0' },
    prevHash: '0'.repeat(64), hash: '1'.repeat(64), ...over,
  });

  it('says who did what to what, with the details', () => {
    const e = auditEvent(entry('policy.edit', { subject: 'pupil' }));
    expect(e).toMatchObject({ type: 'audit', severity: 'info' });
    expect(param(e, 'seq')).toBe('12');
    expect(param(e, 'actor')).toBe('account:jo.tech');
    expect(e.text).toBe('policy.edit by account:jo[.]tech on pupil {"version":"0[.]1[.]0"}');
  });

  it('raises the daemon, configuration, failed sign-ins and the break-glass account to notice', () => {
    for (const action of ['daemon.start', 'daemon.stop', 'config.reload', 'account.lockout', 'account.login-failed', 'system.break-glass', 'backup.create', 'upgrade.rollback']) {
      expect(auditEvent(entry(action)).severity, action).toBe('notice');
    }
    expect(auditEvent(entry('account.login')).severity).toBe('info');
  });
});

describe('listUpdatedEvent', () => {
  it('names the list, where it came from and what it holds', () => {
    const e = listUpdatedEvent({ id: 'social', name: 'Social sites', feed: { url: 'https://lists.example.org/social.txt' } },
      { list: 'social', outcome: 'updated', at: '2026-12-07T03:17:02.000Z', entries: 1200, badLines: 3, sha256: 'ab'.repeat(32), bytes: 20_000 });
    expect(e).toMatchObject({ type: 'lists', severity: 'info' });
    expect(e.at.toISOString()).toBe('2026-12-07T03:17:02.000Z');
    expect(param(e, 'source')).toBe('lists.example.org');
    expect(param(e, 'entries')).toBe('1200');
    expect(e.text).toBe('list Social sites (social) refreshed from lists[.]example[.]org: 1200 entries, 3 bad lines skipped');
  });
});

describe('GatewayEvents', () => {
  it('tells every listener, even after one throws, and stops telling one that left', () => {
    const events = new GatewayEvents();
    const seen: string[] = [];
    const errors: unknown[] = [];
    events.on(() => { throw new Error('broken listener'); });
    const off = events.on((e) => seen.push(e.type));
    const event: GatewayEvent = { at: new Date(0), type: 'backup', severity: 'info', params: [], text: 'made' };
    events.emit(event, (err) => errors.push(err));
    off();
    events.emit(event, (err) => errors.push(err));
    expect(seen).toEqual(['backup']);
    expect(errors).toHaveLength(2);
  });
});
