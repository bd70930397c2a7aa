// The alert `schoolgate alerts test` sends: shaped like a real critical one (so it travels the
// same path and reads the same way), marked TEST everywhere it shows, and naming no one.
import type { Alert } from '../alert-schema.ts';

export function testAlert(now: Date): Alert {
  const at = now.toISOString();
  return {
    // Never stored: the id only fills the shape, and `type: schoolgate.test` tells a webhook so.
    id: 1,
    kind: 'dns.category',
    severity: 'critical',
    firstAt: at,
    lastAt: at,
    count: 1,
    networkId: null,
    mac: null,
    address: null,
    deviceName: 'Test device',
    // Shows the reader how every name looked up is written (defanged), with one that cannot exist.
    subject: 'alert-test.schoolgate.invalid',
    reason: 'a test sent with `schoolgate alerts test` to check that alerts reach their contacts',
    category: null,
    details: {},
    status: 'open',
    acknowledgedAt: null,
    acknowledgedBy: null,
    note: null,
    escalationLevel: 0,
    notifiedAt: null,
  };
}
