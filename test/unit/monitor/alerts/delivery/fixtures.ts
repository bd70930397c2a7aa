// Shared by the delivery tests: an alert as the store keeps it, and a message context.
import type { Alert } from '../../../../../firmware/monitor/alerts/alert-schema.ts';
import type { MessageContext } from '../../../../../firmware/monitor/alerts/delivery/message.ts';

export const context: MessageContext = {
  site: 'St Example Primary',
  timezone: 'Europe/London',
  networks: [{ id: 'pupil', name: 'Pupil Wi-Fi' }, { id: 'guest', name: 'guest' }],
  escalateAfterMinutes: 30,
};

export function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 42,
    kind: 'dns.keyword',
    severity: 'critical',
    // 09:14:03 on the school's clocks in summer (BST, UTC+1).
    firstAt: '2026-06-15T08:14:03.000Z',
    lastAt: '2026-06-15T08:14:03.000Z',
    count: 1,
    networkId: 'pupil',
    mac: 'aa:bb:cc:dd:ee:01',
    address: '10.20.0.5',
    deviceName: 'Year5-iPad-07',
    subject: 'how-to.self-harm.example.com',
    reason: 'the name matched the self-harm keyword list',
    category: 'self-harm',
    details: {},
    status: 'open',
    acknowledgedAt: null,
    acknowledgedBy: null,
    note: null,
    escalationLevel: 0,
    notifiedAt: null,
    ...overrides,
  };
}

/** Anything a mail client or chat tool would turn into a link: a URL, or a dotted name or address. */
export const LINKABLE = /https?:\/\/|www\.|\b[a-z0-9-]+\.(?:[a-z0-9-]+\.)*[a-z]{2,}\b|\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b|[^\s[]@[^\s\]]/i;
