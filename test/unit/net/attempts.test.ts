// Deciding about counted attempts: the device and network each element names, one event per
// device per window, and the lines that reset what was reported.
import { describe, expect, test } from 'vitest';
import { attemptFindings, attemptKey, parseAttemptElement, resetLines } from '../../../firmware/net/attempts.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { labGatewayConfig } from '../../../scripts/netlab/gateway.ts';

const PUPIL = '02:5c:00:20:00:10';
const ROAMER = '02:5c:00:99:00:01';

describe('parseAttemptElement', () => {
  test('an address . MAC element in either family; anything else is refused', () => {
    expect(parseAttemptElement('10.20.0.10 . 02:5C:00:20:00:10')).toEqual({ address: '10.20.0.10', mac: PUPIL });
    expect(parseAttemptElement('fd00:20::10 . 02:5c:00:20:00:10')).toEqual({ address: 'fd00:20::10', mac: PUPIL });
    expect(() => parseAttemptElement('02:5c:00:20:00:10')).toThrow(/unexpected/);
    expect(() => parseAttemptElement('not-an-address . 02:5c:00:20:00:10')).toThrow(/unexpected/);
  });
});

describe('attemptFindings', () => {
  const now = new Date('2026-12-07T10:00:00Z');

  test('the network is the one whose subnet holds the address, else the device\'s; one event per device per window', () => {
    const state = StateDatabase.open(':memory:', { now: () => now });
    try {
      state.devices.upsertSeen(ROAMER, 'guest', now);
      const config = labGatewayConfig(false);
      const findings = attemptFindings({
        kind: 'net.p2p',
        elements: [
          { value: `10.20.0.10 . ${PUPIL}`, packets: 4 },
          { value: `192.0.2.50 . ${ROAMER}`, packets: 1 },
          { value: `10.30.0.10 . ${ROAMER}`, packets: 2 },
        ],
        networks: config.networks,
        device: (mac) => state.devices.get(mac),
        recorded: new Set([attemptKey(ROAMER, '10.30.0.10')]),
      });
      expect(findings).toEqual([
        { kind: 'net.p2p', address: '10.20.0.10', mac: PUPIL, networkId: 'pupil', name: '', packets: 4, record: true },
        { kind: 'net.p2p', address: '192.0.2.50', mac: ROAMER, networkId: 'guest', name: '', packets: 1, record: true },
        { kind: 'net.p2p', address: '10.30.0.10', mac: ROAMER, networkId: 'guest', name: '', packets: 2, record: false },
      ]);
      // Only what was reported is reset, each in its family's set, whether or not it is still there.
      expect(resetLines(findings)).toEqual([
        `add element inet schoolgate p2p_attempts_v4 { 10.20.0.10 . ${PUPIL} timeout 1s }`,
        `delete element inet schoolgate p2p_attempts_v4 { 10.20.0.10 . ${PUPIL} }`,
        `add element inet schoolgate p2p_attempts_v4 { 192.0.2.50 . ${ROAMER} timeout 1s }`,
        `delete element inet schoolgate p2p_attempts_v4 { 192.0.2.50 . ${ROAMER} }`,
      ]);
      const six = attemptFindings({ kind: 'net.bypass', elements: [{ value: `fd00::1 . ${PUPIL}`, packets: 1 }], networks: config.networks, device: () => undefined, recorded: new Set() });
      expect(six[0]!.networkId).toBeNull();
      expect(resetLines(six)[1]).toBe(`delete element inet schoolgate bypass_attempts_v6 { fd00::1 . ${PUPIL} }`);
    } finally {
      state.close();
    }
  });
});
