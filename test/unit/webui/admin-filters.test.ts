// The devices and audit pages' searches: what a device search matches, and the audit query the
// page sends (the control method's own parameters).
import { describe, expect, it } from 'vitest';
import type { Device } from '../../../firmware/state/schemas.ts';
import { ownerProblem } from '../../../firmware/state/device-owner.ts';
import { auditQuery, isActionFilter, matches, ownerLabel, type DeviceRow } from '../../../webui/src/pages/admin-filters.ts';

const device: Device = {
  mac: '3c:22:fb:01:a2:9f', name: 'Class 3 iPad', groupId: 'year3', networkId: 'pupil', firstSeen: '2026-12-01T08:00:00.000Z',
  lastSeen: '2026-12-07T08:00:00.000Z', schoolOwned: true, notes: '', suspendedUntil: null, suspendReason: null, hostname: 'ipad-12',
  vendorClass: '', randomisedMac: false, owner: 'Mrs Patel', capDownKbit: null, capUpKbit: null,
};
const row = (d: Partial<Device>, address?: string): DeviceRow => ({
  device: { ...device, ...d },
  lease: address === undefined ? undefined : { networkId: 'pupil', address, clientKey: 'mac:x', mac: device.mac, clientId: null, hostname: '', vendorClass: '', parameters: [], relayAgent: null, relayInfo: null, state: 'bound', expires: '2026-12-07T10:00:00.000Z', updated: '2026-12-07T09:00:00.000Z' },
  label: 'Class 3 iPad',
});

describe('device search', () => {
  it('matches the name, MAC, hostname, address, owner, group and reason, whatever the case', () => {
    for (const q of ['class 3', '3C:22:FB', 'IPAD-12', '10.20.0.77', 'patel', 'year3', ' ']) expect(matches(row({}, '10.20.0.77'), q), q).toBe(true);
    expect(matches(row({ suspendReason: 'proxy sites', suspendedUntil: '2026-12-09T00:00:00.000Z' }), 'proxy')).toBe(true);
    expect(matches(row({}), '10.20.0.77')).toBe(false);
    expect(matches(row({}), 'laptop')).toBe(false);
  });
});

describe('device owner', () => {
  it('shows who staff said it belongs to beside whether it is a school device, "school" once', () => {
    expect(ownerLabel({ owner: 'Mrs Patel', schoolOwned: true })).toBe('Mrs Patel · school device');
    expect(ownerLabel({ owner: 'Class 4', schoolOwned: false })).toBe('Class 4 · personal');
    expect(ownerLabel({ owner: '', schoolOwned: false })).toBe('personal');
    expect(ownerLabel({ owner: 'School', schoolOwned: true })).toBe('school device');
  });

  it('is checked in the form as the gateway checks it: one line, at most 80 characters', () => {
    expect(ownerProblem('y'.repeat(80))).toBeUndefined();
    expect(ownerProblem('y'.repeat(81))).toMatch(/at most 80/);
    expect(ownerProblem('Class\n4')).toMatch(/one line/);
    expect(matches(row({ owner: 'Class 4' }), 'class 4')).toBe(true);
  });
});

describe('audit query', () => {
  it('sends only the filters given, a date as its midnight UTC, and the cursor', () => {
    expect(auditQuery({ since: '', action: '', actor: '' })).toBe('limit=200');
    expect(new URLSearchParams(auditQuery({ since: '2026-12-01', action: ' device.* ', actor: 'account:jo.head' }, 41)).toString())
      .toBe('since=2026-12-01T00%3A00%3A00.000Z&action=device.*&actor=account%3Ajo.head&after=41&limit=200');
  });

  it('accepts an action or a prefix and nothing else', () => {
    for (const ok of ['', 'device.suspend', 'device.*', 'account.break-glass-reset']) expect(isActionFilter(ok), ok).toBe(true);
    for (const bad of ['DROP TABLE', 'device.', '*', 'device.*.x']) expect(isActionFilter(bad), bad).toBe(false);
  });
});
