// TOTP against RFC 6238's own test vectors (Appendix B) and the replay rule.
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, otpauthUrl, totpCode, verifyTotp } from '../../../firmware/admin/auth/totp.ts';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII "12345678901234567890"; 8 digits.
const SEED = Buffer.from('12345678901234567890');
const VECTORS: [number, string][] = [
  [59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130'],
];

describe('TOTP', () => {
  it.each(VECTORS)('matches RFC 6238 at T=%i', (seconds, code) => {
    expect(hotp(SEED, Math.floor(seconds / 30), 8)).toBe(code);
  });

  it('matches RFC 4226 Appendix D (HOTP, 6 digits)', () => {
    expect([0, 1, 2, 9].map((c) => hotp(SEED, c))).toEqual(['755224', '287082', '359152', '520489']);
  });

  it('round-trips base32 and refuses what is not base32', () => {
    expect(base32Encode(SEED)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')).toEqual(SEED);
    expect(() => base32Decode('GEZ1')).toThrow(/not base32/);
  });

  it('accepts one step either side, never the same step twice, and nothing further', () => {
    const secret = base32Encode(SEED);
    const at = 1_111_111_111_000;
    const code = totpCode(secret, at);
    const step = Math.floor(at / 30_000);
    expect(verifyTotp(secret, code, at, null)).toBe(step);
    expect(verifyTotp(secret, code, at, step)).toBeUndefined();
    expect(verifyTotp(secret, code, at + 30_000, null)).toBe(step);
    expect(verifyTotp(secret, code, at + 60_000, null)).toBeUndefined();
    expect(verifyTotp(secret, totpCode(secret, at - 30_000), at, null)).toBe(step - 1);
    expect(verifyTotp(secret, '12345', at, null)).toBeUndefined();
  });

  it('writes the otpauth URL authenticator apps read', () => {
    expect(otpauthUrl('ABC', 'jo.head', 'Schoolgate St Mary')).toBe('otpauth://totp/Schoolgate%20St%20Mary%3Ajo.head?secret=ABC&issuer=Schoolgate%20St%20Mary&algorithm=SHA1&digits=6&period=30');
  });
});
