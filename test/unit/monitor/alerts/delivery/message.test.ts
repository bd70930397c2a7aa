import { describe, expect, it } from 'vitest';
import { defang } from '../../../../../firmware/monitor/alerts/delivery/inert-text.ts';
import { alertEmail, emailSubject, webhookPayload } from '../../../../../firmware/monitor/alerts/delivery/message.ts';
import { testAlert } from '../../../../../firmware/monitor/alerts/delivery/test-alert.ts';
import { alert, context, LINKABLE } from './fixtures.ts';

const dsl = { name: 'Ms Khan', role: 'dsl', email: 'dsl@school.example' } as const;

describe('defang', () => {
  it.each([
    ['example.com', 'example[.]com'],
    ['https://evil.example/path', 'hxxps[://]evil[.]example/path'],
    ['HTTP://x.y', 'hxxp[://]x[.]y'],
    ['pupil@school.example', 'pupil[@]school[.]example'],
    ['10.0.0.1', '10[.]0[.]0[.]1'],
    ['line\r\nBcc: someone', 'line Bcc: someone'],
  ])('%s -> %s', (input, output) => {
    expect(defang(input)).toBe(output);
  });
});

describe('the alert e-mail', () => {
  it('names the network, device, school time, what was looked up (inert), why and how to acknowledge', () => {
    const { subject, text } = alertEmail(alert(), dsl, 'new', context);
    expect(subject).toBe('[Schoolgate CRITICAL] A name looked up matched a keyword list: Year5-iPad-07 on Pupil Wi-Fi (pupil)');
    expect(text).toContain('Network:    Pupil Wi-Fi (pupil)');
    expect(text).toContain('Device:     Year5-iPad-07 (MAC aa:bb:cc:dd:ee:01, address 10[.]20[.]0[.]5)');
    expect(text).toContain('When:       Monday, 15 June 2026 at 09:14:03 BST');
    expect(text).toContain('Looked up:  how-to[.]self-harm[.]example[.]com');
    expect(text).toContain('Why:        the name matched the self-harm keyword list');
    expect(text).toContain('schoolgate alerts ack 42 --note');
    expect(text).toContain('as the designated safeguarding lead');
    expect(text).not.toMatch(LINKABLE);
  });

  it('gives the count and the last time of a burst', () => {
    const { text } = alertEmail(alert({ count: 12, lastAt: '2026-06-15T08:20:11.000Z' }), dsl, 'new', context);
    expect(text).toContain('12 times in all, the last on Monday, 15 June 2026 at 09:20:11 BST');
  });

  it('names the device by MAC, then address, before DHCP names it', () => {
    expect(alertEmail(alert({ deviceName: null }), dsl, 'new', context).text).toContain('Device:     aa:bb:cc:dd:ee:01 (address 10[.]20[.]0[.]5)');
    expect(alertEmail(alert({ deviceName: null, mac: null }), dsl, 'new', context).text).toContain('Device:     10[.]20[.]0[.]5\n');
  });

  it('defangs what a device chose: a host name made to look like a link or to break the layout', () => {
    const { subject, text } = alertEmail(alert({ deviceName: 'visit https://evil.example\r\nnow' }), dsl, 'new', context);
    expect(subject).toContain('visit hxxps[://]evil[.]example now');
    expect(subject).not.toMatch(/[\r\n]/);
    expect(`${subject}\n${text}`).not.toMatch(LINKABLE);
  });

  it('carries the severity in the subject, and says so when escalated', () => {
    expect(emailSubject(alert({ severity: 'high' }), 'new', context)).toMatch(/^\[Schoolgate HIGH\] /);
    const escalated = alertEmail(alert(), { name: 'Mr Jones', role: 'headteacher' }, 'escalation', context);
    expect(escalated.subject).toMatch(/^\[Schoolgate CRITICAL, ESCALATED\] /);
    expect(escalated.text).toContain('not been acknowledged within 30 minutes');
  });

  it('marks a test as a test and asks nothing of the reader', () => {
    const { subject, text } = alertEmail(testAlert(new Date('2026-12-07T10:00:00Z')), dsl, 'test', context);
    expect(subject).toMatch(/^\[Schoolgate TEST\] A test of alert delivery/);
    expect(text).toContain('This is a TEST alert');
    expect(text).toContain('When:       Monday, 7 December 2026 at 10:00:00 GMT');
    expect(text).not.toContain('alerts ack');
    expect(text).not.toMatch(LINKABLE);
  });
});

describe('the webhook body', () => {
  it('carries the stored alert as it is, and the same defanged words as the e-mail', () => {
    const stored = alert();
    const body = webhookPayload(stored, 'new', context, 'd-1', '2026-06-15T08:14:05.000Z');
    expect(body).toMatchObject({ type: 'schoolgate.alert', version: 1, deliveryId: 'd-1', why: 'new', site: 'St Example Primary', network: 'Pupil Wi-Fi (pupil)', device: 'Year5-iPad-07' });
    expect(body.alert).toEqual(stored);
    expect(body.title).toBe(emailSubject(stored, 'new', context));
    expect(body.text).toContain('Looked up:  how-to[.]self-harm[.]example[.]com');
    expect(`${body.title}\n${body.text}`).not.toMatch(LINKABLE);
    expect(webhookPayload(testAlert(new Date()), 'test', context, 'd-2', '2026-06-15T08:14:05.000Z').type).toBe('schoolgate.test');
  });
});
