import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLocallyAdministered, MacAddressError, normaliseMac } from '../../../firmware/state/mac.ts';

describe('normaliseMac', () => {
  it.each([
    ['3c:22:fb:01:a2:9e', '3c:22:fb:01:a2:9e'],
    ['3C:22:FB:01:A2:9E', '3c:22:fb:01:a2:9e'],
    ['3c-22-fb-01-a2-9e', '3c:22:fb:01:a2:9e'],
    ['3c22.fb01.a29e', '3c:22:fb:01:a2:9e'],
    ['3C22FB01A29E', '3c:22:fb:01:a2:9e'],
    ['  3c:22:fb:01:a2:9e\n', '3c:22:fb:01:a2:9e'],
    ['da:a1:19:00:00:01', 'da:a1:19:00:00:01'], // randomised private address: a normal client
  ])('reads %j as %s', (input, expected) => {
    expect(normaliseMac(input)).toBe(expected);
  });

  it.each([
    ['', /"" is not a MAC address: expected six pairs of hex digits such as 3c:22:fb:01:a2:9e/],
    ['3c:22:fb:01:a2', /"3c:22:fb:01:a2" is not a MAC address/],
    ['3c:22:fb:01:a2:9g', /"3c:22:fb:01:a2:9g" is not a MAC address/],
    ['3c:22-fb:01:a2:9e', /is not a MAC address/],
    ['3c:22:fb:01:a2:9e:00', /is not a MAC address/],
    ['00:00:00:00:00:00', /all-zero MAC address/],
    ['ff:ff:ff:ff:ff:ff', /multicast or broadcast/],
    ['01:00:5e:00:00:fb', /multicast or broadcast/],
  ])('refuses %j clearly', (input, message) => {
    expect(() => normaliseMac(input)).toThrow(MacAddressError);
    expect(() => normaliseMac(input)).toThrow(message);
  });

  it('shortens very long input in the message', () => {
    expect(() => normaliseMac('x'.repeat(5000))).toThrow(/^"x{40}…" is not a MAC address/);
  });

  it('is idempotent and agrees across spellings of any unicast address', () => {
    const octets = fc.tuple(fc.integer({ min: 0, max: 255 }).map((b) => b & 0xfe), ...Array.from({ length: 5 }, () => fc.integer({ min: 0, max: 255 })))
      .filter((bytes) => bytes.some((b) => b !== 0));
    fc.assert(fc.property(octets, (bytes) => {
      const hex = bytes.map((b) => b.toString(16).padStart(2, '0'));
      const canonical = normaliseMac(hex.join(':').toUpperCase());
      expect(canonical).toBe(hex.join(':'));
      expect(normaliseMac(hex.join('-'))).toBe(canonical);
      expect(normaliseMac(hex.join(''))).toBe(canonical);
      expect(normaliseMac(canonical)).toBe(canonical);
    }));
  });

  it('recognises locally administered (randomised) addresses', () => {
    expect(isLocallyAdministered('da:a1:19:00:00:01')).toBe(true);
    expect(isLocallyAdministered('3c:22:fb:01:a2:9e')).toBe(false);
  });
});
